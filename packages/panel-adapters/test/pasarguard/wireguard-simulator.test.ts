/** What the simulated PasarGuard does for WireGuard, as the panel's source says (docs/design/product-kinds-panels.md §1). */
import { inflateRawSync } from 'node:zlib';
import { wireGuardKeyPairOf, wireGuardPublicKey } from '@panelkit/sdk/adapter';
import { describe, expect, it } from 'vitest';
import { raw, setup, useMsw } from './setup.js';
import { CORE_PSK, SERVER_KEYS, wireGuardOptions } from './wireguard-setup.js';

useMsw();

const KEYS = wireGuardKeyPairOf(Buffer.alloc(32, 1));
const OTHER_KEYS = wireGuardKeyPairOf(Buffer.alloc(32, 2));
const wgUser = (username: string, wireguard?: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  username,
  group_ids: [3],
  status: 'active',
  ...(wireguard ? { proxy_settings: { wireguard } } : {}),
  ...over,
});

type Wg = { private_key: string | null; public_key: string | null; peer_ips: string[] };
async function created(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await raw('/api/user', { method: 'POST', json: body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
const wgOf = (user: Record<string, unknown>) => (user.proxy_settings as { wireguard: Wg }).wireguard;

/** The files of a ZIP archive (local headers in order), read independently of the writer. */
function unzip(data: Buffer): { name: string; text: string }[] {
  const files: { name: string; text: string }[] = [];
  let at = 0;
  while (data.readUInt32LE(at) === 0x04034b50) {
    const method = data.readUInt16LE(at + 8);
    const size = data.readUInt32LE(at + 18);
    const nameLength = data.readUInt16LE(at + 26);
    const extra = data.readUInt16LE(at + 28);
    const name = data.subarray(at + 30, at + 30 + nameLength).toString('utf8');
    const body = data.subarray(at + 30 + nameLength + extra, at + 30 + nameLength + extra + size);
    expect(method, 'deflated').toBe(8);
    files.push({ name, text: inflateRawSync(body).toString('utf8') });
    at += 30 + nameLength + extra + size;
  }
  const end = data.length - 22;
  expect(data.readUInt32LE(end), 'an end-of-central-directory record').toBe(0x06054b50);
  expect(data.readUInt16LE(end + 10), 'the directory lists every file').toBe(files.length);
  return files;
}

describe('simulated pasarguard: WireGuard cores', () => {
  it('POST /api/core validates a wg config with the panel messages, answers 201, and GET /api/cores lists it', async () => {
    setup(wireGuardOptions());
    const config = (over: Record<string, unknown>) => ({
      interface_name: 'wg1',
      private_key: OTHER_KEYS.privateKey,
      listen_port: 51821,
      address: ['10.9.0.1/24'],
      ...over,
    });
    const cases: [Record<string, unknown>, string][] = [
      [{ interface_name: '' }, 'interface_name is required'],
      [{ interface_name: '-bad' }, "interface_name must start with a letter or digit and contain only letters, digits, '_', '.', or '-'"],
      [{ private_key: 'abc' }, 'Invalid private_key.'],
      [{ pre_shared_key: 'abc' }, 'Invalid pre_shared_key.'],
      [{ listen_port: 70000 }, 'listen_port must be an integer between 1 and 65535'],
      [{ address: [] }, 'WireGuard core needs an IPv4 or IPv6 interface address'],
      [
        { address: ['10.8.0.129/25'] },
        "WireGuard subnet 10.8.0.128/25 overlaps 10.8.0.0/24 of core 'wg0' — use the identical CIDR or a disjoint subnet",
      ],
    ];
    for (const [over, detail] of cases) {
      const response = await raw('/api/core', { method: 'POST', json: { name: 'wg1', type: 'wg', config: config(over) } });
      expect([response.status, await response.json()]).toEqual([400, { detail }]);
    }
    const ok = await raw('/api/core', { method: 'POST', json: { name: 'wg1', type: 'wg', config: config({}) } });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ name: 'wg1', type: 'wg', config: config({}), exclude_inbound_tags: [] });
    const cores = (await (await raw('/api/cores')).json()) as { count: number; cores: { type: string; config: Record<string, unknown> }[] };
    expect(cores.cores.map((core) => core.type)).toEqual(['xray', 'wg', 'wg']);
    // The panel stores the config as sent: the server's public key is derived, not written into it.
    expect(cores.cores[1]!.config).toEqual({
      interface_name: 'wg0',
      private_key: SERVER_KEYS.privateKey,
      pre_shared_key: CORE_PSK,
      listen_port: 51820,
      address: ['10.8.0.1/24'],
    });
  });
});

describe('simulated pasarguard: WireGuard users', () => {
  it('keeps a given private key and derives its public key; no key gets a random pair; a user off WireGuard gets none', async () => {
    setup(wireGuardOptions());
    const given = await created(wgUser('wg_given', { private_key: KEYS.privateKey, peer_ips: ['10.8.0.200/32'] }));
    expect(given.status).toBe(201);
    // Peer IPs are never taken from input: the lowest free address, the server's (.1) reserved.
    expect(wgOf(given.json)).toEqual({ private_key: KEYS.privateKey, public_key: KEYS.publicKey, peer_ips: ['10.8.0.2/32'] });
    const random = wgOf((await created(wgUser('wg_random'))).json);
    expect(random.public_key).toBe(wireGuardPublicKey(random.private_key!));
    expect(random.peer_ips).toEqual(['10.8.0.3/32']);
    const xray = wgOf((await created(wgUser('xray_only', undefined, { group_ids: [1] }))).json);
    expect(xray).toEqual({ private_key: null, public_key: null, peer_ips: [] });
  });

  it('refuses a public key alone, a malformed private key and a public key another user holds, creating nothing', async () => {
    const { sim } = setup(wireGuardOptions());
    await created(wgUser('wg_first', { private_key: KEYS.privateKey }));
    expect(await created(wgUser('wg_pub', { public_key: OTHER_KEYS.publicKey }))).toEqual({
      status: 400,
      json: { detail: 'wireguard private_key is required when user is assigned to a WireGuard interface' },
    });
    expect(await created(wgUser('wg_bad', { private_key: Buffer.from('short').toString('base64') }))).toEqual({
      status: 422,
      json: { detail: { private_key: 'Value error, Invalid private_key.' } },
    });
    expect(await created(wgUser('wg_clash', { private_key: KEYS.privateKey }))).toEqual({
      status: 400,
      json: { detail: 'wireguard public_key is already assigned to another user' },
    });
    // The keys are checked before the name: the same create again is that 400, not "User already exists".
    expect((await created(wgUser('wg_first', { private_key: KEYS.privateKey }))).status).toBe(400);
    expect(sim.userCount).toBe(1);
  });

  it('gives the lowest free address, frees it on delete and when the user leaves the group; a full subnet is a 400 that creates nothing', async () => {
    const { sim } = setup(wireGuardOptions('10.8.0.1/29'));
    // A /29: 8 addresses, less the network, the broadcast and the server's .1 = 5 for peers.
    for (let i = 0; i < 5; i++) expect(wgOf((await created(wgUser(`wg_${i}`))).json).peer_ips).toEqual([`10.8.0.${i + 2}/32`]);
    const subnets = async () => (await (await raw('/api/wireguard/subnets')).json()) as Record<string, unknown>[];
    expect(await subnets()).toEqual([{ subnet: '10.8.0.0/29', interface_tags: ['wg0'], capacity: 5, used: 5, free: 0, free_ips: [] }]);
    expect(await created(wgUser('wg_late'))).toEqual({
      status: 400,
      json: { detail: 'WireGuard subnet 10.8.0.0/29 has no free addresses' },
    });
    expect(sim.user('wg_late')).toBeUndefined();

    expect((await raw('/api/user/wg_1', { method: 'DELETE' })).status).toBe(204);
    expect(wgOf((await created(wgUser('wg_late'))).json).peer_ips).toEqual(['10.8.0.3/32']);
    const moved = await raw('/api/user/wg_2', { method: 'PUT', json: { group_ids: [1] } });
    expect(wgOf((await moved.json()) as Record<string, unknown>).peer_ips).toEqual([]);
    expect(await subnets()).toMatchObject([{ used: 4, free: 1, free_ips: ['10.8.0.4'] }]);
    const back = await raw('/api/user/wg_2', { method: 'PUT', json: { group_ids: [3] } });
    expect(wgOf((await back.json()) as Record<string, unknown>).peer_ips).toEqual(['10.8.0.4/32']);
    // Full again: moving another user in is refused and changes nothing.
    await created(wgUser('xray_user', undefined, { group_ids: [1] }));
    const refused = await raw('/api/user/xray_user', { method: 'PUT', json: { group_ids: [3] } });
    expect([refused.status, await refused.json()]).toEqual([400, { detail: 'WireGuard subnet 10.8.0.0/29 has no free addresses' }]);
    expect(sim.user('xray_user')!.groupIds).toEqual([1]);
  });

  it('a PUT without proxy_settings keeps the keys; one with proxy_settings but no wireguard block rotates them; revoke_sub rotates and keeps the address', async () => {
    const { sim } = setup(wireGuardOptions());
    await created(wgUser('wg_keys', { private_key: KEYS.privateKey }));
    const plain = await raw('/api/user/wg_keys', { method: 'PUT', json: { data_limit: 1000 } });
    expect(wgOf((await plain.json()) as Record<string, unknown>)).toEqual({
      private_key: KEYS.privateKey,
      public_key: KEYS.publicKey,
      peer_ips: ['10.8.0.2/32'],
    });
    const trap = await raw('/api/user/wg_keys', {
      method: 'PUT',
      json: { proxy_settings: { vless: { id: sim.user('wg_keys')!.proxySettings.vless.id } } },
    });
    const rotated = wgOf((await trap.json()) as Record<string, unknown>);
    expect(rotated.public_key).not.toBe(KEYS.publicKey);
    expect(rotated.public_key).toBe(wireGuardPublicKey(rotated.private_key!));
    expect(rotated.peer_ips).toEqual(['10.8.0.2/32']);
    const revoked = await raw('/api/user/wg_keys/revoke_sub', { method: 'POST' });
    const afterRevoke = wgOf((await revoked.json()) as Record<string, unknown>);
    expect(afterRevoke.public_key).not.toBe(rotated.public_key);
    expect(afterRevoke.peer_ips).toEqual(['10.8.0.2/32']);
  });

  it('a core added later gives the users of groups reaching it keys and addresses', async () => {
    const { sim } = setup({ groups: [{ name: 'WG later', inboundTags: ['wg9'], isDisabled: false }] });
    await created({ username: 'early_user', group_ids: [1], status: 'active' });
    expect(sim.user('early_user')!.proxySettings.wireguard.peer_ips).toEqual([]);
    sim.addWireGuardCore({
      config: { interface_name: 'wg9', private_key: OTHER_KEYS.privateKey, listen_port: 51829, address: ['10.7.0.1/24'] },
    });
    const wg = sim.user('early_user')!.proxySettings.wireguard;
    expect(wg.peer_ips).toEqual(['10.7.0.2/32']);
    expect(wg.public_key).toBe(wireGuardPublicKey(wg.private_key!));
  });
});

describe('simulated pasarguard: WireGuard delivery and the node', () => {
  it('serves /sub/<token>/wireguard as a zip of one .conf per host, even for one, and wireguard:// links in the links format', async () => {
    setup(
      wireGuardOptions('10.8.0.1/24', {
        wireGuardCores: [
          {
            config: {
              interface_name: 'wg0',
              private_key: SERVER_KEYS.privateKey,
              pre_shared_key: CORE_PSK,
              listen_port: 51820,
              address: ['10.8.0.1/24'],
            },
            hosts: [
              { remark: 'Main host', address: 'wg.example.com', dns: ['1.1.1.1', '8.8.8.8'], mtu: 1380, keepaliveSeconds: 25 },
              { remark: 'EU/backup', port: 443, allowedIps: ['10.0.0.0/8'] },
            ],
          },
        ],
      }),
    );
    const user = (await created(wgUser('wg_sub', { private_key: KEYS.privateKey }))).json;
    const url = `http://pasarguard.test${user.subscription_url as string}`;
    const zip = await fetch(`${url}/wireguard`);
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    expect(zip.headers.get('content-disposition')).toBe('attachment; filename="wg_sub.zip"');
    const files = unzip(Buffer.from(await zip.arrayBuffer()));
    expect(files.map((file) => file.name)).toEqual(['Main_host.conf', 'EU_backup.conf']);
    expect(files[0]!.text).toBe(
      [
        '[Interface]',
        `PrivateKey = ${KEYS.privateKey}`,
        'Address = 10.8.0.2/32',
        'MTU = 1380',
        'DNS = 1.1.1.1, 8.8.8.8',
        '',
        '[Peer]',
        `PublicKey = ${SERVER_KEYS.publicKey}`,
        'AllowedIPs = 0.0.0.0/0, ::/0',
        'Endpoint = wg.example.com:51820',
        `PresharedKey = ${CORE_PSK}`,
        'PersistentKeepalive = 25',
      ].join('\n'),
    );
    expect(files[1]!.text).toContain('Endpoint = 203.0.113.20:443');

    const links = (await (await fetch(`${url}/links`)).text()).split('\n');
    const q = (text: string) => encodeURIComponent(text);
    expect(links[0]).toBe(
      `wireguard://${q(KEYS.privateKey)}@wg.example.com:51820/?publickey=${q(SERVER_KEYS.publicKey)}&address=10.8.0.2%2F32&mtu=1380` +
        `&allowedips=0.0.0.0%2F0%2C%3A%3A%2F0&keepalive=25&dns=1.1.1.1%2C8.8.8.8&presharedkey=${q(CORE_PSK)}#Main%20host`,
    );
    expect(new URL(links[1]!).searchParams.get('allowedips')).toBe('10.0.0.0/8');

    // One host is still a zip.
    const single = setup(wireGuardOptions()).sim;
    const one = (await created(wgUser('wg_one'))).json;
    expect(single.user('wg_one')).toBeDefined();
    const oneZip = await fetch(`http://pasarguard.test${one.subscription_url as string}/wireguard`);
    expect(oneZip.headers.get('content-type')).toBe('application/zip');
    expect(unzip(Buffer.from(await oneZip.arrayBuffer())).map((file) => file.name)).toEqual(['wg0_(wg_one).conf']);
  });

  it('wireGuardPeers shows what the node holds: active and on-hold users, not expired, limited or disabled ones', async () => {
    const { sim, clock } = setup(wireGuardOptions());
    await created(wgUser('wg_active', { private_key: KEYS.privateKey }));
    await created(wgUser('wg_hold', undefined, { status: 'on_hold', on_hold_expire_duration: 3600 }));
    await created(wgUser('wg_off'));
    await created(wgUser('wg_expiring', undefined, { expire: Math.floor(clock.now().getTime() / 1000) + 60 }));
    await created(wgUser('wg_limited', undefined, { data_limit: 100 }));
    await raw('/api/user/wg_off', { method: 'PUT', json: { status: 'disabled' } });
    await sim.addTraffic('wg_limited', 50, 50);
    clock.advance(120_000);
    sim.enforce();
    const node = sim.wireGuardPeers('wg0');
    expect(node).toMatchObject({
      listenPort: 51820,
      privateKey: SERVER_KEYS.privateKey,
      preSharedKey: CORE_PSK,
      addresses: ['10.8.0.1/24'],
    });
    expect(node.peers.map((peer) => peer.username)).toEqual(['wg_active', 'wg_hold']);
    expect(node.peers[0]).toEqual({ username: 'wg_active', publicKey: KEYS.publicKey, allowedIps: ['10.8.0.2/32'] });
    expect(await sim.canConnect('wg_off')).toBe(false);
    expect(await sim.canConnect('wg_active')).toBe(true);
  });
});
