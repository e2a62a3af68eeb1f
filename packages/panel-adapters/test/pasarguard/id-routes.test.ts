import { describe, expect, it } from 'vitest';
import { ALL_GROUP, ctx, raw, setup, spec, useMsw } from './setup.js';

useMsw();

/** The routes the simulator answered, without the query. */
function routes(sim: { requests: { byRoute: Map<string, number> } }): string[] {
  return [...sim.requests.byRoute.keys()];
}

describe('pasarguard: the id routes (the username routes are gone in v6)', () => {
  it('the simulator answers by id as by username; an unknown id is "User not found"', async () => {
    const { adapter, clock } = setup();
    const [client] = await adapter.createClients(ALL_GROUP, [spec('pg-id-sim', clock)], ctx());
    const id = client!.ref.remoteClientId!;
    expect(((await (await raw(`/api/user/by-id/${id}`)).json()) as { username: string }).username).toBe(client!.ref.username);
    expect(await (await raw('/api/user/by-id/9999')).json()).toEqual({ detail: 'User not found' });
  });

  it('reads, updates, resets and deletes by id on a panel without the username routes (v6)', async () => {
    const { adapter, sim, clock } = setup({ usernameRoutes: false });
    const [client] = await adapter.createClients(ALL_GROUP, [spec('pg-id-v6', clock, { enabled: false })], ctx());
    const ref = client!.ref;
    expect(sim.user(ref.username)!.status).toBe('disabled');
    await adapter.updateClient(ref, { enabled: true, trafficLimitBytes: 2 ** 30 }, ctx());
    await sim.addTraffic(ref.username, 5, 5);
    await adapter.resetUsage(ref, ctx());
    expect(await adapter.getClient(ref, ctx())).toMatchObject({ enabled: true, usedBytes: 0, trafficLimitBytes: 2 ** 30 });
    expect((await adapter.links(ref, ctx())).shareLinks.length).toBeGreaterThan(0);
    await adapter.deleteClient(ref, ctx());
    expect(await adapter.getClient(ref, ctx())).toBeNull();
    await adapter.deleteClient(ref, ctx());
    expect(routes(sim).filter((route) => /^\w+ \/api\/user\/(?!by-id)[^/]+(\/reset)?$/.test(route))).toEqual([]);
  });

  it('a ref without the panel id is found by name once, then addressed by id', async () => {
    const { adapter, sim, clock } = setup({ usernameRoutes: false });
    const [client] = await adapter.createClients(ALL_GROUP, [spec('pg-id-lookup', clock)], ctx());
    const ref = { target: client!.ref.target, username: client!.ref.username };
    await adapter.updateClient(ref, { deviceLimit: 4 }, ctx());
    expect(sim.user(ref.username)!.hwidLimit).toBe(4);
    expect(sim.requests.byRoute.get('GET /api/users')).toBe(1);
  });

  it('an id given to another user since (a deleted id reused) is not that user: the name decides', async () => {
    const { adapter, sim, clock } = setup({ usernameRoutes: false });
    const [first] = await adapter.createClients(ALL_GROUP, [spec('pg-id-a', clock)], ctx());
    const [second] = await adapter.createClients(ALL_GROUP, [spec('pg-id-b', clock)], ctx());
    const stale = { ...first!.ref, remoteClientId: second!.ref.remoteClientId };
    await adapter.updateClient(stale, { deviceLimit: 7 }, ctx());
    expect(sim.user(first!.ref.username)!.hwidLimit).toBe(7);
    expect(sim.user(second!.ref.username)!.hwidLimit).not.toBe(7);
    await adapter.deleteClient(stale, ctx());
    expect(sim.user(first!.ref.username)).toBeUndefined();
    expect(sim.user(second!.ref.username)).toBeDefined();
  });

  it('a panel without the id routes (before v3.1) is probed once and then spoken to by username', async () => {
    const { adapter, sim, clock } = setup({ idRoutes: false });
    const [client] = await adapter.createClients(ALL_GROUP, [spec('pg-id-old', clock)], ctx());
    const ref = client!.ref;
    await adapter.updateClient(ref, { trafficLimitBytes: 2 ** 30 }, ctx());
    await adapter.resetUsage(ref, ctx());
    await adapter.updateClient(ref, { deviceLimit: 2 }, ctx());
    expect(sim.user(ref.username)).toMatchObject({ dataLimit: 2 ** 30, hwidLimit: 2 });
    await adapter.deleteClient(ref, ctx());
    expect(sim.user(ref.username)).toBeUndefined();
    const byId = routes(sim).filter((route) => route.includes('/by-id/'));
    expect(byId.map((route) => sim.requests.byRoute.get(route))).toEqual([1]);
  });
});
