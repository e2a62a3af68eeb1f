/**
 * `RemoteClient.enabled` says whether the panel lets the client connect now. A panel whose own job
 * stops depleted and expired clients often leaves their admin switch on (3x-ui's traffic row,
 * Marzban's `limited`/`expired` status, Marzneshin's computed flags): the adapter must still read
 * them as not enabled, or reconciliation reports every enforced limit as drift.
 */
import type { ClientRef, ClientSpec, PanelAdapter, RemoteClient, TargetRef } from '@panelkit/sdk/adapter';
import { describe, expect, it } from 'vitest';
import { ctx, DAY, GIB, useMsw } from './support/msw.js';
import { rig as xuiRig, spec as xuiSpec } from './xui/setup.js';
import { rig as suiRig, spec as suiSpec } from './sui/setup.js';
import { setup as marzbanSetup, spec as marzbanSpec, VLESS_TARGET } from './marzban/setup.js';
import { setup as marzneshinSetup, spec as marzneshinSpec, SERVICE_TARGET } from './marzneshin/setup.js';

useMsw();

interface Case {
  adapter: PanelAdapter;
  target: TargetRef;
  sim: { addTraffic(u: string, up: number, down: number): Promise<void>; enforce(): unknown };
  clock: { advance(ms: number): unknown };
  spec(overrides: Partial<ClientSpec>): ClientSpec;
}

const cases: [string, () => Case][] = [
  [
    '3x-ui Gen A',
    () => {
      const r = xuiRig();
      return { adapter: r.adapter, target: r.targets.vless, sim: r.sim, clock: r.clock, spec: (o) => xuiSpec(o) };
    },
  ],
  [
    '3x-ui Gen B',
    () => {
      const r = xuiRig({ version: '3.6.x' });
      return { adapter: r.adapter, target: r.targets.vless, sim: r.sim, clock: r.clock, spec: (o) => xuiSpec(o) };
    },
  ],
  [
    's-ui',
    () => {
      const r = suiRig();
      return { adapter: r.adapter, target: r.target, sim: r.sim, clock: r.clock, spec: (o) => suiSpec(o) };
    },
  ],
  [
    'marzban',
    () => {
      const r = marzbanSetup();
      let n = 0;
      return { adapter: r.adapter, target: VLESS_TARGET, sim: r.sim, clock: r.clock, spec: (o) => marzbanSpec(`enf-${++n}`, r.clock, o) };
    },
  ],
  [
    'marzneshin',
    () => {
      const r = marzneshinSetup();
      let n = 0;
      return {
        adapter: r.adapter,
        target: SERVICE_TARGET,
        sim: r.sim,
        clock: r.clock,
        spec: (o) => marzneshinSpec(`enf-${++n}`, r.clock, o),
      };
    },
  ],
];

async function listed(adapter: PanelAdapter, username: string): Promise<RemoteClient | undefined> {
  let cursor: string | null = null;
  do {
    const page = await adapter.listClients({ cursor }, ctx());
    const found = page.items.find((c) => c.ref.username === username);
    if (found) return found;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return undefined;
}

describe.each(cases)('%s: what the panel enforced reads as not enabled', (_name, make) => {
  it('a client the panel stopped for its traffic', async () => {
    const c = make();
    const [created] = await c.adapter.createClients(
      c.target,
      [c.spec({ trafficLimitBytes: 1 * GIB, expiry: { type: 'at', at: new Date(Date.parse('2026-01-01T00:00:00Z') + 30 * DAY) } })],
      ctx(),
    );
    const ref: ClientRef = created!.ref;
    const keep = (await c.adapter.createClients(c.target, [c.spec({})], ctx()))[0]!;
    await c.sim.addTraffic(ref.username, 0, 2 * GIB);
    c.sim.enforce();
    expect((await c.adapter.getClient(ref, ctx()))?.enabled).toBe(false);
    expect((await listed(c.adapter, ref.username))?.enabled).toBe(false);
    expect((await c.adapter.getClient(keep.ref, ctx()))?.enabled).toBe(true);
    // Extended in place and reset: it connects again.
    await c.adapter.updateClient(ref, { trafficLimitBytes: 5 * GIB, enabled: true }, ctx());
    await c.adapter.resetUsage(ref, ctx());
    c.sim.enforce();
    expect((await c.adapter.getClient(ref, ctx()))?.enabled).toBe(true);
  });

  it('a client the panel stopped at its expiry', async () => {
    const c = make();
    const [created] = await c.adapter.createClients(
      c.target,
      [c.spec({ expiry: { type: 'at', at: new Date(Date.parse('2026-01-01T00:00:00Z') + 2 * DAY) } })],
      ctx(),
    );
    c.clock.advance(3 * DAY);
    c.sim.enforce();
    expect((await c.adapter.getClient(created!.ref, ctx()))?.enabled).toBe(false);
    expect((await listed(c.adapter, created!.ref.username))?.enabled).toBe(false);
  });
});
