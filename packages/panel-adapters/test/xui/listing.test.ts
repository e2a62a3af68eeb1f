/** Bulk usage: every client's usage in the fewest panel calls each generation allows. */
import { ValidationError } from '@panelkit/sdk';
import { describe, expect, it } from 'vitest';
import { calls, ctx, rig, useMsw } from './setup.js';

useMsw();

async function listAll(adapter: ReturnType<typeof rig>['adapter'], limit?: number) {
  const items = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await adapter.listClients(limit === undefined ? { cursor } : { cursor, limit }, ctx());
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null);
  return { items, pages };
}

describe('3x-ui listClients', () => {
  it('Gen A: pages over one inbounds/list call, with usage from clientStats', async () => {
    const { sim, adapter } = rig();
    sim.seedClients(1, 20);
    sim.seedClients(2, 10);
    sim.seedClients(3, 5);
    await sim.addTraffic('seed2_3', 1000, 2000);
    sim.resetRequestCounts();
    const { items, pages } = await listAll(adapter, 10);
    expect(pages).toBe(4);
    expect(items).toHaveLength(35);
    expect(new Set(items.map((c) => c.ref.username)).size).toBe(35);
    expect(calls(sim, 'GET /panel/api/inbounds/list')).toBe(1);
    const used = items.find((c) => c.ref.username === 'seed2_3')!;
    expect(used).toMatchObject({ usedBytes: 3000, uploadBytes: 1000, downloadBytes: 2000 });
    expect(used.ref.target).toMatchObject({ remoteRef: '2', protocol: 'vmess' });
  });

  it('Gen A: a cursor whose snapshot was replaced refetches and continues at its offset', async () => {
    const { sim, adapter } = rig();
    sim.seedClients(1, 6);
    const first = await adapter.listClients({ limit: 4 }, ctx());
    await adapter.listClients({ limit: 1 }, ctx()); // a second listing replaces the cached snapshot
    const rest = await adapter.listClients({ cursor: first.nextCursor, limit: 4 }, ctx());
    expect([...first.items, ...rest.items].map((c) => c.ref.username)).toEqual(Array.from({ length: 6 }, (_, i) => `seed1_${i}`));
    expect(calls(sim, 'GET /panel/api/inbounds/list')).toBe(3);
  });

  it('Gen A: 20 000 clients are listed with one panel call', async () => {
    const { sim, adapter } = rig();
    sim.seedClients(1, 20_000);
    sim.resetRequestCounts();
    const { items } = await listAll(adapter, 5_000);
    expect(items).toHaveLength(20_000);
    expect(calls(sim, 'GET /panel/api/inbounds/list')).toBe(1);
  });

  it('rejects a cursor it did not issue', async () => {
    const { adapter } = rig();
    const error = await adapter.listClients({ cursor: 'nonsense' }, ctx()).catch((e: unknown) => e);
    expect(ValidationError.is(error)).toBe(true);
  });

  it('Gen B: pages of 200 from clients/list/paged, sorted by email, one options call for the targets', async () => {
    const { sim, adapter } = rig({ version: '3.6.x' });
    sim.seedClients(1, 300);
    sim.seedClients(3, 150);
    await sim.addTraffic('seed3_7', 10, 20);
    await adapter.generation(ctx()); // the probe asks clients/list/paged once; count only the listing
    sim.resetRequestCounts();
    const { items, pages } = await listAll(adapter, 500);
    expect(pages).toBe(3);
    expect(items).toHaveLength(450);
    const names = items.map((c) => c.ref.username);
    expect(names).toEqual([...names].sort());
    expect(calls(sim, 'GET /panel/api/clients/list/paged')).toBe(3);
    expect(calls(sim, 'GET /panel/api/inbounds/options')).toBe(1);
    expect(items.find((c) => c.ref.username === 'seed3_7')).toMatchObject({
      usedBytes: 30,
      ref: { target: { remoteRef: '3', protocol: 'trojan' } },
    });
  });
});
