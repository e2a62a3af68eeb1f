/**
 * The S-UI simulator speaks the panel's wire protocol (alireza0/s-ui v1.2.0 … v1.5.1), checked
 * with raw requests, without the adapter.
 */
import { ManualClock } from '@panelkit/sdk/testing';
import { describe, expect, it } from 'vitest';
import { createSuiSimulator, type SuiSimulator } from '../../src/simulators/sui/index.js';

const ORIGIN = 'http://203.0.113.7:2095';
const TOKEN = 'sim-token-0000000000000000000000';

function sim(version = '1.5.1'): SuiSimulator {
  return createSuiSimulator({ version, token: TOKEN, clock: new ManualClock(new Date('2026-01-01T00:00:00Z')) });
}

/** An envelope as the tests read it (`obj` is whatever the action answers). */
interface Envelope {
  success: boolean;
  msg: string;
  // biome-ignore lint/suspicious/noExplicitAny: each test reads its action's own answer shape
  obj: any;
}

async function body(response: Response): Promise<Envelope> {
  return (await response.json()) as Envelope;
}

async function get(s: SuiSimulator, action: string, token = TOKEN): Promise<Envelope> {
  return body(await s.handle(new Request(`${ORIGIN}/app/apiv2/${action}`, { headers: { Token: token } })));
}

