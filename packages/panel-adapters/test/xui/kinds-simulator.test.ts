/** The 3x-ui simulator's WireGuard (v3.4.2+) and MTProto (v3.5+) clients, per behaviour and per version gate. */
import { wireGuardKeyPairOf } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/testing';
import { describe, expect, it } from 'vitest';
import { createXuiSimulator, type XuiSimulator } from '../../src/simulators/xui/index.js';

const BASE = 'http://panel.test/base/';
const DOMAIN_HEX = Buffer.from('www.cloudflare.com').toString('hex');
const SERVER = wireGuardKeyPairOf(new Uint8Array(32).fill(9));

interface Envelope {
  success: boolean;
  msg: string;
  obj: unknown;
}

function panel(version: string) {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const sim = createXuiSimulator({ version, basePath: '/base/', clock, apiTokens: ['tok'] });
  const wg = sim.addInbound({ remark: 'WG', protocol: 'wireguard', port: 51820, settings: { secretKey: SERVER.privateKey, mtu: 1420 } });
  const tg = sim.addInbound({ remark: 'TG', protocol: 'mtproto', port: 8443, settings: { fakeTlsDomain: 'www.cloudflare.com' } });
  return { sim, clock, wg, tg };
}

async function api(sim: XuiSimulator, path: string, body?: unknown): Promise<Envelope> {
  const res = await sim.handle(
    new Request(`${BASE}panel/api/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return (await res.json()) as Envelope;
}

const add = (sim: XuiSimulator, inboundId: number, client: Record<string, unknown>) =>
  api(sim, 'clients/add', { client: { subId: `sub-${String(client.email)}`, ...client }, inboundIds: [inboundId] });
const record = async (sim: XuiSimulator, email: string) =>
  ((await api(sim, `clients/get/${email}`)).obj as { client: Record<string, unknown> }).client;

describe('3x-ui simulator: WireGuard clients (v3.4.2+)', () => {
  it('makes a key pair and the first /32 from .2 when none is given; the record carries allowedIPs as CSV', async () => {
    const { sim, wg } = panel('3.5.0');
    expect((await add(sim, wg.id, { email: 'a' })).success).toBe(true);
    expect((await add(sim, wg.id, { email: 'b' })).success).toBe(true);
    const a = await record(sim, 'a');
    expect(a.allowedIPs).toBe('10.0.0.2/32');
    expect(await record(sim, 'b')).toMatchObject({ allowedIPs: '10.0.0.3/32' });
    expect(wireGuardKeyPairOf(Buffer.from(String(a.privateKey), 'base64')).publicKey).toBe(a.publicKey);
    expect(sim.client('a')!.allowedIPs).toEqual(['10.0.0.2/32']);
  });

  it('derives the public key of a given private key (base64 or 64 hex), and refuses one that is not 32 bytes', async () => {
    const { sim, wg } = panel('3.5.0');
    const pair = wireGuardKeyPairOf(new Uint8Array(32).fill(3));
    await add(sim, wg.id, { email: 'b64', privateKey: pair.privateKey });
    await add(sim, wg.id, { email: 'hex', privateKey: Buffer.from(pair.privateKey, 'base64').toString('hex') });
    expect((await record(sim, 'b64')).publicKey).toBe(pair.publicKey);
    expect((await record(sim, 'hex')).publicKey).toBe(pair.publicKey);
    const bad = await add(sim, wg.id, { email: 'bad', privateKey: Buffer.alloc(16).toString('base64') });
    expect(bad).toMatchObject({ success: false, msg: 'Something went wrong (wireguard: key must decode to 32 bytes\n)' });
    expect(sim.client('bad')).toBeUndefined();
  });

  it('normalises a supplied allowedIPs, refuses a bad entry and one another client holds', async () => {
    const { sim, wg } = panel('3.5.0');
    await add(sim, wg.id, { email: 'a', allowedIPs: ['10.0.0.9', '10.0.0.9/32'] });
    expect(sim.client('a')!.allowedIPs).toEqual(['10.0.0.9/32']);
    expect((await add(sim, wg.id, { email: 'b', allowedIPs: ['10.0.0.9'] })).msg).toBe(
      'Something went wrong (wireguard: allowedIPs entry already used by another client: 10.0.0.9/32\n)',
    );
    expect((await add(sim, wg.id, { email: 'c', allowedIPs: ['10.0.0.300'] })).msg).toBe(
      'Something went wrong (wireguard: invalid allowedIPs entry: 10.0.0.300\n)',
    );
    // The base is the /24 of the first client: the next allocation skips the taken .9 only.
    await add(sim, wg.id, { email: 'd' });
    expect(sim.client('d')!.allowedIPs).toEqual(['10.0.0.2/32']);
  });

  it('a full /24 is exhausted before v3.6.0, and widens to its /16 from v3.6.0 (then the /16 is exhausted)', async () => {
    const old = panel('3.5.0');
    await old.sim.fillPool({ remoteRef: String(old.wg.id) }, 0);
    expect((await add(old.sim, old.wg.id, { email: 'late' })).msg).toBe(
      'Something went wrong (wireguard: no free address available in 10.0.0.0/24\n)',
    );
    expect(old.sim.client('late')).toBeUndefined();
    const wide = panel('3.6.0');
    await add(wide.sim, wide.wg.id, { email: 'first' });
    await wide.sim.fillPool({ remoteRef: String(wide.wg.id) }, 65_534 - 254);
    await add(wide.sim, wide.wg.id, { email: 'next' });
    expect(wide.sim.client('next')!.allowedIPs).toEqual(['10.0.1.0/32']);
    await wide.sim.fillPool({ remoteRef: String(wide.wg.id) }, 0);
    expect((await add(wide.sim, wide.wg.id, { email: 'late' })).msg).toBe(
      'Something went wrong (wireguard: no free address available in 10.0.0.0/16\n)',
    );
    // A full /16 given back in one call (the test control frees its placeholders in one pass).
    await wide.sim.fillPool({ remoteRef: String(wide.wg.id) }, 3);
    expect((await add(wide.sim, wide.wg.id, { email: 'after' })).success).toBe(true);
    expect(await wide.sim.peerAddresses({ remoteRef: String(wide.wg.id) })).toHaveLength(65_534 - 3 + 1);
  });

  it('an update keeps keys and address when they are left out, and refuses allowedIPs sent as a string', async () => {
    const { sim, wg } = panel('3.5.0');
    await add(sim, wg.id, { email: 'a' });
    const before = await record(sim, 'a');
    expect((await api(sim, 'clients/update/a', { email: 'a', enable: true, totalGB: 5 })).success).toBe(true);
    expect(await record(sim, 'a')).toMatchObject({
      privateKey: before.privateKey,
      publicKey: before.publicKey,
      allowedIPs: '10.0.0.2/32',
      totalGB: 5,
    });
    const csv = await api(sim, 'clients/update/a', { ...before, enable: true });
    expect(csv.success).toBe(false);
    expect(csv.msg).toContain('cannot unmarshal string');
  });

  it('links: wireguard:// with the private key, sorted query and the server key from secretKey; in the sub output too', async () => {
    const { sim, wg } = panel('3.5.0');
    await add(sim, wg.id, { email: 'a', keepAlive: 25 });
    const client = sim.client('a')!;
    const [link] = (await api(sim, 'clients/links/a')).obj as string[];
    const key = encodeURIComponent(String(client.privateKey));
    expect(link).toBe(
      `wireguard://${key}@panel.test:51820?address=10.0.0.2%2F32&keepalive=25&mtu=1420&publickey=${encodeURIComponent(SERVER.publicKey)}#WG-a`,
    );
    const sub = await sim.subscriptionService()(new Request('http://panel.test:2096/sub/sub-a'));
    expect(Buffer.from(await sub.text(), 'base64').toString()).toBe(`${link}\n`);
  });

  it('before v3.4.2 a WireGuard inbound has no clients: the client API refuses and the sub has no link', async () => {
    const { sim, wg } = panel('3.4.1');
    expect((await add(sim, wg.id, { email: 'a' })).msg).toBe('Something went wrong (empty client ID\n)');
    expect(sim.client('a')).toBeUndefined();
    expect(((await api(sim, 'inbounds/options')).obj as Record<string, unknown>[])[0]).not.toHaveProperty('wgPublicKey');
  });

  it('expiry and the switch apply: a disabled or expired peer cannot connect', async () => {
    const { sim, wg, clock } = panel('3.5.0');
    await add(sim, wg.id, { email: 'a', expiryTime: Date.parse('2026-01-02T00:00:00Z') });
    expect(await sim.canConnect('a')).toBe(true);
    clock.advance(2 * 86_400_000);
    expect(await sim.canConnect('a')).toBe(false);
  });
});

