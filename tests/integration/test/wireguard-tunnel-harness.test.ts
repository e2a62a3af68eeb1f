/**
 * The WireGuard tunnel harness on its own: keys from `wg genkey`, a client `.conf` written by hand as a panel writes
 * one (wg-quick keys, a full-tunnel AllowedIPs, a public Endpoint the harness replaces), a real userspace tunnel
 * between two namespaces carrying TCP, and the server's peer removed cutting it. Runs where the machine allows
 * (root, /dev/net/tun, Debian's wireguard-go and wg); skips saying why elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { openTunnelLab, tunnelSupport, type TunnelLab } from './support/wireguard-tunnel.js';

const support = tunnelSupport();

/** A fresh X25519 pair from wg. */
function keyPair(): { privateKey: string; publicKey: string } {
  const privateKey = spawnSync('wg', ['genkey'], { encoding: 'utf8' }).stdout.trim();
  const publicKey = spawnSync('wg', ['pubkey'], { input: `${privateKey}\n`, encoding: 'utf8' }).stdout.trim();
  return { privateKey, publicKey };
}

const ECHO_PORT = 7000;

describe.skipIf(!support.ok)(`a WireGuard tunnel between two namespaces${support.ok ? '' : ` (skipped: ${support.why})`}`, () => {
  let lab: TunnelLab | undefined;
  afterAll(async () => {
    const namespaces = lab === undefined ? [] : [lab.server.namespace, lab.client.namespace];
    await lab?.close();
    const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    for (const namespace of namespaces) expect(left).not.toContain(namespace);
  });

  it('carries traffic for a configured peer with a preshared key, and stops when the peer is removed', async () => {
    lab = await openTunnelLab();
    const serverKeys = keyPair();
    const clientKeys = keyPair();
    const presharedKey = spawnSync('wg', ['genpsk'], { encoding: 'utf8' }).stdout.trim();
    const peer = { publicKey: clientKeys.publicKey, allowedIps: ['10.66.0.2/32'], presharedKey };
    const server = await lab.startServer({
      privateKey: serverKeys.privateKey,
      listenPort: 51820,
      addresses: ['10.66.0.1/24'],
      peers: [peer],
    });
    expect(server.publicKey).toBe(serverKeys.publicKey);
    expect(await server.peers()).toEqual([clientKeys.publicKey]);

    const conf = [
      '[Interface]',
      `PrivateKey = ${clientKeys.privateKey}`,
      'Address = 10.66.0.2/32',
      'DNS = 1.1.1.1',
      'MTU = 1380',
      '',
      '[Peer]',
      `PublicKey = ${server.publicKey}`,
      `PresharedKey = ${presharedKey}`,
      'AllowedIPs = 0.0.0.0/0, ::/0',
      'Endpoint = vpn.example.com:51820',
      'PersistentKeepalive = 25',
    ].join('\n');
    const client = await lab.bringUpClient(conf, { endpoint: server.endpoint });
    expect(client).toMatchObject({ addresses: ['10.66.0.2/32'], routes: ['10.66.0.1/32'] });

    await lab.startEcho(lab.server.namespace, '10.66.0.1', ECHO_PORT);
    // The veth alone reaches the server's veth address, never its tunnel address: only the tunnel carries that.
    expect(await lab.canReach(lab.client.namespace, '10.66.0.1', ECHO_PORT)).toBe(true);

    await server.setPeers([]);
    expect(await server.peers()).toEqual([]);
    expect(await lab.canReach(lab.client.namespace, '10.66.0.1', ECHO_PORT)).toBe(false);

    await server.setPeers([peer]);
    await client.reconnect();
    expect(await lab.canReach(lab.client.namespace, '10.66.0.1', ECHO_PORT)).toBe(true);
  });

  it('carries nothing for a peer the server holds with another preshared key', async () => {
    const other = await openTunnelLab();
    try {
      const serverKeys = keyPair();
      const clientKeys = keyPair();
      const server = await other.startServer({
        privateKey: serverKeys.privateKey,
        listenPort: 51820,
        addresses: ['10.66.0.1/24'],
        peers: [{ publicKey: clientKeys.publicKey, allowedIps: ['10.66.0.2/32'], presharedKey: keyPair().privateKey }],
      });
      const conf = `[Interface]\nPrivateKey = ${clientKeys.privateKey}\nAddress = 10.66.0.2/32\n[Peer]\nPublicKey = ${server.publicKey}\nAllowedIPs = 10.66.0.0/24\n`;
      expect((await other.bringUpClient(conf, { endpoint: server.endpoint })).routes).toEqual(['10.66.0.1/32', '10.66.0.0/24']);
      await other.startEcho(other.server.namespace, '10.66.0.1', ECHO_PORT);
      expect(await other.canReach(other.client.namespace, '10.66.0.1', ECHO_PORT)).toBe(false);
    } finally {
      await other.close();
    }
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(other.server.namespace);
  });
});
