/**
 * The WireGuard tunnel harness's pure parts: reading a client `.conf` into what `wg setconf` takes (cross-checked
 * against wg-quick's own `strip` where it can run), and the IPv4 subnet test that picks the routes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ipv4NetworkContains, parseIpv4Cidr } from './support/ipv4-cidr.js';
import { parseWgClientConf } from './support/wireguard-conf.js';

const PRIVATE = 'YFyZ2Ar0Pms4yb0Rr5kGbsmLa3WjYqnYDQVZuXgLvVg=';
const SERVER = 'PreuTXJxudwj5dmQvQOj8V1f31oHjI4FNJ+hMAG7MS4=';
const PSK = 'Jd9q2Gg8K8qk2YQm4PZ0hQk0mI9cVwB4C3x7Y2d5Z1M=';

/** A `.conf` as PasarGuard writes one, with wg-quick's keys, PasarGuard's Reserved and a comment. */
const PANEL_CONF = `[Interface]
PrivateKey = ${PRIVATE}
Address = 10.66.0.2/32, fd66::2/128
MTU = 1380
Reserved = 1,2,3
DNS = 1.1.1.1

# the server
[Peer]
PublicKey = ${SERVER}
AllowedIPs = 0.0.0.0/0, ::/0
Endpoint = vpn.example.com:51820
PresharedKey = ${PSK}
PersistentKeepalive = 25
`;

/** wg-quick itself, where it runs (it re-runs itself through sudo when not root). */
const WG_QUICK = spawnSync('wg-quick', ['--help']).error === undefined && process.getuid?.() === 0;

describe('parseWgClientConf', () => {
  it('keeps only the keys wg setconf knows, lists the addresses and peers, and replaces the endpoint', () => {
    const conf = parseWgClientConf(PANEL_CONF, { endpoint: '198.18.7.1:51820' });
    expect(conf.setconf).toBe(
      [
        '[Interface]',
        `PrivateKey = ${PRIVATE}`,
        '[Peer]',
        `PublicKey = ${SERVER}`,
        'AllowedIPs = 0.0.0.0/0, ::/0',
        `PresharedKey = ${PSK}`,
        'PersistentKeepalive = 25',
        'Endpoint = 198.18.7.1:51820',
        '',
      ].join('\n'),
    );
    expect(conf.addresses).toEqual(['10.66.0.2/32', 'fd66::2/128']);
    expect(conf.peers).toEqual([{ publicKey: SERVER, allowedIps: ['0.0.0.0/0', '::/0'], endpoint: 'vpn.example.com:51820' }]);
  });

  it('keeps the endpoint as written without an override, and reads keys in any case and repeated Address lines', () => {
    const conf = parseWgClientConf(
      `[interface]\nprivatekey=${PRIVATE}\naddress=10.0.0.2/32\nADDRESS = 10.1.0.2/32\n[PEER]\npublickey=${SERVER}\nendpoint=h:1\n`,
    );
    expect(conf.setconf).toBe(`[Interface]\nprivatekey = ${PRIVATE}\n[Peer]\npublickey = ${SERVER}\nendpoint = h:1\n`);
    expect(conf.addresses).toEqual(['10.0.0.2/32', '10.1.0.2/32']);
  });

  it('adds the endpoint to a peer that has none', () => {
    const conf = parseWgClientConf(`[Interface]\nPrivateKey = ${PRIVATE}\n[Peer]\nPublicKey = ${SERVER}\n`, { endpoint: '198.18.0.1:9' });
    expect(conf.setconf.endsWith(`PublicKey = ${SERVER}\nEndpoint = 198.18.0.1:9\n`)).toBe(true);
  });

  it.each([
    ['no PrivateKey', `[Interface]\nAddress = 10.0.0.2/32\n[Peer]\nPublicKey = ${SERVER}\n`, /no \[Interface\] with a PrivateKey/],
    [
      'a peer without PublicKey',
      `[Interface]\nPrivateKey = ${PRIVATE}\n[Peer]\nAllowedIPs = 0.0.0.0/0\n`,
      /\[Peer\] at line 3 .*no PublicKey/,
    ],
    ['a line that is no Key = Value', `[Interface]\nPrivateKey = ${PRIVATE}\nthis is not\n`, /line 3 .*not "Key = Value"/],
    ['a key before any section', `PrivateKey = ${PRIVATE}\n`, /line 1 .*before any \[Interface\]/],
    ['an unknown section', `[Interface]\nPrivateKey = ${PRIVATE}\n[Server]\n`, /line 3 .*unknown section \[server\]/],
    ['two [Interface] sections', `[Interface]\nPrivateKey = ${PRIVATE}\n[Interface]\n`, /line 3 .*a second \[Interface\]/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseWgClientConf(text)).toThrow(message);
  });

  it.skipIf(!WG_QUICK)(`strips what wg-quick strip strips${WG_QUICK ? '' : ' (skipped: no wg-quick run as root here)'}`, () => {
    // wg-quick strip keeps keys it does not know (Reserved), which wg setconf refuses: compare on a conf without them.
    const standard = PANEL_CONF.replace(/^Reserved.*\n/m, '');
    const dir = mkdtempSync(join(tmpdir(), 'panelkit-wgq-'));
    try {
      const file = join(dir, 'wgq0.conf');
      writeFileSync(file, standard, { mode: 0o600 });
      const stripped = spawnSync('wg-quick', ['strip', file], { encoding: 'utf8' });
      expect(stripped.status, stripped.stderr).toBe(0);
      expect(parseWgClientConf(stripped.stdout).setconf).toBe(parseWgClientConf(standard).setconf);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseIpv4Cidr and ipv4NetworkContains', () => {
  const net = (cidr: string) => parseIpv4Cidr(cidr)!;

  it('takes a CIDR to its network and a bare address to a /32', () => {
    expect(parseIpv4Cidr('10.66.0.1/24')).toEqual({ base: 0x0a420000, prefix: 24 });
    expect(parseIpv4Cidr('10.66.0.1')).toEqual({ base: 0x0a420001, prefix: 32 });
    expect(parseIpv4Cidr('0.0.0.0/0')).toEqual({ base: 0, prefix: 0 });
  });

  it.each(['fd66::2/128', '10.66.0.256/32', '10.66.0/24', '10.66.0.1/33', '10.66.0.1/24/1', 'host'])('reads %s as no IPv4 CIDR', (cidr) => {
    expect(parseIpv4Cidr(cidr)).toBeUndefined();
  });

  it('contains a peer IP of its subnet, not one outside it nor a wider network', () => {
    expect(ipv4NetworkContains(net('10.66.0.1/24'), net('10.66.0.2/32'))).toBe(true);
    expect(ipv4NetworkContains(net('10.66.0.1/24'), net('10.66.1.2/32'))).toBe(false);
    expect(ipv4NetworkContains(net('10.66.0.1/24'), net('0.0.0.0/0'))).toBe(false);
    expect(ipv4NetworkContains(net('0.0.0.0/0'), net('203.0.113.9/32'))).toBe(true);
    expect(ipv4NetworkContains(net('255.255.255.0/24'), net('255.255.255.255/32'))).toBe(true);
  });
});
