import { ManualClock } from '@panelkit/sdk/testing';
import { describe, expect, it } from 'vitest';
import { createMarzneshinSimulator, type MarzneshinSimulator } from '../../src/simulators/marzneshin/index.js';
import { rawClient } from './raw.js';

async function client(sim: MarzneshinSimulator) {
  const call = await rawClient(sim);
  return async (method: string, path: string, body?: unknown) => {
    const { status, json } = await call(method, path, body);
    return { status, json: json as Record<string, unknown> };
  };
}

describe('marzneshin simulator: the wire', () => {
  it('create validates like UserCreate (custom 422 form, model errors under "body"), lower-cases names, drops unknown services', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw' });
    const call = await client(sim);
    expect(await call('POST', '/api/users', { username: 'ann' })).toMatchObject({
      status: 422,
      json: { detail: { expire_strategy: 'Field required' } },
    });
    expect(await call('POST', '/api/users', { username: 'ann', expire_strategy: 'fixed_date' })).toMatchObject({
      status: 422,
      json: { detail: { body: 'Value error, User expire_strategy cannot be fixed_date without a valid expire date.' } },
    });
    expect((await call('POST', '/api/users', { username: 'a-b', expire_strategy: 'never' })).status).toBe(422);
    const created = await call('POST', '/api/users', { username: 'Ann', expire_strategy: 'never', service_ids: [1, 99] });
    expect(created.json).toMatchObject({ username: 'ann', service_ids: [1], enabled: true, expire_date: null });
    expect(await call('POST', '/api/users', { username: 'ANN', expire_strategy: 'never' })).toMatchObject({
      status: 409,
      json: { detail: 'User already exists' },
    });
  });

  it('PUT needs username; enable/disable answer 409 in the same state', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw' });
    const call = await client(sim);
    await call('POST', '/api/users', { username: 'bob', expire_strategy: 'never' });
    expect(await call('PUT', '/api/users/bob', { data_limit: 5 })).toMatchObject({
      status: 422,
      json: { detail: { username: 'Field required' } },
    });
    expect(await call('POST', '/api/users/bob/enable')).toMatchObject({ status: 409, json: { detail: 'User is already enabled' } });
    expect((await call('POST', '/api/users/bob/disable')).status).toBe(200);
    expect(await call('POST', '/api/users/bob/disable')).toMatchObject({ status: 409, json: { detail: 'User is not enabled' } });
  });

  it('pages: size above 100 is refused; pages and total are reported', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw' });
    sim.seedUsers(150);
    const call = await client(sim);
    expect(await call('GET', '/api/users?size=101')).toMatchObject({
      status: 422,
      json: { detail: { size: 'Input should be less than or equal to 100' } },
    });
    expect((await call('GET', '/api/users?page=2&size=100&order_by=username')).json).toMatchObject({
      total: 150,
      page: 2,
      size: 100,
      pages: 2,
    });
  });

  it('soft delete: the name is free again, the key is still taken', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw' });
    const call = await client(sim);
    await call('POST', '/api/users', { username: 'cat', expire_strategy: 'never', key: 'aa'.repeat(16) });
    expect((await call('DELETE', '/api/users/cat')).json).toEqual({});
    expect((await call('GET', '/api/users/cat')).status).toBe(404);
    expect((await call('POST', '/api/users', { username: 'cat', expire_strategy: 'never', key: 'aa'.repeat(16) })).status).toBe(409);
    expect((await call('POST', '/api/users', { username: 'cat', expire_strategy: 'never', key: 'bb'.repeat(16) })).status).toBe(200);
  });

  it('enforce(): start on first use turns into a fixed date at first use or at the activation deadline', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const sim = createMarzneshinSimulator({ adminPassword: 'pw', clock });
    const call = await client(sim);
    await call('POST', '/api/users', { username: 'dan', expire_strategy: 'start_on_first_use', usage_duration: 60 });
    await call('POST', '/api/users', {
      username: 'eve',
      expire_strategy: 'start_on_first_use',
      usage_duration: 60,
      activation_deadline: '2026-01-02T00:00:00Z',
    });
    clock.advance(1_000);
    sim.setOnline('dan');
    sim.enforce();
    expect(sim.user('dan')).toMatchObject({ expireStrategy: 'fixed_date', expireDate: clock.now().getTime() + 60_000 });
    expect(sim.user('eve')!.expireStrategy).toBe('start_on_first_use');
    clock.advance(86_400_000);
    sim.enforce();
    expect(sim.user('eve')!.expireStrategy).toBe('fixed_date');
    clock.advance(120_000);
    const fresh = await client(sim); // the first token lived 24 h
    expect((await fresh('GET', '/api/users/dan')).json).toMatchObject({ expired: true, is_active: false });
  });
});
