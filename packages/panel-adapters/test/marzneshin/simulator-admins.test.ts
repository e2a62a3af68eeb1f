/** The simulator against the notes' §10.1, §10.2 and §10.6–10.8: raw requests, answered as the running v0.7.4 did. */
import { ManualClock } from '@panelkit/sdk/testing';
import { describe, expect, it } from 'vitest';
import { createMarzneshinSimulator, type MarzneshinSimAdmin } from '../../src/simulators/marzneshin/index.js';
import { BASE, rawClient } from './raw.js';

const LIMITED: MarzneshinSimAdmin = { isSudo: false, modifyUsersAccess: true, serviceIds: [1] };
const KEY = 'ab'.repeat(16);

describe('marzneshin simulator §10.1: admins', () => {
  it('the login and /api/admins/current carry the admin’s real permissions', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw', adminAccess: LIMITED });
    const login = await sim.handle(
      new Request(`${BASE}/api/admins/token`, { method: 'POST', body: new URLSearchParams({ username: 'admin', password: 'pw' }) }),
    );
    expect(await login.json()).toMatchObject({ is_sudo: false, token_type: 'bearer' });
    const call = await rawClient(sim);
    expect((await call('GET', '/api/admins/current')).json).toEqual({
      id: 1,
      username: 'admin',
      is_sudo: false,
      enabled: true,
      all_services_access: false,
      modify_users_access: true,
      service_ids: [1],
      subscription_url_prefix: '',
    });
    expect(await call('GET', '/api/inbounds')).toMatchObject({ status: 403, json: { detail: 'Access Denied' } });
    expect(await call('GET', '/api/users?owner_username=admin')).toMatchObject({ status: 403, json: { detail: "You're not allowed." } });
  });

  it('a non-sudo admin gets 403 for a user that does not exist: GET, PUT, DELETE, and the second delete', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw', adminAccess: LIMITED });
    const call = await rawClient(sim);
    const forbidden = { status: 403, json: { detail: "You're not allowed" } };
    expect(await call('GET', '/api/users/ghost')).toMatchObject(forbidden);
    expect(await call('PUT', '/api/users/ghost', { username: 'ghost', data_limit: 1 })).toMatchObject(forbidden);
    expect(await call('DELETE', '/api/users/ghost')).toMatchObject(forbidden);
    await call('POST', '/api/users', { username: 'mine', expire_strategy: 'never', service_ids: [1] });
    expect((await call('DELETE', '/api/users/mine')).status).toBe(200);
    expect(await call('DELETE', '/api/users/mine')).toMatchObject(forbidden);
  });

  it('a create that collides with another admin’s user is a 409, and reading it back a 403', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw', adminAccess: LIMITED });
    sim.addForeignUser('theirs');
    const call = await rawClient(sim);
    const collision = await call('POST', '/api/users', { username: 'theirs', expire_strategy: 'never' });
    expect(collision).toMatchObject({ status: 409, json: { detail: 'User already exists' } });
    expect((await call('GET', '/api/users/theirs')).status).toBe(403);
    expect((await call('GET', '/api/users')).json).toMatchObject({ total: 0 });
  });

  it('without modify_users_access a write on its own user is 403; create still works', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw', adminAccess: { ...LIMITED, modifyUsersAccess: false } });
    const call = await rawClient(sim);
    expect((await call('POST', '/api/users', { username: 'mine', expire_strategy: 'never' })).status).toBe(200);
    expect((await call('GET', '/api/users/mine')).status).toBe(200);
    for (const [method, path] of [
      ['DELETE', '/api/users/mine'],
      ['POST', '/api/users/mine/disable'],
      ['POST', '/api/users/mine/reset'],
    ] as const) {
      expect(await call(method, path)).toMatchObject({ status: 403, json: { detail: "You're not allowed" } });
    }
  });

  it('services: a limited admin lists only its own; user_ids count every admin’s users', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw', adminAccess: LIMITED });
    sim.addForeignUser('theirs', { serviceIds: [1] });
    const call = await rawClient(sim);
    await call('POST', '/api/users', { username: 'mine', expire_strategy: 'never', service_ids: [1, 3] });
    const services = (await call('GET', '/api/services')).json as { items: { id: number; user_ids: number[] }[] };
    expect(services.items.map((s) => [s.id, s.user_ids.length])).toEqual([[1, 2]]);
    // §10.2 for an admin: a service it may not use is dropped like an unknown one.
    expect((await call('GET', '/api/users/mine')).json).toMatchObject({ service_ids: [1] });
  });
});

