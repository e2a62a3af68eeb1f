import { PanelAuthError, PanelConflictError, PanelRejectedError, deriveRemoteIdentity } from '@panelkit/sdk';
import { describe, expect, it } from 'vitest';
import { fieldIssues } from '../../src/marzban-family/error-detail.js';
import { ctx, setup, spec, useMsw, VLESS_TARGET, ORIGIN } from './setup.js';

useMsw();

describe('marzban: the 422 body', () => {
  it("reads the custom {detail:{field:msg}} form, without pydantic v2's 'Value error, ' prefix", async () => {
    const { adapter, clock } = setup();
    const bad = { ...VLESS_TARGET, remoteMeta: { inbounds: { vless: ['No Such Inbound'] } } };
    const error = await adapter.createClients(bad, [spec('s-422', clock)], ctx()).catch((e: unknown) => e);
    expect(PanelRejectedError.is(error)).toBe(true);
    expect((error as PanelRejectedError).issues).toEqual([{ path: 'inbounds', message: "Inbound No Such Inbound doesn't exist" }]);
    expect((error as PanelRejectedError).retryable).toBe(false);
  });

  it('reads the array form the OpenAPI declares, and plain text details', () => {
    expect(
      fieldIssues({ detail: [{ loc: ['body', 'proxies', 'vless', 'flow'], msg: 'Value error, bad flow', type: 'value_error' }] }),
    ).toEqual([{ path: 'proxies.vless.flow', message: 'bad flow' }]);
    expect(fieldIssues({ detail: { '12': 'JSON decode error' } })).toEqual([{ path: '12', message: 'JSON decode error' }]);
    expect(fieldIssues({ detail: 'Protocol ProxyTypes.VMess is disabled on your server' })).toEqual([
      { path: '', message: 'Protocol ProxyTypes.VMess is disabled on your server' },
    ]);
  });
});

describe('marzban: creating', () => {
  it('always sends proxies and explicit inbounds: on 0.8 omitting either breaks the user', async () => {
    const { adapter, sim, clock } = setup({ version: '0.8.4' });
    const [client] = await adapter.createClients(VLESS_TARGET, [spec('s-proxies', clock)], ctx());
    const user = sim.user(client!.ref.username)!;
    expect(user.broken).toBe(false);
    expect(user.inbounds).toEqual({ vless: ['VLESS TCP REALITY'] });
    expect(user.proxies.vless?.id).toBe(deriveRemoteIdentity('s-proxies', 0, { secret: 'marzban-test-identity-secret' }).uuid);
  });

  it('a 409 adopts the existing user when its credentials are ours', async () => {
    const { adapter, sim, clock } = setup();
    const s = spec('s-409', clock);
    await adapter.createClients(VLESS_TARGET, [s], ctx());
    const before = sim.requests.byRoute.get('POST /api/user');
    const [again] = await adapter.createClients(VLESS_TARGET, [s], ctx());
    expect(again!.ref.username).toBe(s.identity.username);
    expect(sim.requests.byRoute.get('POST /api/user')).toBe((before ?? 0) + 1);
    expect(await sim.countClients(s.identity.username)).toBe(1);
  });

  it('a 409 on a user with other credentials is a PanelConflictError, and nothing changes', async () => {
    const { adapter, sim, clock } = setup();
    const mine = spec('s-conflict', clock);
    const theirs = {
      ...mine,
      identity: { ...deriveRemoteIdentity('someone-else', 0, { secret: 'another-shop-secret-value' }), username: mine.identity.username },
    };
    await adapter.createClients(VLESS_TARGET, [theirs], ctx());
    const error = await adapter.createClients(VLESS_TARGET, [mine], ctx()).catch((e: unknown) => e);
    expect(PanelConflictError.is(error)).toBe(true);
    expect(sim.user(mine.identity.username)!.proxies.vless?.id).toBe(theirs.identity.uuid);
  });

  it('a 500 after the row was committed is resolved by reading back (no retry needed)', async () => {
    const { adapter, sim, clock } = setup();
    sim.quirks.createCommitThen500 = true;
    const s = spec('s-500', clock);
    const [client] = await adapter.createClients(VLESS_TARGET, [s], ctx());
    expect(client!.ref.username).toBe(s.identity.username);
    expect(await sim.countClients(s.identity.username)).toBe(1);
  });

  it('a 500 with nothing committed stays a retryable server error', async () => {
    const { adapter, sim, clock } = setup();
    sim.injectFault({ kind: 'status', status: 500, on: 'write' });
    const error = await adapter.createClients(VLESS_TARGET, [spec('s-500b', clock)], ctx()).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('PANEL_SERVER');
    expect((error as { retryable?: boolean }).retryable).toBe(true);
  });

  it('start-on-first-use is on_hold with on_hold_expire_duration; the panel starts the period at first use', async () => {
    const { adapter, sim, clock } = setup();
    const s = spec('s-hold', clock, { expiry: { type: 'after_first_use', durationMs: 7 * 86_400_000 } });
    const [client] = await adapter.createClients(VLESS_TARGET, [s], ctx());
    expect(client!.expiry).toEqual({ type: 'after_first_use', durationMs: 7 * 86_400_000 });
    expect(sim.user(s.identity.username)).toMatchObject({ status: 'on_hold', onHoldExpireDuration: 604_800, expire: null });
    clock.advance(60_000);
    await sim.addTraffic(s.identity.username, 10, 10);
    sim.enforce();
    const after = await adapter.getClient(client!.ref, ctx());
    expect(after!.expiry).toEqual({ type: 'at', at: new Date(clock.now().getTime() + 7 * 86_400_000) });
    expect(after!.panelStatus).toBe('active');
  });

  it('a disabled spec is created and then disabled (create only takes active or on_hold)', async () => {
    const { adapter, sim, clock } = setup();
    const s = spec('s-off', clock, { enabled: false });
    const [client] = await adapter.createClients(VLESS_TARGET, [s], ctx());
    expect(client!.enabled).toBe(false);
    expect(sim.user(s.identity.username)!.status).toBe('disabled');
  });
});

