/**
 * Routing profiles (issue 57): for each preset, the Clash and sing-box profiles are valid and route a country's
 * address and site direct and foreign ones through the proxy; Happ's and v2RayTun's `routing` header decodes to
 * their documented shape; a plan without a profile gets byte for byte what it got before profiles existed.
 *
 * No proxy core installs here (Debian has no sing-box or mihomo, npm ships neither, and Debian's v2ray has no geo
 * files), so the profiles are checked against the formats' documented schemas instead: mihomo's published JSON
 * schema (meta-json-schema) and sing-box's documented fields per version (`support/routing-rules.ts`), and routed
 * by the cores' documented first-match semantics over the geo facts in `support/routing-geo.ts`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { clashProfile } from '../src/feed/clash.js';
import { feedBody } from '../src/feed/client-format.js';
import { type DirectRouting, directRoutingOf, ROUTING_PRESETS, type RoutingPreset } from '../src/feed/routing.js';
import { routingHeader } from '../src/feed/routing-apps.js';
import { singBoxProfile } from '../src/feed/sing-box.js';
import { COUNTRY_CASES, FOREIGN, LOCAL, type Destination } from './support/routing-geo.js';
import { clashRoute, singBoxProblems, singBoxRoute } from './support/routing-rules.js';

const LINKS = [
  'vless://0f1e2d3c-aaaa-bbbb-cccc-111122223333@de.example.net:443?type=tcp&security=reality&pbk=PUBKEY&sid=ab12&sni=www.example.com&fp=chrome&flow=xtls-rprx-vision#DE',
  'trojan://pw@t.example.net:443?security=tls&type=ws&path=%2Fws#TR',
];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const routingOf = (preset: RoutingPreset) => directRoutingOf([preset]) as DirectRouting;

/** Every sing-box form the shop serves: before 1.8 (database fields), 1.8–1.10, 1.11 (rule actions), 1.12+. */
const SING_BOX_VERSIONS = [
  { major: 1, minor: 7 },
  { major: 1, minor: 10 },
  { major: 1, minor: 11 },
  { major: 1, minor: 12 },
  { major: 1, minor: 13 },
];

const require = createRequire(import.meta.url);
const validateClash = new Ajv({ strict: false, allErrors: true }).compile(
  JSON.parse(readFileSync(require.resolve('meta-json-schema/schemas/meta-json-schema.json'), 'utf8')),
);

