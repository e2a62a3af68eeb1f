/**
 * Share links as a sing-box profile (JSON), for the apps built on sing-box that read only that: SFA, SFI, SFM, SFT
 * (sing-box's own apps), Karing and Hiddify. Covers what the shop's panels hand out: vless (tcp, ws, grpc,
 * httpupgrade; tls or reality), vmess, trojan, shadowsocks, and hysteria2 (1.5+), tuic (1.4+) and wireguard (an
 * endpoint from 1.11, an outbound before), `protocols/`. A link it cannot express faithfully (another transport, a
 * plugin, an unreadable link) is left out rather than sent half right: XHTTP among them, which sing-box does not
 * implement (its V2Ray transports are http, ws, quic, grpc and httpupgrade).
 *
 * sing-box changed its configuration in ways an older app refuses (a field it does not know is an error): the TUN
 * inbound's `address` replaced `inet4_address` in 1.10, rule actions replaced the `dns` outbound in 1.11, and typed
 * DNS servers replaced `address` strings in 1.12 (each from sing-box's changelog and its documentation's "Since
 * sing-box …" notes; the HTTPUpgrade transport came in 1.7, rule sets in 1.8). The profile follows the app's
 * version, read from its User-Agent (`SFA/1.12.4 (…)`), as the panels do; an app that names none gets the 1.11 form,
 * which 1.11 to 1.13 all read.
 */
import { parseShareLink, type ParsedShareLink } from '@panelkit/panel-adapters';
import { isSingBoxEndpoint, singBoxEntryOf } from './protocols/index.js';
import type { DirectRouting } from './routing.js';
import { atLeast, type SingBoxVersion } from './sing-box-version.js';
import { withDirectRouting } from './sing-box-routing.js';

export type { SingBoxVersion } from './sing-box-version.js';

/** The form an app that names no version gets. */
export const DEFAULT_SING_BOX_VERSION: SingBoxVersion = { major: 1, minor: 11 };

/** The apps that read a sing-box profile, by User-Agent (as Marzban decides it). */
const SING_BOX_APPS = /^(SFA|SFI|SFM|SFT|karing|hiddifynext)\b|\bsing-box\/\d/i;

/** Whether a client app with this User-Agent reads a sing-box profile. */
export function wantsSingBox(userAgent: string): boolean {
  return SING_BOX_APPS.test(userAgent);
}

/** The sing-box version an app names in its User-Agent (`SFA/1.12.4`, `sing-box/1.11.0`), or `null`. */
export function singBoxVersion(userAgent: string): SingBoxVersion | null {
  const match = /\b(?:SFA|SFI|SFM|SFT|sing-box)\/(\d+)\.(\d+)/i.exec(userAgent);
  return match === null ? null : { major: Number(match[1]), minor: Number(match[2]) };
}

type Outbound = Record<string, unknown> & { type: string; tag: string };

/** The `tls` block of an outbound; `undefined` without TLS, `null` for a security sing-box cannot take here. */
function tlsOf(security: string, p: ReadonlyMap<string, string>): Record<string, unknown> | undefined | null {
  if (security === 'none' || security === '') return undefined;
  if (security !== 'tls' && security !== 'reality') return null;
  const fingerprint = p.get('fp');
  const tls: Record<string, unknown> = { enabled: true };
  const serverName = p.get('sni') || p.get('host');
  if (serverName) tls['server_name'] = serverName;
  if (p.get('allowInsecure') === '1' || p.get('insecure') === '1') tls['insecure'] = true;
  const alpn = p.get('alpn');
  if (alpn) tls['alpn'] = alpn.split(',').filter((a) => a !== '');
  if (security === 'reality') {
    const publicKey = p.get('pbk');
    if (!publicKey) return null;
    // sing-box takes REALITY only with uTLS.
    tls['utls'] = { enabled: true, fingerprint: fingerprint || 'chrome' };
    tls['reality'] = { enabled: true, public_key: publicKey, short_id: p.get('sid') ?? '' };
  } else if (fingerprint) {
    tls['utls'] = { enabled: true, fingerprint };
  }
  return tls;
}

/**
 * The `transport` block for `version`; `undefined` for plain TCP, `null` for a transport sing-box cannot take here
 * (xhttp, kcp…, and HTTPUpgrade before 1.7, which added it).
 */
function transportOf(p: ReadonlyMap<string, string>, version: SingBoxVersion): Record<string, unknown> | undefined | null {
  const network = p.get('type') || 'tcp';
  const host = p.get('host');
  if (network === 'tcp') return (p.get('headerType') ?? 'none') === 'none' ? undefined : null;
  if (network === 'ws') return { type: 'ws', path: p.get('path') || '/', ...(host ? { headers: { Host: host } } : {}) };
  if (network === 'grpc') return { type: 'grpc', service_name: p.get('serviceName') ?? '' };
  if (network === 'httpupgrade' && atLeast(version, 1, 7))
    return { type: 'httpupgrade', path: p.get('path') || '/', ...(host ? { host } : {}) };
  return null;
}

