import { PanelConflictError, PanelNotFoundError, PanelRejectedError, deriveRemoteIdentity } from '@panelkit/sdk';
import { describe, expect, it } from 'vitest';
import { proxyUuid } from '../../src/simulators/marzneshin/index.js';
import { ctx, ORIGIN, SERVICE_TARGET, setup, spec, useMsw } from './setup.js';

useMsw();
const DAY = 86_400_000;

describe('marzneshin: expire_strategy', () => {
  it('maps every expiry to its strategy and back, dates in naive UTC', async () => {
    const { adapter, sim, clock } = setup();
    const at = new Date('2026-02-01T12:34:56Z');
    const [fixed, never, hold] = await adapter.createClients(
      SERVICE_TARGET,
      [
        spec('n-fixed', clock, { expiry: { type: 'at', at } }),
        spec('n-never', clock, { expiry: { type: 'never' } }),
        spec('n-hold', clock, { expiry: { type: 'after_first_use', durationMs: 3 * DAY } }),
      ],
      ctx(),
    );
    expect(fixed!.expiry).toEqual({ type: 'at', at });
    expect(never!.expiry).toEqual({ type: 'never' });
    expect(hold!.expiry).toEqual({ type: 'after_first_use', durationMs: 3 * DAY });
    expect(hold!.panelStatus).toBe('on_hold');
    expect(sim.user(fixed!.ref.username)).toMatchObject({ expireStrategy: 'fixed_date', expireDate: at.getTime() });
    expect(sim.user(hold!.ref.username)).toMatchObject({ expireStrategy: 'start_on_first_use', usageDuration: 3 * 86_400 });
  });

  it('start on first use becomes a fixed date when the panel sees the user online', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(
      SERVICE_TARGET,
      [spec('n-first', clock, { expiry: { type: 'after_first_use', durationMs: DAY } })],
      ctx(),
    );
    clock.advance(5_000);
    sim.setOnline(client!.ref.username);
    sim.enforce();
    expect((await adapter.getClient(client!.ref, ctx()))!.expiry).toEqual({ type: 'at', at: new Date(clock.now().getTime() + DAY) });
  });

  it('an update changes strategy and its fields together; PUT carries the username', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(SERVICE_TARGET, [spec('n-upd', clock)], ctx());
    const updated = await adapter.updateClient(
      client!.ref,
      { expiry: { type: 'after_first_use', durationMs: 2 * DAY }, trafficLimitBytes: null },
      ctx(),
    );
    expect(updated.expiry).toEqual({ type: 'after_first_use', durationMs: 2 * DAY });
    expect(updated.trafficLimitBytes).toBeNull();
    expect(sim.user(client!.ref.username)).toMatchObject({ expireDate: null, dataLimit: null });
  });

  it('the custom 422 body becomes field issues', async () => {
    const { adapter, clock } = setup();
    const bad = spec('n-422', clock, { trafficLimitBytes: -1 });
    const error = await adapter.createClients(SERVICE_TARGET, [bad], ctx()).catch((e: unknown) => e);
    expect(PanelRejectedError.is(error)).toBe(true);
    expect((error as PanelRejectedError).issues).toEqual([{ path: 'data_limit', message: 'Input should be greater than or equal to 0' }]);
  });
});

describe('marzneshin: enable and disable', () => {
  it('uses the separate routes, and a 409 for the same state is success', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(SERVICE_TARGET, [spec('n-toggle', clock)], ctx());
    expect((await adapter.updateClient(client!.ref, { enabled: false }, ctx())).enabled).toBe(false);
    expect((await adapter.updateClient(client!.ref, { enabled: false }, ctx())).enabled).toBe(false);
    expect(sim.requests.byRoute.get(`POST /api/users/${client!.ref.username}/disable`)).toBe(2);
    expect((await adapter.updateClient(client!.ref, { enabled: true }, ctx())).enabled).toBe(true);
    expect(sim.user(client!.ref.username)!.enabled).toBe(true);
  });

  it('a disabled spec is created, then disabled', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(SERVICE_TARGET, [spec('n-off', clock, { enabled: false })], ctx());
    expect(client!.enabled).toBe(false);
    expect(client!.panelStatus).toBe('disabled');
    expect(sim.user(client!.ref.username)!.enabled).toBe(false);
  });

  it('toggling a missing user is a PanelNotFoundError', async () => {
    const { adapter, clock } = setup();
    const ref = { target: SERVICE_TARGET, username: spec('n-missing', clock).identity.username };
    const error = await adapter.updateClient(ref, { enabled: false }, ctx()).catch((e: unknown) => e);
    expect(PanelNotFoundError.is(error)).toBe(true);
  });
});

