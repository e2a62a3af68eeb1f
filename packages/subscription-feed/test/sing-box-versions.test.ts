/**
 * Each form of the sing-box profile writes only what its version reads: sing-box refuses a configuration with a field
 * it does not know (an older core) or one it has removed (a newer core). The versions below are sing-box's own, from
 * its changelog (docs/changelog.md), its deprecation list (docs/deprecated.md) and the "Since sing-box …" notes of
 * its configuration pages, checked against SagerNet/sing-box at 7df171ff (1.14 in development).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { singBoxProfile } from '../src/feed/sing-box.js';
import type { SingBoxVersion } from '../src/feed/sing-box-version.js';

type Json = Record<string, unknown>;
type Profile = Json & {
  inbounds: Json[];
  outbounds: Json[];
  dns: Json & { servers: Json[]; rules?: Json[] };
  route: Json & { rules: Json[] };
};

/** A version-gated part of the profile: the first version that reads it, the first that no longer does. */
interface Gated {
  readonly name: string;
  readonly since?: SingBoxVersion;
  readonly removed?: SingBoxVersion;
  readonly writtenIn: (profile: Profile) => boolean;
}

const v = (major: number, minor: number): SingBoxVersion => ({ major, minor });
const below = (a: SingBoxVersion, b: SingBoxVersion) => a.major < b.major || (a.major === b.major && a.minor < b.minor);
const proxies = (p: Profile) => [...p.outbounds, ...((p['endpoints'] as Json[] | undefined) ?? [])];
const rules = (p: Profile) => [...p.route.rules, ...(p.dns.rules ?? [])];

const GATED: readonly Gated[] = [
  // inbound/tun.md: "Since sing-box 1.10.0"; deprecated.md 1.10.0 "TUN address fields are merged" (gone in 1.12).
  { name: 'the TUN inbound’s address', since: v(1, 10), writtenIn: (p) => 'address' in p.inbounds[0]! },
  { name: 'the TUN inbound’s inet4_address', removed: v(1, 12), writtenIn: (p) => 'inet4_address' in p.inbounds[0]! },
  // deprecated.md 1.11.0 "Legacy inbound fields" and "Legacy special outbounds": removed in 1.13.0.
  { name: 'the inbound’s sniff field', removed: v(1, 13), writtenIn: (p) => 'sniff' in p.inbounds[0]! },
  { name: 'the dns outbound', removed: v(1, 13), writtenIn: (p) => p.outbounds.some((o) => o['type'] === 'dns') },
  // changelog 1.11.0 "Introducing rule actions".
  { name: 'rule actions', since: v(1, 11), writtenIn: (p) => rules(p).some((r) => 'action' in r) },
  // changelog 1.12.0 and dns/server/*.md: typed servers; deprecated.md 1.12.0: the legacy format goes in 1.14.0.
  { name: 'typed DNS servers', since: v(1, 12), writtenIn: (p) => p.dns.servers.some((s) => 'type' in s) },
  { name: 'legacy DNS server addresses', removed: v(1, 14), writtenIn: (p) => p.dns.servers.some((s) => 'address' in s) },
  // changelog 1.8.0: rule-set, ip_is_private, the cache file moved out of the Clash API; geoip/geosite gone in 1.12.
  { name: 'rule sets', since: v(1, 8), writtenIn: (p) => 'rule_set' in p.route || rules(p).some((r) => 'rule_set' in r) },
  { name: 'ip_is_private', since: v(1, 8), writtenIn: (p) => rules(p).some((r) => 'ip_is_private' in r) },
  { name: 'experimental.cache_file', since: v(1, 8), writtenIn: (p) => 'experimental' in p },
  { name: 'geosite and geoip rules', removed: v(1, 12), writtenIn: (p) => rules(p).some((r) => 'geosite' in r || 'geoip' in r) },
  // changelog 1.7.0 "Add HTTPUpgrade V2Ray transport".
  {
    name: 'the HTTPUpgrade transport',
    since: v(1, 7),
    writtenIn: (p) => proxies(p).some((o) => (o['transport'] as Json | undefined)?.['type'] === 'httpupgrade'),
  },
  // changelog 1.5.0 "Add Hysteria2 protocol support", 1.4.0 "Add TUIC support"; outbound/hysteria2.md server_ports 1.11.
  { name: 'hysteria2', since: v(1, 5), writtenIn: (p) => proxies(p).some((o) => o['type'] === 'hysteria2') },
  { name: 'hysteria2 server_ports', since: v(1, 11), writtenIn: (p) => proxies(p).some((o) => 'server_ports' in o) },
  { name: 'tuic', since: v(1, 4), writtenIn: (p) => proxies(p).some((o) => o['type'] === 'tuic') },
  // endpoint/wireguard.md "Since sing-box 1.11.0"; deprecated.md 1.11.0 "WireGuard outbound": removed in 1.13.0.
  { name: 'endpoints', since: v(1, 11), writtenIn: (p) => 'endpoints' in p },
  { name: 'the wireguard outbound', removed: v(1, 13), writtenIn: (p) => p.outbounds.some((o) => o['type'] === 'wireguard') },
];