async function save(s: SuiSimulator, action: string, data: unknown, object = 'clients'): Promise<Envelope> {
  const form = new URLSearchParams({ object, action, data: typeof data === 'string' ? data : JSON.stringify(data) });
  const response = await s.handle(
    new Request(`${ORIGIN}/app/apiv2/save`, {
      method: 'POST',
      headers: { Token: TOKEN, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    }),
  );
  return body(response);
}

const client = (name: string, extra: Record<string, unknown> = {}) => ({
  enable: true,
  name,
  config: { vless: { name: 'placeholder', uuid: '6513270e-269e-4d37-b2a7-4de452e6b438', flow: 'xtls-rprx-vision' } },
  inbounds: [1],
  links: [],
  volume: 0,
  expiry: 0,
  up: 0,
  down: 0,
  desc: '',
  group: '',
  ...extra,
});

describe('S-UI simulator', () => {
  it('answers a bad token with HTTP 200 and ": invalid token\\n"', async () => {
    const response = await sim().handle(new Request(`${ORIGIN}/app/apiv2/clients`, { headers: { Token: 'bogus' } }));
    expect(response.status).toBe(200);
    expect(await body(response)).toEqual({ success: false, msg: ': invalid token\n', obj: null });
  });

  it('returns 404 with an empty body outside the web path', async () => {
    const response = await sim().handle(new Request(`${ORIGIN}/apiv2/clients`, { headers: { Token: TOKEN } }));
    expect([response.status, await response.text()]).toEqual([404, '']);
  });

  it('reads save fields from the form only: a JSON body is an unknown object', async () => {
    const s = sim();
    const response = await s.handle(
      new Request(`${ORIGIN}/app/apiv2/save`, {
        method: 'POST',
        headers: { Token: TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify({ object: 'clients', action: 'new', data: client('alice') }),
      }),
    );
    expect(await body(response)).toEqual({ success: false, msg: 'save: unknown object:  \n', obj: null });
    expect(s.clients.size).toBe(0);
  });

  it('fails a save without links or inbounds with Go\'s "unexpected end of JSON input", changing nothing', async () => {
    const s = sim();
    const { links: _links, ...noLinks } = client('eve');
    expect(await save(s, 'new', noLinks)).toEqual({ success: false, msg: 'save: unexpected end of JSON input', obj: null });
    const { inbounds: _inbounds, ...noInbounds } = client('eve');
    expect((await save(s, 'new', noInbounds)).msg).toBe('save: unexpected end of JSON input');
    expect(s.clients.size).toBe(0);
  });

  it('names unknown actions and missing records as the panel does', async () => {
    const s = sim();
    expect((await save(s, 'add', {})).msg).toBe('save: unknown action: add');
    expect((await save(s, 'del', 999)).msg).toBe('save: record not found');
    expect((await save(s, 'edit', { ...client('x'), id: 999 })).msg).toBe('save: record not found');
    expect((await save(s, 'new', { ...client('x'), volume: 'lots' })).msg).toBe(
      'save: json: cannot unmarshal string into Go struct field Client.volume of type int64',
    );
  });

  it('answers a save with every client (list rows) and, when users changed, every inbound summary', async () => {
    const s = sim();
    const created = await save(s, 'new', client('alice'));
    expect(Object.keys(created.obj)).toEqual(['clients', 'inbounds']);
    expect(created.obj.inbounds[0]).toEqual({
      id: 1,
      listen: '::',
      listen_port: 443,
      tag: 'vless-443',
      tls_id: 1,
      type: 'vless',
      users: ['alice'],
    });
    const id = created.obj.clients[0].id;
    const full = (await get(s, `clients?id=${id}`)).obj.clients[0];
    // Only the volume changes: no inbound restart, so no summaries.
    const edited = await save(s, 'edit', { ...full, volume: 5 });
    expect(Object.keys(edited.obj)).toEqual(['clients']);
  });

  it('list rows lack config and links and read the v1.4+ extras as zero; full rows have everything', async () => {
    const s = sim();
    await save(s, 'new', client('held', { delayStart: true, resetDays: 30, totalUp: 9 }));
    const row = (await get(s, 'clients')).obj.clients[0];
    expect(Object.keys(row)).toEqual([
      'id',
      'enable',
      'name',
      'inbounds',
      'volume',
      'expiry',
      'down',
      'up',
      'desc',
      'group',
      'remark',
      'createdAt',
      'onlineAt',
      'delayStart',
      'autoReset',
      'resetDays',
      'nextReset',
      'totalUp',
      'totalDown',
    ]);
    expect([row.delayStart, row.resetDays, row.totalUp]).toEqual([false, 0, 0]);
    const full = (await get(s, `clients?id=${row.id}`)).obj.clients[0];
    expect([full.delayStart, full.resetDays, full.totalUp]).toEqual([true, 30, 9]);
    expect(full.config.vless.uuid).toBe('6513270e-269e-4d37-b2a7-4de452e6b438');
    expect(full.links[0]).toEqual(expect.objectContaining({ type: 'local', remark: 'vless-443' }));
    expect(full.links[0].uri).toMatch(/^vless:\/\/6513270e-269e-4d37-b2a7-4de452e6b438@203\.0\.113\.7:443\?/);
  });

  it('an edit is a full-row replace: omitting config wipes the credentials', async () => {
    const s = sim();
    const { obj } = await save(s, 'new', client('alice'));
    const listRow = obj.clients[0];
    await save(s, 'edit', { ...listRow, links: [] });
    expect(s.client('alice')!.config).toEqual({});
  });

  it('does not enforce unique names', async () => {
    const s = sim();
    await save(s, 'new', client('twin'));
    await save(s, 'new', client('twin'));
    expect(await s.countClients('twin')).toBe(2);
  });

  it('v1.5 forces config names to the client name; v1.4 keeps what was sent', async () => {
    const v15 = sim('1.5.1');
    await save(v15, 'new', client('alice'));
    expect(v15.client('alice')!.config.vless!.name).toBe('alice');
    const v14 = sim('1.4.2');
    await save(v14, 'new', client('alice'));
    expect(v14.client('alice')!.config.vless!.name).toBe('placeholder');
  });

  it("addbulk before v1.5 builds every link from clients[0].inbounds; v1.5 uses each client's own", async () => {
    for (const [version, hy2Links] of [
      ['1.4.2', 0],
      ['1.5.1', 1],
    ] as const) {
      const s = sim(version);
      await save(s, 'addbulk', [client('a'), client('b', { inbounds: [2], config: { hysteria2: { name: 'b', password: 'pw' } } })]);
      expect(s.client('b')!.inbounds).toEqual([2]);
      expect(s.client('b')!.links.filter((link) => link.uri.startsWith('hysteria2://'))).toHaveLength(hy2Links);
    }
  });

  it('knows only the actions of its version', async () => {
    const old = sim('1.3.6');
    expect((await save(old, 'editbulk', [])).msg).toBe('save: unknown action: editbulk');
    const reset = await old.handle(new Request(`${ORIGIN}/app/apiv2/resetTraffic`, { method: 'POST', headers: { Token: TOKEN } }));
    expect((await body(reset)).msg).toBe('failed: unknown action:  resetTraffic\n');
    await save(old, 'new', client('alice', { delayStart: true, resetDays: 30 }));
    const row = (await get(old, 'clients')).obj.clients[0];
    expect('delayStart' in row).toBe(false);
    expect(old.client('alice')!.delayStart).toBe(false);
  });

  it('enforce(): first traffic starts a held period, then expired and over-volume clients are disabled', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const s = createSuiSimulator({ token: TOKEN, clock });
    await save(s, 'new', client('held', { delayStart: true, resetDays: 2 }));
    await save(s, 'new', client('capped', { volume: 100 }));
    await s.addTraffic('held', 1, 1);
    await s.addTraffic('capped', 60, 60);
    expect(s.enforce()).toEqual(['capped']);
    const now = Math.floor(clock.now().getTime() / 1000);
    expect([s.client('held')!.delayStart, s.client('held')!.expiry]).toEqual([false, now + 2 * 86_400]);
    clock.advance(3 * 86_400_000);
    expect(s.enforce()).toEqual(['held']);
    expect(s.client('held')!.enable).toBe(false);
  });

  it('reports online users and the subscription URI with its always-present port', async () => {
    const s = sim();
    await save(s, 'new', client('alice'));
    expect((await get(s, 'onlines')).obj).toEqual({});
    s.setOnline('alice');
    expect((await get(s, 'onlines')).obj).toEqual({ user: ['alice'] });
    expect((await get(s, 'load')).obj.subURI).toBe('http://203.0.113.7:2096/sub/');
  });

  it('session API: form login sets the s-ui cookie; without it XHR gets "Invalid login", others a 307', async () => {
    const s = sim();
    const xhr = await s.handle(new Request(`${ORIGIN}/app/api/clients`, { headers: { 'X-Requested-With': 'XMLHttpRequest' } }));
    expect(await body(xhr)).toEqual({ success: false, msg: 'Invalid login', obj: null });
    const plain = await s.handle(new Request(`${ORIGIN}/app/api/clients`));
    expect([plain.status, plain.headers.get('location')]).toEqual([307, '/login']);
    const jsonLogin = await s.handle(
      new Request(`${ORIGIN}/app/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"user":"admin","pass":"admin"}',
      }),
    );
    expect((await body(jsonLogin)).success).toBe(false);
    const login = await s.handle(
      new Request(`${ORIGIN}/app/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'user=admin&pass=admin',
      }),
    );
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const listed = await s.handle(new Request(`${ORIGIN}/app/api/clients`, { headers: { cookie } }));
    expect((await body(listed)).success).toBe(true);
    expect(s.loginCount()).toBe(1);
  });

  it('seeds 20 000 clients', async () => {
    const s = sim();
    s.seedClients(20_000);
    expect(s.clients.size).toBe(20_000);
    expect((await get(s, 'clients')).obj.clients).toHaveLength(20_000);
  });
});
