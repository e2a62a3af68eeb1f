import type { TargetRef } from '@panelkit/sdk/adapter';
import type { ManualClock } from '@panelkit/sdk/testing';
import { createPasarGuardAdapter, type PasarGuardAdapterOptions } from '../../src/pasarguard/index.js';
import {
  createPasarGuardSimulator,
  type PasarGuardSimulator,
  type PasarGuardSimulatorOptions,
} from '../../src/simulators/pasarguard/index.js';
import { clientSpecs, setupTokenPanel } from '../support/token-panel.js';

export const ORIGIN = 'http://pasarguard.test';
export const PASSWORD = 'pasarguard-owner-password';

/** Group 1, "All inbounds", of the simulator's default groups. */
export const ALL_GROUP: TargetRef = { remoteRef: '1', protocol: 'mixed', remoteMeta: { groupId: 1 } };

export function setup(
  simOptions: PasarGuardSimulatorOptions = {},
  adapterOptions: Partial<PasarGuardAdapterOptions> = {},
): { sim: PasarGuardSimulator; adapter: ReturnType<typeof createPasarGuardAdapter>; clock: ManualClock } {
  return setupTokenPanel(ORIGIN, PASSWORD, {
    simulator: (base) => createPasarGuardSimulator({ ...base, ...simOptions }),
    adapter: (base) => createPasarGuardAdapter({ ...base, ...adapterOptions }),
  });
}

export const spec = clientSpecs('pasarguard-test-identity-secret');

/** A raw, logged-in call to the simulated panel, for checking what it answers itself. */
export async function raw(
  path: string,
  init: { method?: string; json?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const login = await fetch(`${ORIGIN}/api/admin/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'owner', password: PASSWORD }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };
  return fetch(`${ORIGIN}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
}

export { ctx, useMsw } from '../support/msw.js';
