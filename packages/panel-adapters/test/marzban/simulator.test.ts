import { ManualClock } from '@panelkit/sdk/testing';
import { describe, expect, it } from 'vitest';
import { createMarzbanSimulator, type MarzbanSimulator } from '../../src/simulators/marzban/index.js';

const BASE = 'http://sim.test';

async function login(sim: MarzbanSimulator, password = 'pw'): Promise<Response> {
  return sim.handle(new Request(`${BASE}/api/admin/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: 'admin', password }) }));
}

async function client(sim: MarzbanSimulator) {
  const { access_token: token } = (await (await login(sim)).json()) as { access_token: string };
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await sim.handle(
      new Request(`${BASE}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }),
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

const user = (username: string, extra: Record<string, unknown> = {}) => ({ username, proxies: { vless: {} }, inbounds: { vless: [] }, ...extra });

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

  it('create: 422 in the custom dict form, 409 on a case-insensitive duplicate, on_hold rules', async () => {
    const sim = createMarzbanSimulator({ adminPassword: 'pw' });
    const call = await client(sim);
    expect(await call('POST', '/api/user', user('ab.cd'))).toMatchObject({
      status: 422,
      json: { detail: { username: 'Value error, Username only can be 3 to 32 characters and contain a-z, 0-9, and underscores in between.' } },
    });
    expect(await call('POST', '/api/user', user('held', { status: 'on_hold' }))).toMatchObject({
      status: 422,
      json: { detail: { status: 'Value error, User cannot be on hold without a valid on_hold_expire_duration.' } },
    });
    expect(await call('POST', '/api/user', user('frac', { expire: 1.5 }))).toMatchObject({ status: 422, json: { detail: { expire: 'Input should be a valid integer, got a number with a fractional part' } } });
    expect((await call('POST', '/api/user', user('Alice'))).status).toBe(200);
    expect(await call('POST', '/api/user', user('alice'))).toMatchObject({ status: 409, json: { detail: 'User already exists' } });
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
    expect(await call7('POST', '/api/user', { username: 'noproxy' })).toMatchObject({ status: 422, json: { detail: { proxies: 'Each user needs at least one proxy' } } });
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
    expect(sim.user('holding')).toMatchObject({ status: 'active', expire: Math.floor(clock.now().getTime() / 1000) + 3600, onHoldExpireDuration: null });
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
    expect((page.json.users as { username: string }[]).map((u) => u.username)).toEqual(['seed_19', 'seed_18', 'seed_17', 'seed_16', 'seed_15']);
    expect(await call('GET', '/api/users?sort=name')).toMatchObject({ status: 400, json: { detail: '"name" is not a valid sort option' } });
  });

  it('seeds 20 000 users', () => {
    const sim = createMarzbanSimulator();
    sim.seedUsers(20_000);
    expect(sim.userCount).toBe(20_000);
  });
});