const UUID = '6a1f0d2e-3b4c-4d5e-8f70-8192a3b4c5d6';
const key = () => encodeURIComponent(randomBytes(32).toString('base64'));
const LINKS = [
  `vless://${UUID}@hu.example.com:443?type=httpupgrade&security=tls&path=%2Fup&host=cdn.example.com#upgrade`,
  `vless://${UUID}@ws.example.com:443?type=ws&security=tls&path=%2Fws#ws`,
  'hysteria2://pw@hy.example.com:8443?security=tls&sni=hy.example.com&mport=20000-30000#hy2',
  `tuic://${UUID}:pw@tuic.example.com:10443?security=tls&sni=tuic.example.com&congestion_control=bbr#tuic`,
  `wireguard://${key()}@wg.example.com:51820?address=10.0.0.2&publickey=${key()}#wg`,
];

/** The forms the feed writes, from before rule sets to the newest: each version where a gated part comes or goes. */
const FORMS = [v(1, 3), v(1, 4), v(1, 5), v(1, 6), v(1, 7), v(1, 8), v(1, 9), v(1, 10), v(1, 11), v(1, 12), v(1, 13)];

describe('each form of the sing-box profile writes only the fields its version reads', () => {
  for (const version of FORMS) {
    const name = `${version.major}.${version.minor}`;
    for (const routing of [null, { countries: ['ru' as const] }]) {
      it(`${name}${routing === null ? '' : ', with direct routing'}`, () => {
        const profile = JSON.parse(singBoxProfile(LINKS, 'Shop', version, routing)) as Profile;
        const misplaced = GATED.filter(
          (part) =>
            part.writtenIn(profile) &&
            ((part.since !== undefined && below(version, part.since)) || (part.removed !== undefined && !below(version, part.removed))),
        ).map((part) => part.name);
        expect(misplaced).toEqual([]);
        // The TUN inbound always has its prefix, in the one field its version reads.
        expect(profile.inbounds[0]!['address'] ?? profile.inbounds[0]!['inet4_address']).toBeDefined();
      });
    }
  }

  it('writes each gated part in every version that reads it (the list above is not passed by leaving things out)', () => {
    const routed = { countries: ['ru' as const] };
    for (const [version, expected] of [
      [v(1, 9), ['the TUN inbound’s inet4_address', 'rule sets', 'ip_is_private', 'the HTTPUpgrade transport', 'the wireguard outbound']],
      [v(1, 10), ['the TUN inbound’s address', 'the inbound’s sniff field', 'the dns outbound', 'legacy DNS server addresses']],
      [v(1, 11), ['rule actions', 'hysteria2 server_ports', 'endpoints', 'experimental.cache_file']],
      [v(1, 12), ['typed DNS servers', 'hysteria2', 'tuic']],
      [v(1, 7), ['geosite and geoip rules']],
    ] as const) {
      const profile = JSON.parse(singBoxProfile(LINKS, 'Shop', version, routed)) as Profile;
      const written = GATED.filter((part) => part.writtenIn(profile)).map((part) => part.name);
      expect(written, `${version.major}.${version.minor}`).toEqual(expect.arrayContaining([...expected]));
    }
  });

  it('gives 1.8 and 1.9 the TUN prefix as inet4_address, which 1.10 merged into address', () => {
    for (const version of [v(1, 8), v(1, 9)]) {
      const [tun] = (JSON.parse(singBoxProfile(LINKS, 'Shop', version)) as Profile).inbounds;
      expect(tun).toEqual({
        type: 'tun',
        tag: 'tun-in',
        inet4_address: '172.19.0.1/30',
        auto_route: true,
        strict_route: true,
        stack: 'system',
      });
    }
    const [tun] = (JSON.parse(singBoxProfile(LINKS, 'Shop', v(1, 10))) as Profile).inbounds;
    expect(tun).toMatchObject({ address: ['172.19.0.1/30'] });
  });
});