describe('marzban: changing', () => {
  it('a PUT resends next_plan, which Marzban deletes when a PUT omits it', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(VLESS_TARGET, [spec('s-next', clock)], ctx());
    const plan = { data_limit: 5, expire: 1_900_000_000, add_remaining_traffic: false, fire_on_either: true };
    sim.user(client!.ref.username)!.nextPlan = plan;
    await adapter.updateClient(client!.ref, { trafficLimitBytes: 20 * 2 ** 30 }, ctx());
    expect(sim.user(client!.ref.username)!.nextPlan).toEqual(plan);
    expect(sim.user(client!.ref.username)!.dataLimit).toBe(20 * 2 ** 30);
  });

  it('reset keeps a disabled user disabled (POST …/reset re-activates it, issue #1672)', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(VLESS_TARGET, [spec('s-reset', clock)], ctx());
    await sim.addTraffic(client!.ref.username, 100, 100);
    await adapter.updateClient(client!.ref, { enabled: false }, ctx());
    await adapter.resetUsage(client!.ref, ctx());
    expect(sim.user(client!.ref.username)).toMatchObject({ status: 'disabled', usedTraffic: 0 });
  });

  it('reset keeps the next_plan the panel deletes, and the disabled status it re-activates, in one restoring PUT', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(VLESS_TARGET, [spec('s-reset-plan', clock)], ctx());
    const plan = { data_limit: 5 * 2 ** 30, expire: 1_900_000_000, add_remaining_traffic: false, fire_on_either: true };
    sim.user(client!.ref.username)!.nextPlan = plan;
    await adapter.updateClient(client!.ref, { enabled: false }, ctx());
    await sim.addTraffic(client!.ref.username, 100, 100);
    const puts = sim.requests.byRoute.get(`PUT /api/user/${client!.ref.username}`) ?? 0;
    await adapter.resetUsage(client!.ref, ctx());
    expect(sim.user(client!.ref.username)).toMatchObject({ status: 'disabled', usedTraffic: 0, nextPlan: plan });
    expect(sim.requests.byRoute.get(`PUT /api/user/${client!.ref.username}`)).toBe(puts + 1);
    await adapter.updateClient(client!.ref, { enabled: true }, ctx());
    await adapter.resetUsage(client!.ref, ctx());
    expect(sim.user(client!.ref.username)).toMatchObject({ status: 'active', nextPlan: plan });
  });

  it('reset keeps an on-hold user on hold with its duration', async () => {
    const { adapter, sim, clock } = setup();
    const s = spec('s-reset-hold', clock, { expiry: { type: 'after_first_use', durationMs: 86_400_000 } });
    const [client] = await adapter.createClients(VLESS_TARGET, [s], ctx());
    await adapter.resetUsage(client!.ref, ctx());
    expect(sim.user(s.identity.username)).toMatchObject({ status: 'on_hold', onHoldExpireDuration: 86_400, expire: null });
  });

  it('re-enabling a disabled start-on-first-use user puts it back on hold, not active forever', async () => {
    const { adapter, sim, clock } = setup();
    const s = spec('s-hold-off', clock, { expiry: { type: 'after_first_use', durationMs: 86_400_000 }, enabled: false });
    const [client] = await adapter.createClients(VLESS_TARGET, [s], ctx());
    expect(client!.expiry.type).toBe('after_first_use');
    const enabled = await adapter.updateClient(client!.ref, { enabled: true }, ctx());
    expect(enabled.panelStatus).toBe('on_hold');
    expect(sim.user(s.identity.username)!.onHoldExpireDuration).toBe(86_400);
  });

  it('extending an expired user makes it active again (the panel recomputes status from expire)', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(VLESS_TARGET, [spec('s-expired', clock)], ctx());
    clock.advance(31 * 86_400_000);
    sim.enforce();
    expect(sim.user(client!.ref.username)!.status).toBe('expired');
    const extended = await adapter.updateClient(
      client!.ref,
      { expiry: { type: 'at', at: new Date(clock.now().getTime() + 86_400_000) } },
      ctx(),
    );
    expect(extended.panelStatus).toBe('active');
  });
});

