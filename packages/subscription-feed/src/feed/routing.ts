/**
 * What the buyer's apps send direct, as one answer at the link carries it, and the rule sets each country preset is
 * built on. Every format (`routing-apps.ts` for Happ and v2RayTun, `clash.ts`, `sing-box-routing.ts`) is written
 * from this one definition.
 *
 * The set names are the ones the apps' own geo files carry, all built from v2fly's domain-list-community (whose
 * `data/category-ru`, `data/category-ir` and `data/cn` hold Russian, Iranian and Chinese sites) and per-country
 * GeoIP: Happ's default files (Loyalsoldier v2ray-rules-dat `geosite.dat`/`geoip.dat`, HappDev/happ_su
 * `dev-docs/routing.md`), mihomo's (MetaCubeX meta-rules-dat) and sing-box's rule sets (SagerNet sing-geosite
 * `geosite-<name>.srs`, sing-geoip `geoip-<cc>.srs` on their `rule-set` branches).
 */

/**
 * What a plan's buyers' apps send direct instead of through the proxy: private networks only, or a country's sites
 * and addresses (with private networks). A plan without one sends everything through the proxy.
 */
export type RoutingPreset = 'private' | 'ru' | 'ir' | 'cn';

/** Every preset, in the order a form lists them. */
export const ROUTING_PRESETS: readonly RoutingPreset[] = ['private', 'ru', 'ir', 'cn'];

/** Whether `value` names a preset. */
export function isRoutingPreset(value: unknown): value is RoutingPreset {
  return typeof value === 'string' && (ROUTING_PRESETS as readonly string[]).includes(value);
}

/** A country whose sites and addresses a preset sends direct. */
export type RoutingCountry = Exclude<RoutingPreset, 'private'>;

/** The geosite list and the GeoIP country code of one country. */
export interface CountrySets {
  /** The domain list's name in geosite files (`geosite:<name>`, mihomo `GEOSITE,<name>`, `geosite-<name>.srs`). */
  readonly geosite: string;
  /** The ISO country code, lower case, in GeoIP files (`geoip:<cc>`, `GEOIP,<CC>`, `geoip-<cc>.srs`). */
  readonly geoip: string;
}

/** Each country's sets. */
export const COUNTRY_SETS: Readonly<Record<RoutingCountry, CountrySets>> = {
  ru: { geosite: 'category-ru', geoip: 'ru' },
  ir: { geosite: 'category-ir', geoip: 'ir' },
  cn: { geosite: 'cn', geoip: 'cn' },
};

/** Private and local address ranges (RFC 1918, loopback, link-local, CGNAT, multicast; IPv6 unique-local and link-local). */
export const PRIVATE_CIDRS: readonly string[] = [
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/4',
  '255.255.255.255/32',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];

/**
 * What one answer routes direct: private networks always, and these countries' sites and addresses (in preset
 * order). `null` where the answer carries no routing: every connection through the proxy, as before.
 */
export interface DirectRouting {
  readonly countries: readonly RoutingCountry[];
}

/**
 * The routing of an answer serving subscriptions of plans with these presets: what any of them sends direct goes
 * direct (a buyer holding a Russian and an Iranian plan gets both); `null` when none has a preset.
 */
export function directRoutingOf(presets: Iterable<RoutingPreset>): DirectRouting | null {
  const given = new Set(presets);
  if (given.size === 0) return null;
  return { countries: ROUTING_PRESETS.filter((p): p is RoutingCountry => p !== 'private' && given.has(p)) };
}

/** A short stable name for the routing (`ru`, `ru+ir`, `private`), for profile names and tags. */
export function routingName(routing: DirectRouting): string {
  return routing.countries.length === 0 ? 'private' : routing.countries.join('+');
}