describe('a plan without a routing profile', () => {
  it('gets the Clash and sing-box profiles it got before routing profiles existed, byte for byte', () => {
    // The digests of these profiles as the shop wrote them before routing profiles (commit 9617637), but 1.7's: its
    // TUN prefix is in `inet4_address` since issue 91 (`address` came in sing-box 1.10; sing-box-versions.test.ts).
    expect(sha256(clashProfile(LINKS, 'Shop'))).toBe('652a55138c00bed910f22d3533276db9296f2014be642bd7b093af588b2c3579');
    expect(sha256(clashProfile(LINKS, 'Shop', null))).toBe('652a55138c00bed910f22d3533276db9296f2014be642bd7b093af588b2c3579');
    const before: Array<[number, string]> = [
      [7, 'c2103bb168e990d4561f88505130066d4453160b47b5f7bf2a5281e641a8a02b'],
      [10, '70e2707aa39c22115c8aae985aa40d9b0313680a2aaeec8f297f2dc3499dc3df'],
      [11, 'daca92ece2d78ad90c90912c3c7bee2cbeb40f7a7de6432f4f3d1d198c348df9'],
      [12, 'cd8017610d5dc757c77878e77bebb06c6cc7b46ed040996559cb33fb4166ee7c'],
    ];
    for (const [minor, digest] of before) expect(sha256(singBoxProfile(LINKS, 'Shop', { major: 1, minor }, null))).toBe(digest);
    expect(feedBody(LINKS, 'base64', 'Shop', 'Happ/3.26.1', routingOf('ru')).body).toBe(feedBody(LINKS, 'base64', 'Shop').body);
  });

  it('sends no routing header, whatever the app', () => {
    for (const ua of ['Happ/3.26.1', 'v2raytun/5.24.76 Windows/10.0', 'v2rayNG/1.10.2']) expect(routingHeader(ua, null, 'Shop')).toBeNull();
    expect(directRoutingOf([])).toBeNull();
  });

  it('whose profile the owner removed: Happ gets its documented off link (`happ://routing/off`), the others nothing', () => {
    expect(routingHeader('Happ/3.26.1', null, 'Shop', true)).toBe('happ://routing/off');
    expect(routingHeader('Happ/4.6.0/ios/2603181556604', null, 'Shop', true)).toBe('happ://routing/off');
    for (const ua of ['v2raytun/5.24.76 Windows/10.0', 'v2rayNG/1.10.2', 'clash-verge/v2.0.3'])
      expect(routingHeader(ua, null, 'Shop', true)).toBeNull();
    // A routing now wins over the mark: the profile is sent again.
    expect(routingHeader('Happ/3.26.1', routingOf('ru'), 'Shop', true)).toMatch(/^happ:\/\/routing\/onadd\//);
  });
});

describe.each(ROUTING_PRESETS)('the %s preset', (preset) => {
  const routing = routingOf(preset);
  const home: Destination[] = preset === 'private' ? [] : [COUNTRY_CASES[preset].home, COUNTRY_CASES[preset].homeSite];
  /** The other countries' addresses and sites: through the proxy under this preset. */
  const abroad: Destination[] = [
    ...FOREIGN,
    ...Object.entries(COUNTRY_CASES)
      .filter(([country]) => country !== preset)
      .flatMap(([, c]) => [c.home, c.homeSite]),
  ];

  it('is a Clash profile mihomo’s schema accepts, routing the country and local networks direct and the rest to the group', () => {
    const text = clashProfile(LINKS, 'Shop', routing);
    const profile = parse(text) as { rules: string[] };
    expect(validateClash(profile), JSON.stringify(validateClash.errors)).toBe(true);
    for (const dest of [LOCAL, ...home]) expect({ dest, to: clashRoute(profile.rules, dest) }).toEqual({ dest, to: 'DIRECT' });
    for (const dest of abroad) expect({ dest, to: clashRoute(profile.rules, dest) }).toEqual({ dest, to: 'Shop' });
    expect(profile.rules.at(-1)).toBe('MATCH,Shop');
  });

  it.each(SING_BOX_VERSIONS.map((v) => [`${v.major}.${v.minor}`, v] as const))(
    'is a sing-box %s profile with the version’s own fields, routing the same way',
    (_, version) => {
      const profile = JSON.parse(singBoxProfile(LINKS, 'Shop', version, routing));
      expect(singBoxProblems(profile, version)).toEqual([]);
      for (const dest of [LOCAL, ...home]) expect({ dest, to: singBoxRoute(profile, version, dest) }).toEqual({ dest, to: 'direct' });
      for (const dest of abroad) expect({ dest, to: singBoxRoute(profile, version, dest) }).toEqual({ dest, to: 'Shop' });
      const text = JSON.stringify(profile);
      // The database fields were removed in 1.12; rule sets exist from 1.8.
      if (version.minor >= 12) expect(text).not.toMatch(/"geo(ip|site)":/);
      if (version.minor < 8) expect(text).not.toContain('rule_set');
      // Local networks alone need no geo database in any version.
      if (preset === 'private') expect(text).not.toMatch(/"geo(ip|site)":|"rule_set":/);
    },
  );

  it('writes the rule sets sing-box publishes for the country, fetched through the proxy and cached', () => {
    const profile = JSON.parse(singBoxProfile(LINKS, 'Shop', { major: 1, minor: 12 }, routing));
    const urls = (profile.route.rule_set ?? []).map((s: { url: string }) => s.url);
    const expected = {
      private: [],
      ru: ['sing-geosite/rule-set/geosite-category-ru.srs', 'sing-geoip/rule-set/geoip-ru.srs'],
      ir: ['sing-geosite/rule-set/geosite-category-ir.srs', 'sing-geoip/rule-set/geoip-ir.srs'],
      cn: ['sing-geosite/rule-set/geosite-cn.srs', 'sing-geoip/rule-set/geoip-cn.srs'],
    }[preset];
    expect(urls).toEqual(expected.map((path) => `https://raw.githubusercontent.com/SagerNet/${path}`));
    if (expected.length > 0) {
      expect(profile.experimental).toEqual({ cache_file: { enabled: true } });
      expect(profile.route.rule_set.every((s: { download_detour: string }) => s.download_detour === 'Shop')).toBe(true);
      expect(profile.dns.rules).toEqual([{ rule_set: [profile.route.rule_set[0].tag], server: 'local' }]);
    }
  });

  it('reaches Happ as its documented routing deep link and v2RayTun as its documented routing object', () => {
    const country = preset === 'private' ? null : { ru: 'ru', ir: 'ir', cn: 'cn' }[preset];
    const site = preset === 'private' ? null : { ru: 'category-ru', ir: 'category-ir', cn: 'cn' }[preset];
    // HappDev/happ_su dev-docs/routing.md: the header is `happ://routing/onadd/<base64 of the profile JSON>`.
    const happ = routingHeader('Happ/3.26.1', routing, 'My Shop') as string;
    expect(happ).toMatch(/^happ:\/\/routing\/onadd\/[A-Za-z0-9+/]+=*$/);
    const happProfile = z
      .strictObject({
        Name: z.string(),
        GlobalProxy: z.literal('true'),
        RemoteDNSType: z.enum(['DoH', 'DoU']),
        RemoteDNSDomain: z.string(),
        RemoteDNSIP: z.ipv4(),
        DomesticDNSType: z.enum(['DoH', 'DoU']),
        DomesticDNSDomain: z.string(),
        DomesticDNSIP: z.ipv4(),
        Geoipurl: z.url(),
        Geositeurl: z.url(),
        DnsHosts: z.record(z.string(), z.string()),
        DirectSites: z.array(z.string().regex(/^geosite:[\w-]+$/)),
        DirectIp: z.array(z.string().regex(/^(geoip:[a-z]{2}|[\d.]+\/\d+|[\da-f:]+\/\d+)$/)),
        ProxySites: z.array(z.string()),
        ProxyIp: z.array(z.string()),
        BlockSites: z.array(z.string()),
        BlockIp: z.array(z.string()),
        DomainStrategy: z.enum(['AsIs', 'IPIfNonMatch', 'IPOnDemand']),
        FakeDNS: z.enum(['true', 'false']),
      })
      .parse(JSON.parse(Buffer.from(happ.slice('happ://routing/onadd/'.length), 'base64').toString('utf8')));
    expect(happProfile.Name).toBe('My Shop');
    expect(happProfile.DirectSites).toEqual(site === null ? [] : [`geosite:${site}`]);
    expect(happProfile.DirectIp).toEqual(
      expect.arrayContaining(['10.0.0.0/8', '192.168.0.0/16', ...(country === null ? [] : [`geoip:${country}`])]),
    );

    // v2RayTun/sub-import-routing: the header is the base64 of the routing object, direct rules to `freedom`.
    const tun = z
      .strictObject({
        name: z.string(),
        id: z.uuid(),
        domainStrategy: z.enum(['AsIs', 'IPIfNonMatch', 'IPOnDemand']),
        domainMatcher: z.literal('hybrid'),
        balancers: z.array(z.unknown()).length(0),
        rules: z.array(
          z.strictObject({
            type: z.literal('field'),
            outboundTag: z.literal('freedom'),
            __name__: z.string(),
            __id__: z.uuid(),
            domain: z.array(z.string()).optional(),
            ip: z.array(z.string()).optional(),
          }),
        ),
      })
      .parse(
        JSON.parse(Buffer.from(routingHeader('v2raytun/5.24.76 Windows/10.0', routing, 'My Shop') as string, 'base64').toString('utf8')),
      );
    expect(tun.rules.flatMap((r) => r.domain ?? [])).toEqual(site === null ? [] : [`geosite:${site}`]);
    expect(tun.rules.flatMap((r) => r.ip ?? [])).toEqual(happProfile.DirectIp);
    // The same routing keeps its id (the app replaces rather than adds on each refresh).
    expect(routingHeader('v2RayTun/5.1 (iOS)', routing, 'My Shop')).toBe(
      routingHeader('v2raytun/5.24.76 Windows/10.0', routing, 'My Shop'),
    );
    // Apps that document no routing header get none (they read routing in their profile, or have none).
    for (const ua of ['v2rayNG/1.10.2', 'clash-verge/v2.0.3', 'SFA/1.12.4', 'Streisand/1.6.3'])
      expect(routingHeader(ua, routing, 'My Shop')).toBeNull();
  });
});

describe('several plans on one link', () => {
  it('send direct what any of them sends direct, each country once', () => {
    expect(directRoutingOf(['ir', 'private', 'ru', 'ir'])).toEqual({ countries: ['ru', 'ir'] });
    expect(directRoutingOf(['private'])).toEqual({ countries: [] });
    const profile = JSON.parse(singBoxProfile(LINKS, 'Shop', { major: 1, minor: 12 }, directRoutingOf(['ru', 'ir'])));
    for (const dest of [COUNTRY_CASES.ru.home, COUNTRY_CASES.ir.homeSite])
      expect(singBoxRoute(profile, { major: 1, minor: 12 }, dest)).toBe('direct');
    expect(singBoxRoute(profile, { major: 1, minor: 12 }, COUNTRY_CASES.cn.home)).toBe('Shop');
  });
});