describe('marzban: deleting', () => {
  it('a 500 after the delete was committed (user without an admin row) is success after reading back', async () => {
    const { adapter, sim, clock } = setup({ envSudoer: true });
    const [client] = await adapter.createClients(VLESS_TARGET, [spec('s-del', clock)], ctx());
    await adapter.deleteClient(client!.ref, ctx());
    expect(await sim.countClients(client!.ref.username)).toBe(0);
    expect(sim.requests.byRoute.get(`GET /api/user/${client!.ref.username}`)).toBe(1);
  });
});

describe('marzban: logins (each one is reported to the owner)', () => {
  it('a wrong password fails fast and stays failed: the panel is asked once', async () => {
    const { adapter, sim } = setup({}, { auth: { username: 'owner', password: 'wrong-password' } });
    for (let i = 0; i < 3; i++) {
      const error = await adapter.listTargets(ctx()).catch((e: unknown) => e);
      expect(PanelAuthError.is(error)).toBe(true);
      expect(JSON.stringify(error)).not.toContain('wrong-password');
    }
    expect(sim.telegramReports()).toBe(1);
    expect(sim.loginCount()).toBe(0);
  });

  it('after the cool-down it tries once more', async () => {
    const { adapter, sim, clock } = setup(
      {},
      { auth: { username: 'owner', password: 'wrong-password' }, login: { authFailureCooldownMs: 60_000 } },
    );
    await adapter.listTargets(ctx()).catch(() => undefined);
    clock.advance(61_000);
    await adapter.listTargets(ctx()).catch(() => undefined);
    expect(sim.telegramReports()).toBe(2);
  });

  it('a panel that keeps invalidating tokens gets at most the login budget per window', async () => {
    const { adapter, sim } = setup({}, { login: { maxLoginsPerWindow: 3, loginWindowMs: 600_000 } });
    for (let i = 0; i < 6; i++) {
      sim.expireSession();
      await adapter.listTargets(ctx()).catch(() => undefined);
    }
    expect(sim.loginCount()).toBe(3);
  });

  it('the token is cached across operations', async () => {
    const { adapter, sim, clock } = setup();
    await adapter.createClients(VLESS_TARGET, [spec('s-tok1', clock), spec('s-tok2', clock)], ctx());
    await adapter.listClients({}, ctx());
    await adapter.listTargets(ctx());
    expect(sim.loginCount()).toBe(1);
  });
});

