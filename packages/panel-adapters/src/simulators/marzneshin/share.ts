/**
 * What Marzneshin serves a user as configs (`app/utils/share.py`, `app/utils/keygen.py`, v2share): one
 * proxy per inbound of the user's services, its credentials derived from the key with xxh128 (never the
 * key itself); for an inactive user one placeholder (`vmess`, id `None`, 127.0.0.1:80, named `disabled`)
 * when `placeholder_if_disabled` is on (the default). Rendered as links, base64 links, sing-box, clash,
 * xray or wireguard JSON/YAML.
 */
import { xxhash128 } from 'hash-wasm';
import { pyQuote } from '../marzban-family/py-quote.js';
import type { MarzneshinSimInbound } from './state.js';

/** One proxy as the renderers need it. */
export interface SimProxy {
  protocol: 'vless' | 'vmess' | 'trojan';
  name: string;
  server: string;
  port: number;
  /** The uuid (vless, vmess) or password (trojan); `None` for the placeholder, as Python prints it. */
  credential: string;
  network: string;
  security: string;
  /** What the inbound puts in links beside the transport and security (sni, fp, pbk, sid, flow, path, host). */
  params?: Readonly<Partial<Record<'sni' | 'fp' | 'pbk' | 'sid' | 'flow' | 'path' | 'host', string>>>;
}

/** The formats `render` writes a subscription in. */
export const SUBSCRIPTION_FORMATS = ['links', 'base64-links', 'sing-box', 'clash', 'clash-meta', 'xray', 'wireguard'] as const;
/** One of `SUBSCRIPTION_FORMATS`. */
export type SubscriptionFormat = (typeof SUBSCRIPTION_FORMATS)[number];

/** `gen_uuid(key)`: the key's xxh128 digest read as a uuid (the default `AUTH_GENERATION_ALGORITHM`). */
export async function proxyUuid(key: string): Promise<string> {
  const hex = await xxhash128(key);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `gen_password(key)`: the key's xxh128 hex digest (trojan, shadowsocks). */
export function proxyPassword(key: string): Promise<string> {
  return xxhash128(key);
}

/** The proxies of an active user: one per inbound, in inbound order. */
export async function userProxies(
  username: string,
  key: string,
  inbounds: readonly MarzneshinSimInbound[],
  server: string,
): Promise<SimProxy[]> {
  const uuid = await proxyUuid(key);
  const password = await proxyPassword(key);
  return inbounds.map((inbound) => ({
    protocol: inbound.protocol,
    name: `${inbound.tag} (${username})`,
    server,
    port: inbound.port,
    credential: inbound.protocol === 'trojan' ? password : uuid,
    network: inbound.network,
    security: inbound.security,
    params: {
      sni: inbound.sni,
      fp: inbound.fingerprint,
      pbk: inbound.publicKey,
      sid: inbound.shortId,
      flow: inbound.protocol === 'vless' ? inbound.flow : undefined,
      path: inbound.path,
      host: inbound.host,
    },
  }));
}

/** What an inactive user is served instead of its proxies. */
export function placeholderProxy(remark = 'disabled'): SimProxy {
  return { protocol: 'vmess', name: remark, server: '127.0.0.1', port: 80, credential: 'None', network: 'tcp', security: 'none' };
}

function shareLink(proxy: SimProxy): string {
  const name = pyQuote(proxy.name);
  const p = proxy.params ?? {};
  if (proxy.protocol === 'vmess') {
    const config = {
      add: proxy.server,
      aid: '0',
      host: p.host ?? '',
      id: proxy.credential,
      net: proxy.network,
      path: p.path ?? (proxy.network === 'ws' ? '/' : ''),
      port: proxy.port,
      ps: proxy.name,
      scy: 'auto',
      tls: proxy.security === 'none' ? 'none' : proxy.security,
      type: 'none',
      v: '2',
    };
    return `vmess://${Buffer.from(JSON.stringify(config)).toString('base64')}`;
  }
  // v2share's order: security and transport, then the flow, the transport's path (gRPC: serviceName), TLS and REALITY.
  const query = new URLSearchParams({ security: proxy.security, type: proxy.network });
  if (p.flow) query.set('flow', p.flow);
  if (proxy.network === 'grpc') {
    query.set('serviceName', p.path ?? '');
    query.set('mode', 'gun');
  } else if (proxy.network === 'ws') {
    query.set('path', p.path ?? '/');
    if (p.host) query.set('host', p.host);
  }
  if (proxy.security === 'tls' || proxy.security === 'reality') {
    if (p.sni) query.set('sni', p.sni);
    if (p.fp) query.set('fp', p.fp);
  }
  if (proxy.security === 'reality') {
    query.set('pbk', p.pbk ?? '');
    query.set('sid', p.sid ?? '');
  }
  return `${proxy.protocol}://${proxy.credential}@${proxy.server}:${proxy.port}?${query.toString()}#${name}`;
}

function clashYaml(proxies: readonly SimProxy[]): string {
  const lines = ['proxies:'];
  for (const proxy of proxies) {
    lines.push(`- name: ${JSON.stringify(proxy.name)}`, `  type: ${proxy.protocol}`, `  server: ${proxy.server}`, `  port: ${proxy.port}`);
    lines.push(proxy.protocol === 'trojan' ? `  password: ${proxy.credential}` : `  uuid: ${proxy.credential}`);
    lines.push(`  network: ${proxy.network}`);
  }
  lines.push('proxy-groups:', '- name: Proxy', '  type: select', '  proxies:');
  lines.push(...proxies.map((proxy) => `  - ${JSON.stringify(proxy.name)}`));
  return `${lines.join('\n')}\n`;
}

function outbound(proxy: SimProxy): Record<string, unknown> {
  const credential = proxy.protocol === 'trojan' ? { password: proxy.credential } : { uuid: proxy.credential };
  return { type: proxy.protocol, tag: proxy.name, server: proxy.server, server_port: proxy.port, ...credential };
}

function selector(proxies: readonly SimProxy[]): Record<string, unknown> {
  return { type: 'selector', tag: 'proxy', outbounds: proxies.map((proxy) => proxy.name) };
}

/** The subscription body in `format`; `base64` wraps it as the `base64-links` and `v2ray` forms do. */
export function render(proxies: readonly SimProxy[], format: SubscriptionFormat): string {
  switch (format) {
    case 'links':
      return proxies.map(shareLink).join('\n');
    case 'base64-links':
      return Buffer.from(proxies.map(shareLink).join('\n')).toString('base64');
    case 'sing-box':
      return JSON.stringify({ outbounds: [selector(proxies), ...proxies.map(outbound)] });
    case 'clash':
    case 'clash-meta':
      return clashYaml(proxies);
    case 'xray':
      return JSON.stringify(proxies.map((p) => ({ remarks: p.name, outbounds: [{ protocol: p.protocol, settings: outbound(p) }] })));
    case 'wireguard':
      // Only wireguard inbounds give peers, and the simulator has none.
      return '[]';
    default:
      return format satisfies never;
  }
}

/** The dashboard's subscription page (`template_on_acceptance`, for `Accept: text/html`). */
export function subscriptionPage(username: string, proxies: readonly SimProxy[]): string {
  const items = proxies.map((proxy) => `<li><code>${escapeHtml(shareLink(proxy))}</code></li>`).join('');
  const title = escapeHtml(username);
  return `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1><ul>${items}</ul></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
