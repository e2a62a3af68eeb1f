/** The 3x-ui simulator on the wire: per-version auth answers, envelopes, texts, shapes and controls. */
import { ManualClock } from '@panelkit/sdk/testing';
import { describe, expect, it } from 'vitest';
import { createXuiSimulator, type XuiSimulator } from '../../src/simulators/xui/index.js';

const BASE = 'http://panel.test/base/';

function sim(version: string): XuiSimulator {
  const s = createXuiSimulator({ version, basePath: '/base/', clock: new ManualClock('2026-01-01T00:00:00Z'), apiTokens: ['tok'] });
  s.seedDemo();
  return s;
}

async function login(s: XuiSimulator): Promise<{ cookie: string; csrf: string }> {
  let cookie = '';
  let csrf = '';
  if (s.traits.csrf) {
    const res = await s.handle(new Request(`${BASE}csrf-token`));
    cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    csrf = ((await res.json()) as { obj: string }).obj;
  }
  const res = await s.handle(
    new Request(`${BASE}login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-csrf-token': csrf },
      body: 'username=admin&password=admin',
    }),
  );
  expect(((await res.json()) as { success: boolean }).success).toBe(true);
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf };
}

function api(
  s: XuiSimulator,
  auth: { cookie: string; csrf: string },
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return s.handle(
    new Request(`${BASE}panel/api/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { cookie: auth.cookie, 'x-csrf-token': auth.csrf, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
}

const addBody = (email: string, id = crypto.randomUUID()) => ({
  id: 1,
  settings: JSON.stringify({ clients: [{ id, email, enable: true, totalGB: 0, expiryTime: 0 }] }),
});

describe('3x-ui simulator: unauthenticated answers per version', () => {
  it.each([
    ['2.4.0', {}, 307, ''],
    [
      '2.4.0',
      { 'x-requested-with': 'XMLHttpRequest' },
      401,
      '{"success":false,"msg":"Your session has expired, please log in again","obj":null}',
    ],
    ['2.8.x', { 'x-requested-with': 'XMLHttpRequest' }, 404, ''],
    ['3.0.2', {}, 404, ''],
    ['3.6.x', {}, 404, ''],
    ['3.6.x', { 'x-requested-with': 'XMLHttpRequest' }, 401, ''],
  ])('v%s %o → %i', async (version, headers, status, body) => {
    const res = await sim(version).handle(new Request(`${BASE}panel/api/inbounds/list`, { method: 'POST', headers }));
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(body);
  });

  it('names the cookie `session` before v2.3.8 and `3x-ui` after', async () => {
    expect((await login(sim('2.3.0'))).cookie).toMatch(/^session=/);
    expect((await login(sim('2.8.x'))).cookie).toMatch(/^3x-ui=/);
  });
});

describe('3x-ui simulator: CSRF and tokens (v3)', () => {
  it('refuses a login and a write without the CSRF token with 403 and an empty body', async () => {
    const s = sim('3.0.2');
    const bad = await s.handle(
      new Request(`${BASE}login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"username":"admin","password":"admin"}',
      }),
    );
    expect([bad.status, await bad.text()]).toEqual([403, '']);
    const auth = await login(s);
    const write = await api(s, { ...auth, csrf: 'wrong' }, 'inbounds/addClient', addBody('x'));
    expect([write.status, await write.text()]).toEqual([403, '']);
    expect((await api(s, auth, 'inbounds/addClient', addBody('x'))).status).toBe(200);
  });

  it('takes a Bearer token without CSRF; a bad token is a 404', async () => {
    const s = sim('3.6.x');
    const ok = await s.handle(
      new Request(`${BASE}panel/api/clients/onlines`, { method: 'POST', headers: { authorization: 'Bearer tok' } }),
    );
    expect(await ok.json()).toEqual({ success: true, msg: '', obj: [] });
    expect(
      (await s.handle(new Request(`${BASE}panel/api/clients/onlines`, { method: 'POST', headers: { authorization: 'Bearer nope' } })))
        .status,
    ).toBe(404);
  });
});

describe('3x-ui simulator: Gen A shapes and rules', () => {
  it('prints settings as an indented JSON string with sorted keys and clientStats with allTime', async () => {
    const s = sim('2.8.x');
    const auth = await login(s);
    await api(s, auth, 'inbounds/addClient', addBody('alice'));
    const list = (await (await api(s, auth, 'inbounds/list')).json()) as {
      obj: { settings: string; clientStats: Record<string, unknown>[] }[];
    };
    const settings = list.obj[0]!.settings;
    expect(typeof settings).toBe('string');
    expect(settings.startsWith('{\n  "clients": [\n    {\n      "created_at": ')).toBe(true);
    expect(list.obj[0]!.clientStats[0]).toMatchObject({ email: 'alice', up: 0, down: 0, allTime: 0, inboundId: 1 });
    const got = (await (await api(s, auth, 'inbounds/get/1')).json()) as { obj: { clientStats: unknown } };
    expect(got.obj.clientStats).toBeNull();
  });

  it('refuses a duplicate email (case-insensitive) with the panel’s text, HTTP 200', async () => {
    const s = sim('2.8.x');
    const auth = await login(s);
    await api(s, auth, 'inbounds/addClient', addBody('alice'));
    const res = await api(s, auth, 'inbounds/addClient', { ...addBody('ALICE'), id: 2 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: false, msg: 'Something went wrong (Duplicate email: ALICE\n)', obj: null });
    const old = sim('2.5.0');
    const oldAuth = await login(old);
    await api(old, oldAuth, 'inbounds/addClient', addBody('bob'));
    expect(((await (await api(old, oldAuth, 'inbounds/addClient', addBody('bob'))).json()) as { msg: string }).msg).toBe(
      'Something went wrong Failed: Duplicate email: bob\n',
    );
  });

  it('refuses to delete the last client from v2.1 to v3.0.2', async () => {
    const s = sim('3.0.2');
    const auth = await login(s);
    const id = crypto.randomUUID();
    await api(s, auth, 'inbounds/addClient', addBody('solo', id));
    expect(await (await api(s, auth, `inbounds/1/delClient/${id}`, {})).json()).toEqual({
      success: false,
      msg: 'Something went wrong (no client remained in Inbound\n)',
      obj: null,
    });
  });

  it('deletes by id as v2.8.11 does: an id that matches nothing succeeds; by email, a miss is reported', async () => {
    const s = sim('2.8.x');
    const auth = await login(s);
    await api(s, auth, 'inbounds/addClient', addBody('keep'));
    expect(((await (await api(s, auth, `inbounds/1/delClient/${crypto.randomUUID()}`, {})).json()) as { success: boolean }).success).toBe(
      true,
    );
    expect(await s.countClients('keep')).toBe(1);
    expect(await (await api(s, auth, 'inbounds/1/delClientByEmail/ghost', {})).json()).toEqual({
      success: false,
      msg: 'Failed to delete client by email (client with email ghost not found\n)',
      obj: null,
    });
  });

  it('answers an unknown email in getClientTraffics by version: obj null before v2.8.3, success:false after', async () => {
    const before = sim('2.8.2');
    expect(await (await api(before, await login(before), 'inbounds/getClientTraffics/ghost')).json()).toEqual({
      success: true,
      msg: '',
      obj: null,
    });
    const after = sim('2.8.x');
    expect(await (await api(after, await login(after), 'inbounds/getClientTraffics/ghost')).json()).toEqual({
      success: false,
      msg: 'Error getting traffics. (Inbound Not Found For Email: ghost\n)',
      obj: null,
    });
  });

  it('answers an applied write whose response is lost with an empty 200', async () => {
    const s = sim('2.8.x');
    const auth = await login(s);
    s.injectFault({ kind: 'lost_response', on: 'write' });
    const res = await api(s, auth, 'inbounds/addClient', addBody('lost'));
    expect([res.status, await res.text()]).toEqual([200, '']);
    expect(await s.countClients('lost')).toBe(1);
  });
});

describe('3x-ui simulator: Gen B shapes', () => {
  it('prints inbound settings as objects, without allTime', async () => {
    const s = sim('3.6.x');
    const auth = await login(s);
    await api(s, auth, 'clients/add', { client: { email: 'carol' }, inboundIds: [1] });
    const list = (await (await api(s, auth, 'inbounds/list')).json()) as {
      obj: { settings: { clients: unknown[] }; clientStats: Record<string, unknown>[] }[];
    };
    expect(list.obj[0]!.settings.clients).toHaveLength(1);
    expect(list.obj[0]!.clientStats[0]).not.toHaveProperty('allTime');
    const got = (await (await api(s, auth, 'clients/get/carol')).json()) as {
      obj: { client: { uuid: string; subId: string; enable: boolean } };
    };
    expect(got.obj.client.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(got.obj.client.enable).toBe(true);
  });
});

describe('3x-ui simulator: controls', () => {
  it('enforce() disables expired and depleted clients; the first traffic starts a delayed expiry', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const s = createXuiSimulator({ clock });
    const [inbound] = s.seedDemo();
    s.seedClients(
      inbound!.id,
      3,
      (i) => [{ expiryTime: Date.parse('2026-01-02T00:00:00Z') }, { totalGB: 100 }, { expiryTime: -86_400_000 }][i]!,
    );
    await s.addTraffic('seed1_1', 60, 60);
    clock.advance(3_600_000);
    await s.addTraffic('seed1_2', 1, 0);
    expect(s.client('seed1_2')!.expiryTime).toBe(clock.now().getTime() + 86_400_000);
    clock.advance(23 * 3_600_000);
    expect(s.enforce()).toBe(2);
    expect([...s.state.traffic.values()].map((row) => row.enable)).toEqual([false, false, true]);
  });

  it('seeds 20 000 clients straight into the database', () => {
    const s = createXuiSimulator();
    const [inbound] = s.seedDemo();
    s.seedClients(inbound!.id, 20_000);
    expect(s.state.clients.size).toBe(20_000);
    expect(inbound!.clientKeys).toHaveLength(20_000);
  });

  it('marks clients online for onlines()', async () => {
    const s = sim('2.8.x');
    const auth = await login(s);
    expect(((await (await api(s, auth, 'inbounds/onlines', {})).json()) as { obj: unknown }).obj).toBeNull();
    await api(s, auth, 'inbounds/addClient', addBody('dave'));
    s.setOnline('dave');
    expect(((await (await api(s, auth, 'inbounds/onlines', {})).json()) as { obj: unknown }).obj).toEqual(['dave']);
  });
});
