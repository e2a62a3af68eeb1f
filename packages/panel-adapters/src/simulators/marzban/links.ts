/**
 * Marzban's share links as `app/subscription/share.py` builds them (0.8.4): afresh on every read,
 * picking the Reality `sid` from the inbound's `shortIds`, and `sni`, request `host` and `address`
 * from their lists (a `*` replaced by 16 random hex characters) at random each time. Any of the
 * links works; none is "the" link (contract notes §9.2).
 */
import { randomBytes } from 'node:crypto';
import { pyQuote } from '../marzban-family/py-quote.js';
import type { SimInbound, SimUser } from './state.js';

/** A number in [0, 1), as `Math.random`; injectable so a test can pin the picks. */
export type RandomPick = () => number;

function pick(values: readonly string[] | undefined, fallback: string, random: RandomPick): string {
  if (values === undefined || values.length === 0) return fallback;
  const value = values[Math.min(values.length - 1, Math.floor(random() * values.length))]!;
  return value.replaceAll('*', randomBytes(8).toString('hex'));
}

const PROTOCOL_NAMES: Record<string, string> = { vless: 'VLESS', vmess: 'VMess', trojan: 'Trojan', shadowsocks: 'Shadowsocks' };

/** One share link per inbound the user is on, in the inbounds' order. */
export function shareLinks(user: SimUser, inbounds: readonly SimInbound[], serverIp: string, random: RandomPick): string[] {
  const links: string[] = [];
  for (const inbound of inbounds) {
    const tags = user.inbounds[inbound.protocol];
    const proxy = user.proxies[inbound.protocol];
    if (!tags || !proxy || !tags.includes(inbound.tag)) continue;
    const address = pick(inbound.addresses, serverIp, random);
    const remark = `🚀 Marz (${user.username}) [${PROTOCOL_NAMES[inbound.protocol]} - ${inbound.network}]`;
    if (inbound.protocol === 'vmess') {
      const config = {
        add: address,
        aid: '0',
        host: pick(inbound.hosts, '', random),
        id: proxy.id,
        net: inbound.network,
        path: inbound.path ?? '',
        port: inbound.port,
        ps: remark,
        scy: 'auto',
        tls: inbound.tls === 'none' ? '' : inbound.tls,
        type: 'none',
        v: '2',
      };
      links.push(`vmess://${Buffer.from(JSON.stringify(config)).toString('base64')}`);
      continue;
    }
    if (inbound.protocol === 'shadowsocks') {
      const userinfo = Buffer.from(`${proxy.method}:${proxy.password}`).toString('base64url');
      links.push(`ss://${userinfo}@${address}:${inbound.port}#${pyQuote(remark)}`);
      continue;
    }
    const host = pick(inbound.hosts, '', random);
    // gRPC carries its service name as `serviceName` (with `authority` and `mode`), the rest `path`/`host`.
    const transport: Record<string, string> =
      inbound.network === 'grpc'
        ? { serviceName: inbound.path ?? '', authority: host, mode: 'gun' }
        : { headerType: '', path: inbound.path ?? '', host };
    const params = new URLSearchParams({ security: inbound.tls, type: inbound.network, ...transport });
    if (inbound.tls !== 'none') {
      params.set('sni', pick(inbound.serverNames, '', random));
      params.set('fp', 'chrome');
    }
    if (inbound.tls === 'reality') {
      params.set('pbk', inbound.publicKey ?? '');
      params.set('sid', pick(inbound.shortIds, '', random));
    }
    if (proxy.flow) params.set('flow', proxy.flow);
    const secret = inbound.protocol === 'vless' ? String(proxy.id) : encodeURIComponent(proxy.password ?? '');
    links.push(`${inbound.protocol}://${secret}@${address}:${inbound.port}?${params.toString()}#${pyQuote(remark)}`);
  }
  return links;
}
