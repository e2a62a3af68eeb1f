/**
 * The `routing` response header for the apps that document one, so that a buyer's routing arrives with the
 * subscription (kept apart from the other app headers, `answer.ts`, which only calls `routingHeader`):
 *
 * - Happ (HappDev/happ_su `dev-docs/routing.md`): the header carries Happ's routing deep link (`happRoutingLink`: `routing/onadd/<base64
 *   of the profile JSON>`), which adds the profile and makes it the active one (a profile of the same `Name` is
 *   replaced, so each refresh brings the plan's current routing). The profile's fields are the documented ones;
 *   `DirectSites`/`DirectIp` name `geosite:`/`geoip:` entries of its default geo files, which it names
 *   (Loyalsoldier v2ray-rules-dat).
 * - v2RayTun (v2RayTun/sub-import-routing README and its example server): the header carries the base64 of a
 *   routing object: Xray's routing (`domainStrategy`, `rules` of `type: field`) with the app's `name`, `id`,
 *   `domainMatcher`, `balancers` and per-rule `__name__`/`__id__`; its own example sends a site direct with
 *   `outboundTag: "freedom"`, the tag written here.
 *
 * Once the owner removes a plan's profile, Happ gets its routing-off link (`HAPP_ROUTING_OFF`, the same document): it
 * would keep the last profile it was sent.
 *
 * Other apps get no header: they take routing inside the profile (`clash.ts`, `sing-box.ts`) or have none.
 */
import { createHash } from 'node:crypto';
import { HAPP_ROUTING_OFF, happRoutingLink } from '../client-apps.js';
import { COUNTRY_SETS, PRIVATE_CIDRS, routingName, type DirectRouting } from './routing.js';

/** Happ's default geo files (its routing documentation's defaults), named so the sets are read from them. */
const HAPP_GEOIP_URL = 'https://github.com/Loyalsoldier/v2ray-rules-dat/releases/latest/download/geoip.dat';
const HAPP_GEOSITE_URL = 'https://github.com/Loyalsoldier/v2ray-rules-dat/releases/latest/download/geosite.dat';

/** The `geosite:` entries of the routing's countries. */
const directSites = (routing: DirectRouting): string[] => routing.countries.map((c) => `geosite:${COUNTRY_SETS[c].geosite}`);

/** The private ranges and the `geoip:` entries of the routing's countries. */
const directIps = (routing: DirectRouting): string[] => [
  ...PRIVATE_CIDRS,
  ...routing.countries.map((c) => `geoip:${COUNTRY_SETS[c].geoip}`),
];

/**
 * A Happ routing profile: everything through the proxy (`GlobalProxy`) but the routing's sites and addresses; DNS
 * for proxied names over HTTPS through the proxy, for direct ones over UDP directly; `IPIfNonMatch` so a name no
 * list holds is matched by its address.
 */
export function happRoutingProfile(routing: DirectRouting, name: string): Record<string, unknown> {
  return {
    Name: name,
    GlobalProxy: 'true',
    RemoteDNSType: 'DoH',
    RemoteDNSDomain: 'https://cloudflare-dns.com/dns-query',
    RemoteDNSIP: '1.1.1.1',
    DomesticDNSType: 'DoU',
    DomesticDNSDomain: '',
    DomesticDNSIP: '8.8.8.8',
    Geoipurl: HAPP_GEOIP_URL,
    Geositeurl: HAPP_GEOSITE_URL,
    DnsHosts: {},
    DirectSites: directSites(routing),
    DirectIp: directIps(routing),
    ProxySites: [],
    ProxyIp: [],
    BlockSites: [],
    BlockIp: [],
    DomainStrategy: 'IPIfNonMatch',
    FakeDNS: 'false',
  };
}

/** Happ's deep link that adds the plan's routing profile and makes it active. */
export function happRoutingLinkOf(routing: DirectRouting, name: string): string {
  return happRoutingLink(happRoutingProfile(routing, name));
}

/** A UUID-shaped id that is the same for the same text (the app keys its routings by id). */
function stableId(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`.toUpperCase();
}

/** v2RayTun's routing object: the routing's sites and addresses to its direct outbound, the rest to the proxy. */
export function v2rayTunRouting(routing: DirectRouting, name: string): Record<string, unknown> {
  const key = `${name}/${routingName(routing)}`;
  const rule = (ruleName: string, match: Record<string, string[]>) => ({
    type: 'field',
    outboundTag: 'freedom',
    __name__: ruleName,
    __id__: stableId(`${key}/${ruleName}`),
    ...match,
  });
  const sites = directSites(routing);
  return {
    name,
    id: stableId(key),
    domainStrategy: 'IPIfNonMatch',
    domainMatcher: 'hybrid',
    balancers: [],
    rules: [...(sites.length === 0 ? [] : [rule('direct sites', { domain: sites })]), rule('direct addresses', { ip: directIps(routing) })],
  };
}

const HAPP = /^Happ\//i;
const V2RAYTUN = /^v2raytun\//i;

/** Whether the app asking (by User-Agent) reads a `routing` header. */
export function readsRoutingHeader(userAgent: string | undefined): boolean {
  return HAPP.test(userAgent ?? '') || V2RAYTUN.test(userAgent ?? '');
}

/**
 * The `routing` header for the app asking (by User-Agent), or `null` for an app that reads none or no routing.
 * `turnedOff` (no routing now, but the plan had a profile): Happ gets its documented off link, since it keeps the
 * last profile otherwise; v2RayTun documents no way to drop an imported routing, so it gets nothing.
 */
export function routingHeader(
  userAgent: string | undefined,
  routing: DirectRouting | null,
  name: string,
  turnedOff = false,
): string | null {
  const ua = userAgent ?? '';
  if (routing === null) return turnedOff && HAPP.test(ua) ? HAPP_ROUTING_OFF : null;
  if (HAPP.test(ua)) return happRoutingLinkOf(routing, name);
  if (V2RAYTUN.test(ua)) return Buffer.from(JSON.stringify(v2rayTunRouting(routing, name)), 'utf8').toString('base64');
  return null;
}
