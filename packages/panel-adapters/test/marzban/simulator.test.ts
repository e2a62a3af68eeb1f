import { ManualClock } from '@panelkit/sdk/testing';
import { describe, expect, it } from 'vitest';
import { createMarzbanSimulator, type MarzbanSimulator } from '../../src/simulators/marzban/index.js';

const BASE = 'http://sim.test';

async function login(sim: MarzbanSimulator, password = 'pw'): Promise<Response> {
  return sim.handle(
    new Request(`${BASE}/api/admin/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'admin', password }),
    }),
  );
}

async function client(sim: MarzbanSimulator) {
  const { access_token: token } = (await (await login(sim)).json()) as { access_token: string };
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await sim.handle(
      new Request(`${BASE}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json: json as Record<string, unknown>, text };
  };
  return call;
}

const user = (username: string, extra: Record<string, unknown> = {}) => ({
  username,
  proxies: { vless: {} },
  inbounds: { vless: [] },
  ...extra,
});

describe('marzban simulator: the wire', () => {
  it('login: 401 with the real detail and WWW-Authenticate; every attempt is reported', async () => {
    const sim = createMarzbanSimulator({ adminPassword: 'pw' });
    const bad = await login(sim, 'nope');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer');
    expect(await bad.json()).toEqual({ detail: 'Incorrect username or password' });
    expect((await login(sim)).status).toBe(200);
    expect(sim.loginCount()).toBe(1);
    expect(sim.telegramReports()).toBe(2);
  });

  it('tokens: missing → Not authenticated, invalidated or expired → Could not validate credentials', async () => {
    const clock = new ManualClock();
    const sim = createMarzbanSimulator({ adminPassword: 'pw', clock, tokenLifetimeMs: 60_000 });
    expect(await (await sim.handle(new Request(`${BASE}/api/admin`))).json()).toEqual({ detail: 'Not authenticated' });
    const call = await client(sim);
    expect((await call('GET', '/api/admin')).status).toBe(200);
    clock.advance(61_000);
    expect(await call('GET', '/api/admin')).toMatchObject({ status: 401, json: { detail: 'Could not validate credentials' } });
  });

  it('create: 422 in the custom dict form, 409 on an exact duplicate, on_hold rules', async () => {
    const sim = createMarzbanSimulator({ adminPassword: 'pw' });
    const call = await client(sim);
    expect(await call('POST', '/api/user', user('ab.cd'))).toMatchObject({
      status: 422,
      json: {
        detail: { username: 'Value error, Username only can be 3 to 32 characters and contain a-z, 0-9, and underscores in between.' },
      },
    });
    expect(await call('POST', '/api/user', user('held', { status: 'on_hold' }))).toMatchObject({
      status: 422,
      json: { detail: { status: 'Value error, User cannot be on hold without a valid on_hold_expire_duration.' } },
    });
    expect(await call('POST', '/api/user', user('frac', { expire: 1.5 }))).toMatchObject({
      status: 422,
      json: { detail: { expire: 'Input should be a valid integer, got a number with a fractional part' } },
    });
    expect((await call('POST', '/api/user', user('Alice'))).status).toBe(200);
    expect(await call('POST', '/api/user', user('Alice'))).toMatchObject({ status: 409, json: { detail: 'User already exists' } });
  });

  it('0.8: omitting proxies commits a broken row (500, and 500 on every read of it); 0.7 answers 422', async () => {
    const v8 = createMarzbanSimulator({ adminPassword: 'pw' });
    const call8 = await client(v8);
    expect(await call8('POST', '/api/user', { username: 'noproxy' })).toMatchObject({ status: 500, text: 'Internal Server Error' });
    expect(await v8.countClients('noproxy')).toBe(1);
    expect((await call8('GET', '/api/user/noproxy')).status).toBe(500);
    expect((await call8('GET', '/api/users')).status).toBe(500);

    const v7 = createMarzbanSimulator({ adminPassword: 'pw', version: '0.7.0' });
    const call7 = await client(v7);
    expect(await call7('POST', '/api/user', { username: 'noproxy' })).toMatchObject({
      status: 422,
      json: { detail: { proxies: 'Each user needs at least one proxy' } },
    });
  });

  it('0.8: omitting inbounds leaves the user on no inbound; 0.7 puts it on all of them', async () => {
    const v8 = createMarzbanSimulator({ adminPassword: 'pw' });
    await (await client(v8))('POST', '/api/user', { username: 'noinb', proxies: { vless: {} } });
    expect(v8.user('noinb')!.inbounds).toEqual({ vless: [] });
    const v7 = createMarzbanSimulator({ adminPassword: 'pw', version: '0.7.0' });
    await (await client(v7))('POST', '/api/user', { username: 'noinb', proxies: { vless: {} } });
    expect(v7.user('noinb')!.inbounds).toEqual({ vless: ['VLESS TCP REALITY', 'VLESS GRPC REALITY'] });
  });

  it('enforce(): limited, expired, and on-hold activation at first use', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const sim = createMarzbanSimulator({ adminPassword: 'pw', clock });
    const call = await client(sim);
    const now = Math.floor(clock.now().getTime() / 1000);
    await call('POST', '/api/user', user('limited', { data_limit: 100 }));
    await call('POST', '/api/user', user('expiring', { expire: now + 60 }));
    await call('POST', '/api/user', user('holding', { status: 'on_hold', on_hold_expire_duration: 3600 }));
    await sim.addTraffic('limited', 60, 60);
    clock.advance(120_000);
    sim.setOnline('holding');
    sim.enforce();
    expect(sim.user('limited')!.status).toBe('limited');
    expect(sim.user('expiring')!.status).toBe('expired');
    expect(sim.user('holding')).toMatchObject({
      status: 'active',
      expire: Math.floor(clock.now().getTime() / 1000) + 3600,
      onHoldExpireDuration: null,
    });
  });

  it('reset re-activates a disabled user (issue #1672) unless the quirk is off', async () => {
    const sim = createMarzbanSimulator({ adminPassword: 'pw' });
    const call = await client(sim);
    await call('POST', '/api/user', user('resetme'));
    await call('PUT', '/api/user/resetme', { status: 'disabled' });
    expect((await call('POST', '/api/user/resetme/reset')).json.status).toBe('active');
    sim.quirks.resetReactivates = false;
    await call('PUT', '/api/user/resetme', { status: 'disabled' });
    expect((await call('POST', '/api/user/resetme/reset')).json.status).toBe('disabled');
  });

  it('users list: total before paging, bad sort → 400, multi-key sort', async () => {
    const sim = createMarzbanSimulator({ adminPassword: 'pw' });
    sim.seedUsers(30);
    const call = await client(sim);
    const page = await call('GET', '/api/users?offset=10&limit=5&sort=-created_at,username');
    expect(page.json.total).toBe(30);
    expect((page.json.users as { username: string }[]).map((u) => u.username)).toEqual([
      'seed_19',
      'seed_18',
      'seed_17',
      'seed_16',
      'seed_15',
    ]);
    expect(await call('GET', '/api/users?sort=name')).toMatchObject({ status: 400, json: { detail: '"name" is not a valid sort option' } });
  });

  it('seeds 20 000 users', () => {
    const sim = createMarzbanSimulator();
    sim.seedUsers(20_000);
    expect(sim.userCount).toBe(20_000);
  });
});

