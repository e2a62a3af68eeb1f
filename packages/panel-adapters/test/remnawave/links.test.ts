/** Remnawave renders fallback entries for a user who is not ACTIVE: they are not the client's links. */
import { deriveRemoteIdentity } from '@panelkit/sdk';
import type { CallContext, ClientSpec, TargetRef } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRemnawaveAdapter, type RemnawaveAdapter } from '../../src/remnawave/index.js';
import { serveOnLocalhost, type RunningSimulator } from '../../src/simulators/harness/index.js';
import { createRemnawaveSimulator, type RemnawaveSimulator } from '../../src/simulators/remnawave/index.js';

const TOKEN = 'remnawave-links-token';
const DAY = 86_400_000;
const ctx = (): CallContext => ({ signal: new AbortController().signal, idempotencyKey: 'links' });
const PLACEHOLDER = /^vless:\/\/00000000-0000-0000-0000-000000000000@0\.0\.0\.0:1\?/;

let sim: RemnawaveSimulator;
let server: RunningSimulator;
let clock: ManualClock;
let adapter: RemnawaveAdapter;
let target: TargetRef;
let sequence = 0;

function spec(): ClientSpec {
  return {
    identity: deriveRemoteIdentity(`links-${++sequence}`, 0, { secret: 'remnawave-links-identity-secret' }),
    expiry: { type: 'at', at: new Date(clock.now().getTime() + 30 * DAY) },
    trafficLimitBytes: null,
    deviceLimit: null,
    enabled: true,
  };
}

async function apiInfo(username: string): Promise<{ links: string[] }> {
  const response = await fetch(`${server.origin}/api/subscriptions/by-username/${username}`, {
    headers: { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '1.1.1.1', 'x-forwarded-proto': 'https' },
  });
  return ((await response.json()) as { response: { links: string[] } }).response;
}

beforeEach(async () => {
  clock = new ManualClock('2026-05-01T00:00:00Z');
  sim = createRemnawaveSimulator({ clock, apiToken: TOKEN });
  server = await serveOnLocalhost(sim.handle);
  adapter = createRemnawaveAdapter({ baseUrl: server.origin, auth: { token: TOKEN }, timeoutMs: 1_000 });
  target = (await adapter.listTargets(ctx())).find((candidate) => candidate.name === 'Default-Squad')!;
});

afterEach(async () => {
  await server.close();
});

describe('remnawave: the links of a client who is not active', () => {
  it('the panel answers its fallback entries for a disabled user, as the backend renders them', async () => {
    const [created] = await adapter.createClients(target, [spec()], ctx());
    await adapter.updateClient(created!.ref, { enabled: false }, ctx());
    const { links } = await apiInfo(created!.ref.username);
    expect(links).toEqual([
      `vless://00000000-0000-0000-0000-000000000000@0.0.0.0:1?encryption=none&type=tcp&security=none#${encodeURIComponent('🚫 Subscription disabled')}`,
      `vless://00000000-0000-0000-0000-000000000000@0.0.0.0:1?encryption=none&type=tcp&security=none#${encodeURIComponent('Contact support')}`,
    ]);
  });

  it('a disabled client has no share links, and keeps its subscription URL', async () => {
    const [created] = await adapter.createClients(target, [spec()], ctx());
    const before = await adapter.links(created!.ref, ctx());
    expect(before.shareLinks.length).toBeGreaterThan(0);
    await adapter.updateClient(created!.ref, { enabled: false }, ctx());
    const after = await adapter.links(created!.ref, ctx());
    expect(after).toEqual({ subscriptionUrl: before.subscriptionUrl, shareLinks: [] });
    await adapter.updateClient(created!.ref, { enabled: true }, ctx());
    expect((await adapter.links(created!.ref, ctx())).shareLinks).toEqual(before.shareLinks);
  });

  it('an expired or limited client has none either: never a placeholder', async () => {
    const [expired, limited] = await adapter.createClients(target, [spec(), spec()], ctx());
    sim.byName(expired!.ref.username)!.status = 'EXPIRED';
    sim.byName(limited!.ref.username)!.status = 'LIMITED';
    for (const ref of [expired!.ref, limited!.ref]) {
      expect((await apiInfo(ref.username)).links.every((link) => PLACEHOLDER.test(link))).toBe(true);
      expect((await adapter.links(ref, ctx())).shareLinks).toEqual([]);
    }
  });
});
