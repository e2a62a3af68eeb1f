/** What the simulated PasarGuard answers on the wire, as the panel's source says it does. */
import { describe, expect, it } from 'vitest';
import { ALL_GROUP, ctx, raw, setup, spec, useMsw } from './setup.js';

useMsw();

const body = (over: Record<string, unknown> = {}) => ({ username: 'wire_user', group_ids: [1], status: 'active', ...over });

describe('simulated pasarguard: the wire', () => {
  it('create is 201, a duplicate 409 "User already exists", delete 204 then 404 "User not found"', async () => {
    setup();
    const created = await raw('/api/user', { method: 'POST', json: body() });
    expect(created.status).toBe(201);
    const user = (await created.json()) as Record<string, unknown>;
    expect(user).toMatchObject({ username: 'wire_user', status: 'active', group_ids: [1], expire: null, data_limit: null });
    expect(Object.keys(user.proxy_settings as object)).toEqual(['vmess', 'vless', 'trojan', 'shadowsocks', 'wireguard', 'hysteria']);
    expect(user.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    const again = await raw('/api/user', { method: 'POST', json: body() });
    expect([again.status, await again.json()]).toEqual([409, { detail: 'User already exists' }]);
    expect((await raw('/api/user/wire_user', { method: 'DELETE' })).status).toBe(204);
    const gone = await raw('/api/user/wire_user', { method: 'DELETE' });
    expect([gone.status, await gone.json()]).toEqual([404, { detail: 'User not found' }]);
  });

  it('validation answers 422 with {detail: {field: message}} in pydantic v2 words', async () => {
    setup();
    const cases: [Record<string, unknown>, Record<string, string>][] = [
      [{ username: 'a' }, { username: 'Value error, Username only can be 3 to 128 characters.' }],
      [{ username: 'a__b' }, { username: 'Value error, Username cannot have consecutive special characters' }],
      [{ group_ids: [] }, { group_ids: 'Value error, you must select at least one group' }],
      [{ status: 'on_hold' }, { status: 'Value error, User cannot be on hold without a valid on_hold_expire_duration.' }],
      [
        { status: 'on_hold', on_hold_expire_duration: 60, expire: '2030-01-01T00:00:00Z' },
        { status: 'Value error, User cannot be on hold with specified expire.' },
      ],
      [{ data_limit: -1 }, { data_limit: 'Input should be greater than or equal to 0' }],
      [{ note: 'x'.repeat(501) }, { note: 'String should have at most 500 characters' }],
    ];
    for (const [over, detail] of cases) {
      const response = await raw('/api/user', { method: 'POST', json: body(over) });
      expect([response.status, await response.json()]).toEqual([422, { detail }]);
    }
    const disabled = await raw('/api/user', { method: 'POST', json: body({ status: 'disabled' }) });
    expect(((await disabled.json()) as { detail: { status: string } }).detail.status).toMatch(/^Value error, \('status must be in'/);
    const missingGroup = await raw('/api/user', { method: 'POST', json: body({ group_ids: [7] }) });
    expect([missingGroup.status, await missingGroup.json()]).toEqual([404, { detail: 'Group not found' }]);
  });

  it('lists with an empty subscription_url unless load_sub=true; limit=0 is no limit; a bad sort is 400', async () => {
    const { adapter, clock } = setup();
    for (let i = 0; i < 3; i++) await adapter.createClients(ALL_GROUP, [spec(`pg-wire-${i}`, clock)], ctx());
    const plain = (await (await raw('/api/users?offset=0&limit=0')).json()) as { users: Record<string, unknown>[]; total: number };
    expect(plain.total).toBe(3);
    expect(plain.users).toHaveLength(3);
    expect(plain.users[0]!.subscription_url).toBe('');
    const loaded = (await (await raw('/api/users?limit=1&load_sub=true')).json()) as { users: Record<string, unknown>[] };
    expect(loaded.users[0]!.subscription_url).toMatch(/^\/sub\//);
    const bad = await raw('/api/users?sort=nope');
    expect([bad.status, await bad.json()]).toEqual([400, { detail: "Value error, 'nope' is not a valid UserSortOption" }]);
  });

  it('serves the subscription with its headers, older tokens still valid, a revoked one 404', async () => {
    const { adapter, clock } = setup();
    const [client] = await adapter.createClients(ALL_GROUP, [spec('pg-sub', clock, { trafficLimitBytes: 1_000 })], ctx());
    const first = (await adapter.links(client!.ref, ctx())).subscriptionUrl!;
    clock.advance(5_000);
    const sub = await fetch(first, { headers: { 'user-agent': 'v2rayNG/1.8' } });
    expect(sub.status).toBe(200);
    expect(sub.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(sub.headers.get('content-disposition')).toBe(`attachment; filename="${client!.ref.username}"`);
    expect(sub.headers.get('subscription-userinfo')).toMatch(/^upload=0; download=0; total=1000; expire=\d+$/);
    expect(sub.headers.get('profile-update-interval')).toBe('12');
    expect(sub.headers.get('profile-title')).toMatch(/^base64:/);
    expect(sub.headers.get('support-url')).toBe('https://t.me/');
    expect(sub.headers.get('announce')).toBe('base64:');
    expect(
      Buffer.from(await sub.text(), 'base64')
        .toString()
        .split('\n')[0],
    ).toMatch(/^vless:\/\//);
    const info = (await (await fetch(`${first}/info`)).json()) as Record<string, unknown>;
    expect(info.username).toBe(client!.ref.username);
    expect('admin' in info || 'note' in info || 'subscription_url' in info).toBe(false);
    await raw(`/api/user/${client!.ref.username}/revoke_sub`, { method: 'POST' });
    expect((await fetch(first)).status).toBe(404);
  });
});
