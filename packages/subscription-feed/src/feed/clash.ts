/**
 * Share links as a Clash.Meta (mihomo) profile, for the apps that read only that (Clash Verge, FlClash,
 * ClashX Meta, Stash). Covers what the shop's panels hand out: vless (tcp, ws, grpc; tls or reality), vmess,
 * trojan and shadowsocks. A link it cannot express faithfully (another transport, a plugin) is left out
 * rather than sent half right.
 */

import { COUNTRY_SETS, PRIVATE_CIDRS, type DirectRouting } from './routing.js';

type ClashProxy = Record<string, unknown> & { name: string };

const num = (value: string | null | undefined): number | null =>
  value !== null && value !== undefined && /^\d{1,5}$/.test(value) ? Number(value) : null;

function fragmentName(url: URL, fallback: string): string {
  const raw = url.hash.replace(/^#/, '');
  try {
    return decodeURIComponent(raw) || fallback;
  } catch {
    return raw || fallback;
  }
}

/** The transport and security fields shared by vless, vmess and trojan; `null` for a transport Clash cannot take here. */
function transport(network: string, security: string, q: { get(name: string): string | null }): Record<string, unknown> | null {
  const fields: Record<string, unknown> = {};
  if (network === 'ws') fields['ws-opts'] = { path: q.get('path') || '/', ...(q.get('host') ? { headers: { Host: q.get('host') } } : {}) };
  else if (network === 'grpc') fields['grpc-opts'] = { 'grpc-service-name': q.get('serviceName') ?? '' };
  else if (network !== 'tcp' || (q.get('headerType') ?? 'none') !== 'none') return null;
  fields['network'] = network;
  if (security === 'tls' || security === 'reality') {
    fields['tls'] = true;
    if (q.get('sni')) fields['servername'] = q.get('sni');
    if (q.get('fp')) fields['client-fingerprint'] = q.get('fp');
  } else if (security !== 'none' && security !== '') return null;
  if (security === 'reality') {
    if (!q.get('pbk')) return null;
    fields['reality-opts'] = { 'public-key': q.get('pbk'), 'short-id': q.get('sid') ?? '' };
  }
  return fields;
}

function fromUrlLink(link: string, type: 'vless' | 'trojan'): ClashProxy | null {
  const url = new URL(link);
  const port = num(url.port);
  const secret = decodeURIComponent(url.username);
  if (port === null || secret === '' || url.hostname === '') return null;
  const q = url.searchParams;
  const extra = transport(q.get('type') ?? 'tcp', q.get('security') ?? (type === 'trojan' ? 'tls' : 'none'), q);
  if (extra === null) return null;
  const server = url.hostname.replace(/^\[|\]$/g, '');
  const name = fragmentName(url, `${server}:${port}`);
  if (type === 'vless') {
    return { name, type, server, port, uuid: secret, udp: true, ...(q.get('flow') ? { flow: q.get('flow') } : {}), ...extra };
  }
  const { servername, ...rest } = extra;
  return { name, type, server, port, password: secret, udp: true, ...(servername !== undefined ? { sni: servername } : {}), ...rest };
}

function fromVmess(link: string): ClashProxy | null {
  const body = JSON.parse(Buffer.from(link.slice('vmess://'.length), 'base64').toString('utf8')) as Record<string, unknown>;
  const str = (key: string) => (body[key] === undefined || body[key] === null ? null : String(body[key]));
  const port = num(str('port'));
  const server = str('add');
  if (port === null || !server || !str('id')) return null;
  const q = {
    get: (name: string) =>
      ({
        path: str('path'),
        host: str('host'),
        serviceName: str('path'),
        sni: str('sni'),
        fp: str('fp'),
        headerType: str('type'),
        pbk: null,
        sid: null,
      })[name] ?? null,
  };
  const extra = transport(str('net') ?? 'tcp', str('tls') ?? 'none', q);
  if (extra === null) return null;
  return {
    name: str('ps') || `${server}:${port}`,
    type: 'vmess',
    server,
    port,
    uuid: str('id'),
    alterId: Number(str('aid') ?? 0) || 0,
    cipher: str('scy') || 'auto',
    udp: true,
    ...extra,
  };
}

function fromShadowsocks(link: string): ClashProxy | null {
  const url = new URL(link);
  const port = num(url.port);
  if (port === null || url.hostname === '' || url.searchParams.has('plugin')) return null;
  const user = decodeURIComponent(url.username);
  // SIP002: base64url("method:password"), or (2022 ciphers) "method:password" percent-encoded.
  const userinfo = user.includes(':') ? user : Buffer.from(user, 'base64').toString('utf8');
  const colon = userinfo.indexOf(':');
  if (colon <= 0) return null;
  const server = url.hostname.replace(/^\[|\]$/g, '');
  return {
    name: fragmentName(url, `${server}:${port}`),
    type: 'ss',
    server,
    port,
    cipher: userinfo.slice(0, colon),
    password: userinfo.slice(colon + 1),
    udp: true,
  };
}

/** One share link as a Clash.Meta proxy, or `null` when it cannot be expressed faithfully. */
export function clashProxy(link: string): ClashProxy | null {
  try {
    if (link.startsWith('vless://')) return fromUrlLink(link, 'vless');
    if (link.startsWith('trojan://')) return fromUrlLink(link, 'trojan');
    if (link.startsWith('vmess://')) return fromVmess(link);
    if (link.startsWith('ss://')) return fromShadowsocks(link);
  } catch {
    // A malformed link is left out like an unsupported one.
  }
  return null;
}

/**
 * The rules that send `routing`'s traffic direct, before everything else goes to the group: private ranges
 * (`no-resolve`: a name is never looked up for them), then each country's sites (`GEOSITE`, mihomo's geosite file),
 * then its addresses (`GEOIP`, which looks a name up when no site rule took it).
 */
export function clashDirectRules(routing: DirectRouting): string[] {
  return [
    ...PRIVATE_CIDRS.map((cidr) => `${cidr.includes(':') ? 'IP-CIDR6' : 'IP-CIDR'},${cidr},DIRECT,no-resolve`),
    ...routing.countries.map((c) => `GEOSITE,${COUNTRY_SETS[c].geosite},DIRECT`),
    ...routing.countries.map((c) => `GEOIP,${COUNTRY_SETS[c].geoip.toUpperCase()},DIRECT`),
  ];
}

/**
 * A whole Clash.Meta profile: the proxies (names made unique), one selector group holding them, and every
 * connection through it but what `routing` sends direct (`null`: nothing, the profile as before routing existed).
 * Written as YAML in flow style (JSON is YAML), so no quoting rule can go wrong.
 */
export function clashProfile(links: readonly string[], groupName: string, routing: DirectRouting | null = null): string {
  const proxies: ClashProxy[] = [];
  const seen = new Map<string, number>();
  for (const link of links) {
    const proxy = clashProxy(link);
    if (proxy === null) continue;
    const n = (seen.get(proxy.name) ?? 0) + 1;
    seen.set(proxy.name, n);
    proxies.push(n === 1 ? proxy : { ...proxy, name: `${proxy.name} ${n}` });
  }
  const names = proxies.length === 0 ? ['DIRECT'] : proxies.map((p) => p.name);
  return [
    'mixed-port: 7890',
    'allow-lan: false',
    'mode: rule',
    `proxies:${proxies.length === 0 ? ' []' : ''}`,
    ...proxies.map((p) => `  - ${JSON.stringify(p)}`),
    'proxy-groups:',
    `  - ${JSON.stringify({ name: groupName, type: 'select', proxies: names })}`,
    'rules:',
    ...(routing === null ? [] : clashDirectRules(routing)).map((rule) => `  - ${JSON.stringify(rule)}`),
    `  - ${JSON.stringify(`MATCH,${groupName}`)}`,
    '',
  ].join('\n');
}