describe('3x-ui simulator: MTProto clients (v3.5+)', () => {
  it('generates ee + 32 hex + hex(fakeTlsDomain) when no secret is given; the options name the domain', async () => {
    const { sim, tg } = panel('3.5.0');
    await add(sim, tg.id, { email: 'a' });
    expect(String(sim.client('a')!.secret)).toMatch(new RegExp(`^ee[0-9a-f]{32}${DOMAIN_HEX}$`));
    expect(await record(sim, 'a')).toMatchObject({ secret: sim.client('a')!.secret });
    expect(((await api(sim, 'inbounds/options')).obj as Record<string, unknown>[])[1]).toMatchObject({
      mtprotoDomain: 'www.cloudflare.com',
    });
    expect(await sim.canConnect('a')).toBe(true);
  });

  it('stores a plain or dd secret as given (no healing), and mtg then fails for every client of the inbound (#6036)', async () => {
    const { sim, tg } = panel('3.5.0');
    await add(sim, tg.id, { email: 'good' });
    const core = 'ab'.repeat(16);
    expect((await add(sim, tg.id, { email: 'plain', secret: core })).success).toBe(true);
    expect(sim.client('plain')!.secret).toBe(core);
    expect(await sim.canConnect('good')).toBe(false);
    expect(await sim.canConnect('plain')).toBe(false);
    // An admin's inbound save heals every secret to ee, keeping the middle, and mtg runs again.
    expect(sim.saveInbound(tg.id)).toBe(1);
    expect(sim.client('plain')!.secret).toBe(`ee${core}${DOMAIN_HEX}`);
    expect(await sim.canConnect('good')).toBe(true);
  });

  it('a disabled client is left out of the config, so its bad secret does not stop mtg', async () => {
    const { sim, tg } = panel('3.5.0');
    await add(sim, tg.id, { email: 'good' });
    await add(sim, tg.id, { email: 'dd', secret: `dd${'cd'.repeat(16)}` });
    await api(sim, 'clients/bulkDisable', { emails: ['dd'] });
    expect(await sim.canConnect('good')).toBe(true);
  });

  it('a link is tg://proxy with sorted keys and no fragment', async () => {
    const { sim, tg } = panel('3.5.0');
    await add(sim, tg.id, { email: 'a' });
    expect((await api(sim, 'clients/links/a')).obj).toEqual([
      `tg://proxy?port=8443&secret=${String(sim.client('a')!.secret)}&server=panel.test`,
    ]);
  });

  it('3.3 – 3.4 keep one inbound secret: the client API refuses a client; a node-hosted inbound never runs mtg', async () => {
    const old = panel('3.4.2');
    expect((await add(old.sim, old.tg.id, { email: 'a' })).msg).toBe('Something went wrong (empty client ID\n)');
    const { sim } = panel('3.5.0');
    const remote = sim.addInbound({
      remark: 'TG-node',
      protocol: 'mtproto',
      port: 9443,
      nodeId: 2,
      settings: { fakeTlsDomain: 'a.example' },
    });
    await add(sim, remote.id, { email: 'r' });
    expect(await sim.canConnect('r')).toBe(false);
    expect(((await api(sim, 'inbounds/options')).obj as Record<string, unknown>[])[2]).toMatchObject({ nodeId: 2 });
  });

  it('quota and expiry apply to MTProto clients (mtg-multi limits)', async () => {
    const { sim, tg } = panel('3.5.0');
    await add(sim, tg.id, { email: 'a', totalGB: 1000 });
    await sim.addTraffic('a', 600, 600);
    expect(await sim.canConnect('a')).toBe(false);
  });
});