describe('marzneshin simulator §10.2 and §10.6: services and writes', () => {
  it('an unknown service id is dropped on create and on update', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw' });
    const call = await rawClient(sim);
    expect((await call('POST', '/api/users', { username: 'ann', expire_strategy: 'never', service_ids: [99] })).json).toMatchObject({
      service_ids: [],
    });
    expect((await call('PUT', '/api/users/ann', { username: 'ann', service_ids: [3, 98] })).json).toMatchObject({ service_ids: [3] });
  });

  it('soft delete keeps the key; PUT needs username; enable/disable twice 409; reset keeps disabled and on hold; delete twice 200 then 404', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw' });
    const call = await rawClient(sim);
    await call('POST', '/api/users', { username: 'bob', expire_strategy: 'start_on_first_use', usage_duration: 60, key: KEY });
    expect(await call('PUT', '/api/users/bob', { data_limit: 5 })).toMatchObject({
      status: 422,
      json: { detail: { username: 'Field required' } },
    });
    expect((await call('POST', '/api/users/bob/disable')).status).toBe(200);
    expect(await call('POST', '/api/users/bob/disable')).toMatchObject({ status: 409, json: { detail: 'User is not enabled' } });
    expect((await call('POST', '/api/users/bob/reset')).json).toMatchObject({
      enabled: false,
      expire_strategy: 'start_on_first_use',
      used_traffic: 0,
    });
    expect((await call('DELETE', '/api/users/bob')).status).toBe(200);
    expect(await call('DELETE', '/api/users/bob')).toMatchObject({ status: 404, json: { detail: 'User not found' } });
    expect((await call('POST', '/api/users', { username: 'bob', expire_strategy: 'never', key: KEY })).status).toBe(409);
    expect((await call('POST', '/api/users', { username: 'bob', expire_strategy: 'never' })).status).toBe(200);
  });
});

describe('marzneshin simulator §10.7: validation', () => {
  it('accepts a unix expire_date, a Unicode name, a numeric-string data_limit, a non-hex and a 65-character key', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw' });
    const call = await rawClient(sim);
    expect(
      (await call('POST', '/api/users', { username: 'unix', expire_strategy: 'fixed_date', expire_date: 1_800_000_000 })).json,
    ).toMatchObject({
      expire_date: '2027-01-15T08:00:00',
    });
    expect((await call('POST', '/api/users', { username: 'Üser', expire_strategy: 'never' })).json).toMatchObject({ username: 'üser' });
    expect((await call('POST', '/api/users', { username: 'strlimit', expire_strategy: 'never', data_limit: '5' })).json).toMatchObject({
      data_limit: 5,
    });
    expect((await call('POST', '/api/users', { username: 'nothex', expire_strategy: 'never', key: 'not-hex-at-all' })).status).toBe(200);
    expect((await call('POST', '/api/users', { username: 'longkey', expire_strategy: 'never', key: 'a'.repeat(65) })).status).toBe(200);
  });

  it('refuses a fractional data_limit, a bad reset strategy, a bad name; the model check only when fields pass', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw' });
    const call = await rawClient(sim);
    expect(await call('POST', '/api/users', { username: 'frac', expire_strategy: 'never', data_limit: 1.5 })).toMatchObject({
      status: 422,
      json: { detail: { data_limit: 'Input should be a valid integer, got a number with a fractional part' } },
    });
    expect(
      await call('POST', '/api/users', { username: 'reset', expire_strategy: 'never', data_limit_reset_strategy: 'hourly' }),
    ).toMatchObject({
      status: 422,
      json: { detail: { data_limit_reset_strategy: "Input should be 'no_reset', 'day', 'week', 'month' or 'year'" } },
    });
    expect(await call('POST', '/api/users', { username: 'a.b', expire_strategy: 'fixed_date' })).toEqual(
      expect.objectContaining({ status: 422, json: { detail: { username: "String should match pattern '^\\w{3,32}$'" } } }),
    );
  });

  it('an expire_date with an offset is stored as the wall time given, the offset dropped', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw' });
    const call = await rawClient(sim);
    const created = await call('POST', '/api/users', {
      username: 'offset',
      expire_strategy: 'fixed_date',
      expire_date: '2026-03-01T12:00:00+03:30',
    });
    expect(created.json).toMatchObject({ expire_date: '2026-03-01T12:00:00' });
  });

  it('a trailing slash is a 307 to the path without it', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw' });
    const call = await rawClient(sim);
    const answer = await call('GET', '/api/users/');
    expect(answer.status).toBe(307);
    expect(answer.headers.get('location')).toBe(`${BASE}/api/users`);
    expect((await call('GET', '/api/nothing/')).status).toBe(404);
  });
});

