/**
 * A plan's routing in a sing-box profile, for each version the shop serves (`sing-box.ts`):
 *
 * - 1.8 and newer match remote rule sets (`route.rule_set`, binary `.srs` from SagerNet's sing-geosite and
 *   sing-geoip `rule-set` branches, fetched through the proxy and kept in the cache file) and private addresses by
 *   `ip_is_private`. The geoip/geosite database fields this replaced were deprecated in 1.8 and removed in 1.12.
 * - Before 1.8 only those database fields exist (`geosite`, `geoip`), so those are written; private ranges by
 *   `ip_cidr`, which needs no database (a plan routing only those downloads none).
 * - Before 1.11 the TUN inbound sniffs itself (`sniff: true`; 1.11 has the `sniff` rule action the profile already
 *   carries): a site rule needs the name sniffed from the connection.
 *
 * Direct sites are also resolved by the local DNS server (a DNS rule), so they get the answer for the buyer's own
 * country rather than the proxy's.
 */
import { COUNTRY_SETS, PRIVATE_CIDRS, type DirectRouting } from './routing.js';
import { atLeast, type SingBoxVersion } from './sing-box-version.js';

/** Where sing-box's own rule sets are published (sing-box's documentation uses these). */
const GEOSITE_RULE_SETS = 'https://raw.githubusercontent.com/SagerNet/sing-geosite/rule-set';
const GEOIP_RULE_SETS = 'https://raw.githubusercontent.com/SagerNet/sing-geoip/rule-set';

type Profile = Record<string, unknown> & {
  inbounds: Array<Record<string, unknown>>;
  dns: Record<string, unknown>;
  route: Record<string, unknown> & { rules: unknown[] };
};

/** A remote binary rule set, fetched through `via`. */
const remoteRuleSet = (tag: string, url: string, via: string) => ({ type: 'remote', tag, format: 'binary', url, download_detour: via });

/**
 * `profile` (as `singBoxProfile` builds it for `version`, with the selector `via`) with `routing`'s sites and
 * addresses routed to the `direct` outbound ahead of the final selector.
 */
export function withDirectRouting(profile: Profile, routing: DirectRouting, version: SingBoxVersion, via: string): Profile {
  const geosites = routing.countries.map((c) => COUNTRY_SETS[c].geosite);
  const geoips = routing.countries.map((c) => COUNTRY_SETS[c].geoip);
  const sniffs = atLeast(version, 1, 11);
  const inbounds = sniffs ? profile.inbounds : profile.inbounds.map((inbound) => ({ ...inbound, sniff: true }));
  if (!atLeast(version, 1, 8)) {
    return {
      ...profile,
      inbounds,
      dns: { ...profile.dns, ...(geosites.length === 0 ? {} : { rules: [{ geosite: geosites, server: 'local' }] }) },
      route: {
        ...profile.route,
        rules: [
          ...profile.route.rules,
          { ip_cidr: PRIVATE_CIDRS, outbound: 'direct' },
          ...(geosites.length === 0
            ? []
            : [
                { geosite: geosites, outbound: 'direct' },
                { geoip: geoips, outbound: 'direct' },
              ]),
        ],
      },
    };
  }
  const siteTags = geosites.map((name) => `geosite-${name}`);
  const ipTags = geoips.map((cc) => `geoip-${cc}`);
  const ruleSets = [
    ...geosites.map((name) => remoteRuleSet(`geosite-${name}`, `${GEOSITE_RULE_SETS}/geosite-${name}.srs`, via)),
    ...geoips.map((cc) => remoteRuleSet(`geoip-${cc}`, `${GEOIP_RULE_SETS}/geoip-${cc}.srs`, via)),
  ];
  return {
    ...profile,
    inbounds,
    dns: { ...profile.dns, ...(siteTags.length === 0 ? {} : { rules: [{ rule_set: siteTags, server: 'local' }] }) },
    route: {
      ...profile.route,
      rules: [
        ...profile.route.rules,
        { ip_is_private: true, outbound: 'direct' },
        ...(ruleSets.length === 0 ? [] : [{ rule_set: [...siteTags, ...ipTags], outbound: 'direct' }]),
      ],
      ...(ruleSets.length === 0 ? {} : { rule_set: ruleSets }),
    },
    // Remote rule sets are kept between starts only with the cache file on.
    ...(ruleSets.length === 0 ? {} : { experimental: { cache_file: { enabled: true } } }),
  };
}