function outboundOf(link: ParsedShareLink, tag: string, version: SingBoxVersion): Outbound | null {
  const other = singBoxEntryOf(link, tag, version);
  if (other !== undefined) return other;
  const p = link.params;
  const base = { tag, server: link.address, server_port: link.port };
  if (link.protocol === 'shadowsocks') {
    if (p.has('plugin') || link.method === '') return null;
    return { type: 'shadowsocks', ...base, method: link.method, password: link.secret };
  }
  const tls = tlsOf(p.get('security') ?? (link.protocol === 'trojan' ? 'tls' : 'none'), p);
  const transport = transportOf(p, version);
  if (tls === null || transport === null) return null;
  const carried = { ...(tls === undefined ? {} : { tls }), ...(transport === undefined ? {} : { transport }) };
  if (link.protocol === 'vless') {
    const flow = p.get('flow');
    if (flow && flow !== 'xtls-rprx-vision') return null;
    return { type: 'vless', ...base, uuid: link.secret, ...(flow ? { flow } : {}), packet_encoding: 'xudp', ...carried };
  }
  if (link.protocol === 'vmess') {
    const alterId = Number(p.get('aid') ?? 0);
    return {
      type: 'vmess',
      ...base,
      uuid: link.secret,
      security: link.method || 'auto',
      alter_id: Number.isInteger(alterId) ? alterId : 0,
      ...carried,
    };
  }
  return { type: 'trojan', ...base, password: link.secret, ...carried };
}

/**
 * One share link as a sing-box outbound tagged `tag` for `version` (a WireGuard endpoint from 1.11), or `null` when
 * it cannot be expressed faithfully.
 */
export function singBoxOutbound(link: string, tag?: string, version: SingBoxVersion = DEFAULT_SING_BOX_VERSION): Outbound | null {
  let parsed: ParsedShareLink;
  try {
    parsed = parseShareLink(link);
  } catch {
    return null;
  }
  return outboundOf(parsed, tag ?? (parsed.remark || `${parsed.address}:${parsed.port}`), version);
}

/** The TUN inbound: its prefix in `address` from 1.10, in `inet4_address` before (merged into `address` in 1.10). */
function tunInbound(version: SingBoxVersion): Record<string, unknown> {
  const prefix = atLeast(version, 1, 10) ? { address: ['172.19.0.1/30'] } : { inet4_address: '172.19.0.1/30' };
  return { type: 'tun', tag: 'tun-in', ...prefix, auto_route: true, strict_route: true, stack: 'system' };
}

/** DNS through the proxy (Cloudflare over HTTPS), the local resolver for the proxies' own names. */
function dnsOf(version: SingBoxVersion, via: string): Record<string, unknown> {
  if (atLeast(version, 1, 12)) {
    return {
      servers: [
        { type: 'https', tag: 'remote', server: '1.1.1.1', detour: via },
        { type: 'local', tag: 'local' },
      ],
      final: 'remote',
    };
  }
  return {
    servers: [
      { tag: 'remote', address: 'https://1.1.1.1/dns-query', detour: via },
      { tag: 'local', address: 'local', detour: 'direct' },
    ],
    final: 'remote',
  };
}

/**
 * A whole sing-box profile for `version`: a TUN inbound, the proxies (tags made unique), a selector named `title`
 * whose default is an `auto` URL test over them, DNS through the proxy, and every connection through the selector
 * but what `routing` sends direct (`null`: nothing, the profile as before routing existed; see `sing-box-routing.ts`).
 */
export function singBoxProfile(
  links: readonly string[],
  title: string,
  version: SingBoxVersion = DEFAULT_SING_BOX_VERSION,
  routing: DirectRouting | null = null,
): string {
  const proxies: Outbound[] = [];
  const seen = new Map<string, number>();
  for (const link of links) {
    const outbound = singBoxOutbound(link, undefined, version);
    if (outbound === null) continue;
    const n = (seen.get(outbound.tag) ?? 0) + 1;
    seen.set(outbound.tag, n);
    proxies.push(n === 1 ? outbound : { ...outbound, tag: `${outbound.tag} ${n}` });
  }
  const tags = proxies.map((p) => p.tag);
  const groups: Outbound[] =
    tags.length === 0
      ? [{ type: 'selector', tag: title, outbounds: ['direct'] }]
      : [
          { type: 'selector', tag: title, outbounds: ['auto', ...tags], default: 'auto' },
          { type: 'urltest', tag: 'auto', outbounds: tags },
        ];
  const actions = atLeast(version, 1, 11);
  const endpoints = proxies.filter((p) => isSingBoxEndpoint(p, version));
  const profile = {
    log: { level: 'warn' },
    dns: dnsOf(version, title),
    inbounds: [tunInbound(version)],
    ...(endpoints.length === 0 ? {} : { endpoints }),
    outbounds: [
      ...groups,
      ...proxies.filter((p) => !endpoints.includes(p)),
      { type: 'direct', tag: 'direct' },
      ...(actions ? [] : [{ type: 'dns', tag: 'dns-out' }]),
    ],
    route: {
      auto_detect_interface: true,
      final: title,
      rules: actions ? [{ action: 'sniff' }, { protocol: 'dns', action: 'hijack-dns' }] : [{ protocol: 'dns', outbound: 'dns-out' }],
    },
  };
  return `${JSON.stringify(routing === null ? profile : withDirectRouting(profile, routing, version, title), null, 2)}\n`;
}