describe('marzban: listing and links', () => {
  it('walks every user with offset/limit, sorted by created_at then username, in the minimum number of calls', async () => {
    const { adapter, sim } = setup();
    sim.seedUsers(2_345);
    const seen = new Set<string>();
    let cursor: string | null = null;
    let calls = 0;
    do {
      const page = await adapter.listClients({ cursor, limit: 500 }, ctx());
      calls++;
      for (const item of page.items) seen.add(item.ref.username);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen.size).toBe(2_345);
    expect(calls).toBe(5);
    expect(sim.requests.byRoute.get('GET /api/users')).toBe(5);
  });

  it('resolves the relative subscription URL; a new token each second, every one valid', async () => {
    const { adapter, clock } = setup({}, { subscriptionBaseUrl: 'https://sub.example.com' });
    const [client] = await adapter.createClients(VLESS_TARGET, [spec('s-sub', clock)], ctx());
    const first = await adapter.links(client!.ref, ctx());
    clock.advance(2_000);
    const second = await adapter.links(client!.ref, ctx());
    expect(first.subscriptionUrl).toMatch(/^https:\/\/sub\.example\.com\/sub\/[A-Za-z0-9_-]+$/);
    expect(second.subscriptionUrl).not.toBe(first.subscriptionUrl);
    for (const url of [first.subscriptionUrl!, second.subscriptionUrl!]) {
      const response = await fetch(url.replace('https://sub.example.com', ORIGIN));
      expect(response.status).toBe(200);
    }
    expect(first.shareLinks).toHaveLength(1);
    expect(first.shareLinks[0]).toMatch(/^vless:\/\//);
  });

  it('listTargets gives one target per inbound and one for all of them', async () => {
    const { adapter } = setup();
    const targets = await adapter.listTargets(ctx());
    expect(targets.map((t) => t.remoteRef)).toContain('VLESS TCP REALITY');
    const all = targets.find((t) => t.name === 'All inbounds')!;
    expect(all.protocol).toBe('mixed');
    expect(all.remoteMeta).toEqual({
      inbounds: {
        vmess: ['VMess WS'],
        vless: ['VLESS TCP REALITY', 'VLESS GRPC REALITY'],
        trojan: ['Trojan TCP'],
        shadowsocks: ['Shadowsocks TCP'],
      },
    });
  });
});

describe('marzban 0.7', () => {
  it('works the same against 0.7 (no next_plan, unprefixed messages)', async () => {
    const { adapter, sim, clock } = setup({ version: '0.7.0' });
    const [client] = await adapter.createClients(VLESS_TARGET, [spec('s-07', clock)], ctx());
    await adapter.updateClient(client!.ref, { expiry: { type: 'never' } }, ctx());
    expect(sim.user(client!.ref.username)!.expire).toBeNull();
    const page = await adapter.listClients({}, ctx());
    expect(page.items.map((i) => i.ref.username)).toEqual([client!.ref.username]);
    expect((await adapter.health(ctx())).version).toBe('0.7.0');
  });
});

describe('marzban: read-modify-write per user', () => {
  it('an enable running alongside a reset of a disabled user is not undone by the reset restoring "disabled"', async () => {
    const { adapter, sim, clock } = setup();
    sim.latencyMs = 2;
    const [client] = await adapter.createClients(VLESS_TARGET, [spec('s-race', clock, { enabled: false })], ctx());
    await Promise.all([adapter.resetUsage(client!.ref, ctx()), adapter.updateClient(client!.ref, { enabled: true }, ctx())]);
    expect(sim.user(client!.ref.username)!.status).toBe('active');
  });
});

describe('marzban: token lifetime', () => {
  it('renews the token shortly before its exp claim instead of spending a request on the 401', async () => {
    const { adapter, sim, clock } = setup({ tokenLifetimeMs: 3_600_000 });
    await adapter.listTargets(ctx());
    clock.advance(3_600_000 - 10_000);
    await adapter.listTargets(ctx());
    expect(sim.loginCount()).toBe(2);
    expect(sim.requests.byRoute.get('GET /api/inbounds')).toBe(2);
  });
});

describe('marzban: reset whose answer was lost', () => {
  it("the engine's next attempt (same key) still restores the status the user had before the first attempt", async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(VLESS_TARGET, [spec('s-reset-lost', clock, { enabled: false })], ctx());
    await sim.addTraffic(client!.ref.username, 5, 5);
    sim.injectFault({ kind: 'lost_response', on: 'write' });
    const first = ctx();
    const error = await adapter.resetUsage(client!.ref, first).catch((e: unknown) => e);
    expect((error as { retryable?: boolean }).retryable).toBe(true);
    await adapter.resetUsage(client!.ref, { ...first, attempt: 2 });
    expect(sim.user(client!.ref.username)).toMatchObject({ status: 'disabled', usedTraffic: 0 });
  });
});
