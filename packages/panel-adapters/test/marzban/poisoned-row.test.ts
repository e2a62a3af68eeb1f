/**
 * A real Marzban answers 500 for every `GET /api/users` page that holds a user without proxies
 * (docs/marzban.md, §9.8 of the contract notes): the adapter reads such a page again in halves down
 * to single rows, skips the poisoned one and reports where it is, so the rest keep syncing.
 */
import { PanelServerError } from '@panelkit/sdk';
import { describe, expect, it } from 'vitest';
import { ctx, setup, spec, useMsw, VLESS_TARGET } from './setup.js';

useMsw();

async function seed(count: number) {
  const env = setup();
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const [client] = await env.adapter.createClients(VLESS_TARGET, [spec(`poison-${i}`, env.clock)], ctx());
    names.push(client!.ref.username);
    env.clock.advance(1_000);
  }
  return { ...env, names };
}

describe('marzban: a user the panel cannot return', () => {
  it('is skipped and reported; every other user on its page is listed', async () => {
    const { adapter, sim, names } = await seed(7);
    sim.user(names[3]!)!.broken = true;
    const page = await adapter.listClients({ limit: 10 }, ctx());
    expect(page.items.map((c) => c.ref.username)).toEqual(names.filter((_, i) => i !== 3));
    expect(page.nextCursor).toBeNull();
    expect(page.unreadable).toEqual([
      { username: null, position: 3, after: names[2], before: names[4], message: expect.stringContaining('500') },
    ]);
  });

  it('pages after the poisoned one carry on from the right offset', async () => {
    const { adapter, sim, names } = await seed(6);
    sim.user(names[1]!)!.broken = true;
    sim.user(names[2]!)!.broken = true;
    const first = await adapter.listClients({ limit: 4 }, ctx());
    expect(first.items.map((c) => c.ref.username)).toEqual([names[0], names[3]]);
    expect(first.unreadable?.map((u) => [u.position, u.after, u.before])).toEqual([
      [1, names[0], names[3]],
      [2, names[0], names[3]],
    ]);
    const second = await adapter.listClients({ cursor: first.nextCursor, limit: 4 }, ctx());
    expect(second.items.map((c) => c.ref.username)).toEqual([names[4], names[5]]);
    expect(second.nextCursor).toBeNull();
    expect(second.unreadable).toBeUndefined();
  });

  it('costs a bounded number of page reads: about two per halving, down to the row', async () => {
    const { adapter, sim, names } = await seed(40);
    sim.user(names[17]!)!.broken = true;
    sim.resetRequestCounts();
    const page = await adapter.listClients({ limit: 500 }, ctx());
    expect(page.items).toHaveLength(39);
    expect(page.unreadable?.map((u) => u.position)).toEqual([17]);
    // 500 → 250 → … → 1: nine halvings, the failing half read again each time, plus the first read.
    expect(sim.requests.byRoute.get('GET /api/users')).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(500)) + 1);
  });

  it('a panel failing every page is a PanelServerError after a bounded number of requests, not a skipped listing', async () => {
    const { adapter, sim } = await seed(3);
    sim.resetRequestCounts();
    for (let i = 0; i < 50; i++) sim.injectFault({ kind: 'status', status: 500, on: 'read' });
    const error = await adapter.listClients({ limit: 500 }, ctx()).catch((e: unknown) => e);
    expect(PanelServerError.is(error)).toBe(true);
    expect(sim.requests.byRoute.get('GET /api/users')).toBeLessThanOrEqual(12);
  });
});