describe('marzban simulator: as the running 0.8.4 answered (contract notes §9)', () => {
  it('usernames are case-sensitive on a migrated database: an upper-case variant is a second user, and GET of it is 404 until then', async () => {
    const sim = createMarzbanSimulator({ adminPassword: 'pw' });
    const call = await client(sim);
    expect((await call('POST', '/api/user', user('casey'))).status).toBe(200);
    expect(await call('GET', '/api/user/CASEY')).toMatchObject({ status: 404, json: { detail: 'User not found' } });
    expect((await call('POST', '/api/user', user('CASEY'))).status).toBe(200);
    expect(((await call('GET', '/api/users?username=casey')).json.users as unknown[]).length).toBe(1);
    expect(sim.userCount).toBe(2);
  });

  it('next_plan is stored on create; one without data_limit is a 409; reset and a PUT without it delete it', async () => {
    const sim = createMarzbanSimulator({ adminPassword: 'pw' });
    const call = await client(sim);
    const plan = { data_limit: 1_000, expire: 1_900_000_000, add_remaining_traffic: false, fire_on_either: true };
    expect((await call('POST', '/api/user', user('planned', { next_plan: plan }))).json.next_plan).toEqual(plan);
    expect(await call('POST', '/api/user', user('badplan', { next_plan: { expire: 1_900_000_000 } }))).toMatchObject({
      status: 409,
      json: { detail: 'User already exists' },
    });
    expect((await call('POST', '/api/user/planned/reset')).json.next_plan).toBeNull();
    await call('PUT', '/api/user/planned', { next_plan: plan });
    expect((await call('PUT', '/api/user/planned', { note: 'x' })).json.next_plan).toBeNull();
  });

  it('validates vless flow and proxy types; takes expire as a numeric string; a JSON login names both fields', async () => {
    const sim = createMarzbanSimulator({ adminPassword: 'pw' });
    const call = await client(sim);
    expect(await call('POST', '/api/user', user('flowy', { proxies: { vless: { flow: 'xtls-rprx-direct' } } }))).toMatchObject({
      status: 422,
      json: { detail: { flow: "Input should be '' or 'xtls-rprx-vision'" } },
    });
    expect(await call('POST', '/api/user', user('wg', { proxies: { wireguard: {} } }))).toMatchObject({
      status: 422,
      json: { detail: { proxies: "Value error, 'wireguard' is not a valid ProxyTypes" } },
    });
    expect(await call('POST', '/api/user', user('stringy', { expire: '1900000000' }))).toMatchObject({
      status: 200,
      json: { expire: 1_900_000_000 },
    });
    const jsonLogin = await sim.handle(
      new Request(`${BASE}/api/admin/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"username":"admin","password":"pw"}',
      }),
    );
    expect(jsonLogin.status).toBe(422);
    expect(await jsonLogin.json()).toEqual({ detail: { username: 'Field required', password: 'Field required' } });
  });

  it('paging edges: limit=0 returns every user, a negative offset acts as 0', async () => {
    const sim = createMarzbanSimulator({ adminPassword: 'pw' });
    sim.seedUsers(7);
    const call = await client(sim);
    expect(((await call('GET', '/api/users?limit=0&sort=created_at')).json.users as unknown[]).length).toBe(7);
    const negative = (await call('GET', '/api/users?offset=-3&limit=2&sort=created_at')).json.users as { username: string }[];
    expect(negative.map((u) => u.username)).toEqual(['seed_0', 'seed_1']);
  });

  it('share links pick sid and sni per read, so the same user gets different links that carry the same credentials', async () => {
    const sim = createMarzbanSimulator({ adminPassword: 'pw' });
    const call = await client(sim);
    await call('POST', '/api/user', user('linky', { inbounds: { vless: ['VLESS TCP REALITY'] } }));
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) for (const link of (await call('GET', '/api/user/linky')).json.links as string[]) seen.add(link);
    expect(seen.size).toBeGreaterThan(1);
    const ids = new Set([...seen].map((link) => link.slice(0, link.indexOf('@'))));
    expect(ids.size).toBe(1);
    expect([...seen].some((link) => /[?&]sid=(&|#)/.test(link))).toBe(true);
    expect([...seen].some((link) => link.includes('sid=6ba85179e30d4fc2'))).toBe(true);
    expect([...seen][0]).toMatch(/headerType=&path=&host=&sni=[^&]+&fp=chrome&pbk=[^&]+&sid=/);
  });

  it('subscription: six headers, text/plain with a charset, Clash YAML by user agent, HTML for a browser; older tokens work', async () => {
    const sim = createMarzbanSimulator({ adminPassword: 'pw' });
    const call = await client(sim);
    const created = await call('POST', '/api/user', user('subby', { data_limit: 5_000 }));
    const url = `${BASE}${created.json.subscription_url as string}`;
    const plain = await sim.handle(new Request(url, { headers: { 'user-agent': 'v2rayNG/1.8.5' } }));
    expect(plain.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    for (const name of [
      'content-disposition',
      'profile-title',
      'profile-update-interval',
      'profile-web-page-url',
      'support-url',
      'subscription-userinfo',
    ]) {
      expect(plain.headers.get(name), name).not.toBeNull();
    }
    expect(plain.headers.get('subscription-userinfo')).toBe('upload=0; download=0; total=5000; expire=0');
    const clash = await sim.handle(new Request(url, { headers: { 'user-agent': 'ClashMeta/1.18' } }));
    expect(clash.headers.get('content-type')).toBe('text/yaml; charset=utf-8');
    expect(await clash.text()).toMatch(/^proxies:/);
    const page = await sim.handle(new Request(url, { headers: { accept: 'text/html,application/xhtml+xml' } }));
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const info = await sim.handle(new Request(`${url}/info`));
    const keys = Object.keys((await info.json()) as object);
    expect(keys).toHaveLength(17);
    for (const hidden of ['inbounds', 'note', 'auto_delete_in_days', 'excluded_inbounds', 'admin']) expect(keys).not.toContain(hidden);
  });

  it('admins: is_sudo as configured, users_usage null for the env sudoer; a user carries its admin with users_usage; JSON without a charset', async () => {
    const regular = createMarzbanSimulator({ adminPassword: 'pw', adminIsSudo: false });
    const call = await client(regular);
    const admin = await regular.handle(new Request(`${BASE}/api/admin`));
    expect(admin.status).toBe(401);
    expect(admin.headers.get('content-type')).toBe('application/json');
    expect((await call('GET', '/api/admin')).json).toEqual({
      username: 'admin',
      is_sudo: false,
      telegram_id: null,
      discord_webhook: null,
      users_usage: 0,
    });
    expect((await call('POST', '/api/user', user('owned'))).json.admin).toEqual({
      username: 'admin',
      is_sudo: false,
      telegram_id: null,
      discord_webhook: null,
      users_usage: 0,
    });
    const sudoer = createMarzbanSimulator({ adminPassword: 'pw', envSudoer: true });
    expect((await (await client(sudoer))('GET', '/api/admin')).json).toMatchObject({ is_sudo: true, users_usage: null });
  });
});