describe('marzneshin simulator §10.8: pages', () => {
  it('size is capped at 100; size=101, size=0 and page=0 are 422s', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw' });
    const call = await rawClient(sim);
    expect(await call('GET', '/api/users?size=101')).toMatchObject({
      status: 422,
      json: { detail: { size: 'Input should be less than or equal to 100' } },
    });
    expect(await call('GET', '/api/users?size=0')).toMatchObject({
      status: 422,
      json: { detail: { size: 'Input should be greater than or equal to 1' } },
    });
    expect(await call('GET', '/api/users?page=0')).toMatchObject({
      status: 422,
      json: { detail: { page: 'Input should be greater than or equal to 1' } },
    });
  });

  it('pages come in username order with relative links; the enabled and expired filters work', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const sim = createMarzneshinSimulator({ adminPassword: 'pw', clock });
    const call = await rawClient(sim);
    for (const name of ['carol', 'alice', 'bob']) {
      await call('POST', '/api/users', { username: name, expire_strategy: 'fixed_date', expire_date: '2026-01-02T00:00:00Z' });
    }
    await call('POST', '/api/users', { username: 'dave', expire_strategy: 'never' });
    await call('POST', '/api/users/bob/disable');
    const page = (await call('GET', '/api/users?size=2&page=1')).json as {
      items: { username: string }[];
      links: Record<string, string | null>;
    };
    expect(page.items.map((u) => u.username)).toEqual(['alice', 'bob']);
    const [one, two] = ['/api/users?size=2&page=1', '/api/users?size=2&page=2'];
    expect(page.links).toEqual({ first: one, last: two, self: one, next: two, prev: null });
    const names = async (query: string) =>
      ((await call('GET', `/api/users?${query}`)).json as { items: { username: string }[] }).items.map((u) => u.username);
    expect(await names('enabled=false')).toEqual(['bob']);
    expect(await names('order_by=username&descending=true')).toEqual(['dave', 'carol', 'bob', 'alice']);
    expect(await call('GET', '/api/users?order_by=name')).toMatchObject({
      status: 422,
      json: { detail: { order_by: expect.any(String) } },
    });
    clock.advance(2 * 86_400_000);
    const fresh = await rawClient(sim);
    const freshNames = async (query: string) =>
      ((await fresh('GET', `/api/users?${query}`)).json as { items: { username: string }[] }).items.map((u) => u.username);
    expect(await freshNames('expired=true')).toEqual(['alice', 'bob', 'carol']);
    expect(await freshNames('expired=false')).toEqual(['dave']);
  });
});
