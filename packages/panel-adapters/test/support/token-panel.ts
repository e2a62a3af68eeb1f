/**
 * The setup the Marzban-family unit tests share: a simulator with one admin, served at an origin,
 * and an adapter logged in as that admin that tries each call once.
 */
import { deriveRemoteIdentity } from '@panelkit/sdk';
import type { ClientSpec } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/testing';
import type { FetchHandler } from '../../src/simulators/harness/types.js';
import { DAY, serveSimulator } from './msw.js';

/** What the simulator factory receives: the clock and the admin's credentials. */
export interface TokenPanelSimulatorBase {
  clock: ManualClock;
  adminUsername: string;
  adminPassword: string;
}

/** What the adapter factory receives: the served origin, the admin's credentials, one attempt per call. */
export interface TokenPanelAdapterBase {
  baseUrl: string;
  auth: { username: string; password: string };
  clock: ManualClock;
  timeoutMs: number;
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number; maxRetryAfterMs: number };
}

export function setupTokenPanel<S extends { handle: FetchHandler; releaseHangs(): void }, A>(
  origin: string,
  password: string,
  create: { simulator: (base: TokenPanelSimulatorBase) => S; adapter: (base: TokenPanelAdapterBase) => A },
): { sim: S; adapter: A; clock: ManualClock } {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const sim = create.simulator({ clock, adminUsername: 'owner', adminPassword: password });
  serveSimulator(origin, sim);
  const adapter = create.adapter({
    baseUrl: origin,
    auth: { username: 'owner', password },
    clock,
    timeoutMs: 1_000,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1_000 },
  });
  return { sim, adapter, clock };
}

/** A `spec(name, clock, overrides)` that derives identities with `secret`: 30 days, 10 GiB, enabled. */
export function clientSpecs(secret: string): (name: string, clock: ManualClock, overrides?: Partial<ClientSpec>) => ClientSpec {
  return (name, clock, overrides = {}) => ({
    identity: deriveRemoteIdentity(name, 0, { secret }),
    expiry: { type: 'at', at: new Date(clock.now().getTime() + 30 * DAY) },
    trafficLimitBytes: 10 * 2 ** 30,
    deviceLimit: null,
    enabled: true,
    ...overrides,
  });
}