describe('marzneshin: identity', () => {
  it('a 409 adopts the user whose key is ours, and refuses one whose key is not', async () => {
    const { adapter, sim, clock } = setup();
    const mine = spec('n-409', clock);
    await adapter.createClients(SERVICE_TARGET, [mine], ctx());
    const [again] = await adapter.createClients(SERVICE_TARGET, [mine], ctx());
    expect(again!.ref.username).toBe(mine.identity.username);
    expect(await sim.countClients(mine.identity.username)).toBe(1);

    const theirs = spec('n-theirs', clock);
    const collider = {
      ...theirs,
      identity: { ...deriveRemoteIdentity('x', 0, { secret: 'some-other-shop-secret' }), username: theirs.identity.username },
    };
    await adapter.createClients(SERVICE_TARGET, [collider], ctx());
    const error = await adapter.createClients(SERVICE_TARGET, [theirs], ctx()).catch((e: unknown) => e);
    expect(PanelConflictError.is(error)).toBe(true);
  });

  it('a soft delete frees the name but the removed row keeps its key: re-creating uses the next derived key', async () => {
    const { adapter, sim, clock } = setup();
    const s = spec('n-del', clock);
    const [client] = await adapter.createClients(SERVICE_TARGET, [s], ctx());
    const firstKey = sim.user(s.identity.username)!.key;
    await adapter.deleteClient(client!.ref, ctx());
    await adapter.deleteClient(client!.ref, ctx());
    expect(sim.removedCount).toBe(1);
    await adapter.createClients(SERVICE_TARGET, [s], ctx());
    const secondKey = sim.user(s.identity.username)!.key;
    expect(secondKey).not.toBe(firstKey);
    // A retried create (its answer lost) adopts the re-created user: the second key is ours too.
    await adapter.createClients(SERVICE_TARGET, [s], ctx());
    expect(await sim.countClients(s.identity.username)).toBe(1);
    expect(sim.user(s.identity.username)!.key).toBe(secondKey);
  });

  it('looks users up by the lower-case name Marzneshin stores', async () => {
    const { adapter, clock } = setup();
    const [client] = await adapter.createClients(SERVICE_TARGET, [spec('n-case', clock)], ctx());
    const found = await adapter.getClient({ ...client!.ref, username: client!.ref.username.toUpperCase() }, ctx());
    expect(found?.ref.username).toBe(client!.ref.username);
  });
});

describe('marzneshin: listing, targets and links', () => {
  it('pages with size ≤ 100 in the minimum number of calls, each user once', async () => {
    const { adapter, sim } = setup();
    sim.seedUsers(250);
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page = await adapter.listClients({ cursor, limit: 500 }, ctx());
      for (const item of page.items) seen.add(item.ref.username);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen.size).toBe(250);
    expect(sim.requests.byRoute.get('GET /api/users')).toBe(3);
  });

  it('targets are services', async () => {
    const { adapter } = setup();
    const targets = await adapter.listTargets(ctx());
    expect(targets.map((t) => [t.remoteRef, t.name, t.remoteMeta])).toEqual([
      ['1', 'Standard', { serviceId: 1 }],
      ['3', 'Premium-EU', { serviceId: 3 }],
    ]);
  });

  it('the subscription URL is {prefix}/sub/{username}/{key}, stable, and the share links come from it', async () => {
    const { adapter, clock } = setup({ subscriptionPrefix: 'https://sub.example.com' });
    const s = spec('n-links', clock);
    const [client] = await adapter.createClients(SERVICE_TARGET, [s], ctx());
    const first = await adapter.links(client!.ref, ctx());
    clock.advance(5_000);
    const second = await adapter.links(client!.ref, ctx());
    const key = s.identity.uuid.replaceAll('-', '');
    expect(first.subscriptionUrl).toBe(`https://sub.example.com/sub/${s.identity.username}/${key}`);
    expect(second).toEqual(first);
    // One link per inbound of the service (vless, vmess), with the uuid Marzneshin derives from the key (xxh128).
    expect(first.shareLinks).toHaveLength(2);
    expect(first.shareLinks[0]).toMatch(/^vless:\/\//);
    expect(first.shareLinks[1]).toMatch(/^vmess:\/\//);
    expect(first.shareLinks[0]).toContain(await proxyUuid(key));
    expect(first.shareLinks.join('\n')).not.toContain(key);
    expect((await fetch(`${ORIGIN}/sub/${s.identity.username}/${key}/links`)).status).toBe(200);
  });
});
