/**
 * A share link turned into a core outbound: the JSON object a v2ray (v4 config) or Xray client puts
 * in `outbounds` to connect through that link. Useful for a "test my link" button, a health probe
 * that really connects, or a test that drives traffic through what a shop sold.
 */
import { parseShareLink, ShareLinkError, type ParsedShareLink, type ShareLinkProtocol } from './parse.js';
import { wireGuardSettings } from './wireguard-outbound.js';

/** The protocols {@link shareLinkToOutbound} writes a v2ray/Xray outbound for. */
/** The protocols a v2ray/Xray core outbound is written for (Hysteria2 and TUIC links have none: see `shareLinkToOutbound`). */
export type CoreProtocol = Extract<ShareLinkProtocol, 'vless' | 'vmess' | 'trojan' | 'shadowsocks' | 'wireguard'>;

/** One entry of a v2ray/Xray config's `outbounds`. */
export interface CoreOutbound {
  readonly tag: string;
  readonly protocol: CoreProtocol;
  readonly settings: Record<string, unknown>;
  readonly streamSettings: Record<string, unknown>;
}

/** Options for {@link shareLinkToOutbound}. */
export interface ShareLinkToOutboundOptions {
  /** The outbound's tag. Default `proxy`. */
  readonly tag?: string;
}

const NETWORKS = new Set(['tcp', 'raw', 'ws', 'grpc', 'httpupgrade', 'http', 'h2', 'kcp', 'quic', 'xhttp', 'splithttp']);

/**
 * Turns a share link (`vless://`, `vmess://`, `trojan://`, `ss://`, `wireguard://`, as any panel
 * adapter here produces them) into a core outbound, transport (tcp, ws, grpc, httpupgrade, h2) and
 * security (none, tls, reality) included. REALITY, XTLS flows, SIP022 ciphers and WireGuard need
 * Xray; v2ray 4.x runs the rest. Pure: no network. Throws {@link ShareLinkError} (a
 * `ValidationError`) for a link it cannot read or a transport it does not know, and for a
 * Hysteria2 or TUIC link: `parseShareLink` reads those, but this function writes no outbound for
 * them (Xray has no TUIC, and its Hysteria2 client moves its settings between releases).
 */
export function shareLinkToOutbound(link: string, options: ShareLinkToOutboundOptions = {}): CoreOutbound {
  const parsed = parseShareLink(link);
  if (!isCoreLink(parsed)) throw new ShareLinkError(`a ${parsed.protocol} link has no v2ray/Xray outbound here`, 'scheme');
  // WireGuard dials its own UDP: no transport or TLS to carry.
  const streamSettings = parsed.protocol === 'wireguard' ? {} : streamOf(parsed);
  return { tag: options.tag ?? 'proxy', protocol: parsed.protocol, settings: settingsOf(parsed), streamSettings };
}

const CORE_PROTOCOLS: ReadonlySet<ShareLinkProtocol> = new Set<CoreProtocol>(['vless', 'vmess', 'trojan', 'shadowsocks', 'wireguard']);

function isCoreLink(link: ParsedShareLink): link is ParsedShareLink & { protocol: CoreProtocol } {
  return CORE_PROTOCOLS.has(link.protocol);
}

function settingsOf(link: ParsedShareLink & { protocol: CoreProtocol }): Record<string, unknown> {
  const { address, port, secret, params } = link;
  switch (link.protocol) {
    case 'vless': {
      const flow = params.get('flow') ?? '';
      const user = { id: secret, encryption: params.get('encryption') || 'none', level: 0, ...(flow === '' ? {} : { flow }) };
      return { vnext: [{ address, port, users: [user] }] };
    }
    case 'vmess':
      return {
        vnext: [
          {
            address,
            port,
            users: [{ id: secret, alterId: Number.parseInt(params.get('aid') ?? '0', 10) || 0, security: link.method, level: 0 }],
          },
        ],
      };
    case 'trojan':
      return { servers: [{ address, port, password: secret, level: 0 }] };
    case 'shadowsocks':
      return { servers: [{ address, port, method: link.method, password: secret, level: 0 }] };
    case 'wireguard':
      return wireGuardSettings(link);
    default:
      return link.protocol satisfies never;
  }
}

function streamOf(link: ParsedShareLink): Record<string, unknown> {
  const { params } = link;
  const type = params.get('type') || 'tcp';
  if (!NETWORKS.has(type)) throw new ShareLinkError(`unknown transport "${type}"`, 'type');
  const network = type === 'raw' ? 'tcp' : type === 'h2' ? 'http' : type;
  const host = params.get('host') ?? '';
  const path = params.get('path') ?? '';
  const stream: Record<string, unknown> = { network };
  if (network === 'ws') stream.wsSettings = { path: path || '/', ...(host === '' ? {} : { headers: { Host: host } }) };
  else if (network === 'httpupgrade') stream.httpupgradeSettings = { path: path || '/', ...(host === '' ? {} : { host }) };
  else if (network === 'grpc')
    stream.grpcSettings = { serviceName: params.get('serviceName') ?? path, multiMode: params.get('mode') === 'multi' };
  else if (network === 'http') stream.httpSettings = { path: path || '/', ...(host === '' ? {} : { host: host.split(',') }) };
  else if (network === 'tcp' && params.get('headerType') === 'http') {
    stream.tcpSettings = {
      header: { type: 'http', request: { path: (path || '/').split(','), headers: host === '' ? {} : { Host: host.split(',') } } },
    };
  }
  const security = params.get('security') || 'none';
  const serverName = params.get('sni') || host.split(',')[0] || '';
  const fingerprint = params.get('fp') ?? '';
  if (security === 'tls') {
    const alpn = params.get('alpn') ?? '';
    stream.security = 'tls';
    stream.tlsSettings = {
      ...(serverName === '' ? {} : { serverName }),
      ...(alpn === '' ? {} : { alpn: alpn.split(',') }),
      ...(fingerprint === '' ? {} : { fingerprint }),
      ...(params.get('allowInsecure') === '1' || params.get('insecure') === '1' ? { allowInsecure: true } : {}),
    };
  } else if (security === 'reality') {
    const publicKey = params.get('pbk') ?? '';
    if (publicKey === '') throw new ShareLinkError('a REALITY link needs "pbk" (the public key)', 'pbk');
    stream.security = 'reality';
    stream.realitySettings = {
      serverName,
      publicKey,
      shortId: params.get('sid') ?? '',
      fingerprint: fingerprint || 'chrome',
      spiderX: params.get('spx') ?? '/',
    };
  } else if (security === 'none' || security === '') {
    stream.security = 'none';
  } else {
    throw new ShareLinkError(`unknown security "${security}"`, 'security');
  }
  return stream;
}
