/**
 * Share links as PasarGuard builds them (`app/subscription/links.py`, `share.py`), written here on
 * their own (not with the adapters' link code, so a bug there cannot hide on both sides of a test):
 * query values in insertion order, percent-encoded as Python's `quote` does (`(` → `%28`), empty
 * values dropped (`_normalize_and_remove_none_values`), and the SNI, short id and address picked at
 * random per read from the host's lists.
 */
import { randomBytes } from 'node:crypto';
import { pyQuote } from '../marzban-family/py-quote.js';
import type { SimInbound, SimUser } from './state.js';

/** Picks an index below `length` (default `Math.random`). */
export type RandomPick = () => number;

/** `urlencode(payload, quote_via=quote)`: every value quoted with no safe characters. */
function urlencode(payload: Record<string, string | number>): string {
  return Object.entries(payload)
    .map(([key, value]) => `${pyQuote(key, '')}=${pyQuote(String(value), '')}`)
    .join('&');
}

/** Drops `None`, `""` and `0`, as the panel's payload cleaner does. */
function cleaned(payload: Record<string, string | number | null | undefined>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(payload))
    if (value !== null && value !== undefined && value !== '' && value !== 0) out[key] = value;
  return out;
}

function pick<T>(values: readonly T[] | undefined, random: RandomPick): T | undefined {
  if (values === undefined || values.length === 0) return undefined;
  return values[Math.floor(random() * values.length) % values.length];
}

/** The default host remark: `{USERNAME} ({PROTOCOL} - {TRANSPORT})` style, with the inbound tag. */
export function remarkOf(user: SimUser, inbound: SimInbound): string {
  return `${inbound.tag} (${user.username}) [${inbound.protocol.toUpperCase()} - ${inbound.network}]`;
}

function transport(payload: Record<string, string | number | null | undefined>, inbound: SimInbound, vmess: boolean): void {
  const path = inbound.path ?? '';
  if (inbound.network === 'grpc') {
    if (vmess) payload.type = 'gun';
    else {
      payload.serviceName = path;
      payload.authority = inbound.host ?? '';
      payload.mode = 'gun';
    }
    return;
  }
  payload.path = path;
  payload.host = inbound.host ?? '';
}

function tlsParams(payload: Record<string, string | number | null | undefined>, inbound: SimInbound, random: RandomPick): void {
  if (inbound.tls === 'none') return;
  const salt = randomBytes(8).toString('hex');
  payload.sni = (pick(inbound.serverNames, random) ?? '').replaceAll('*', salt);
  payload.fp = inbound.fingerprint ?? '';
  if (inbound.tls === 'reality') {
    payload.pbk = inbound.publicKey ?? '';
    payload.sid = pick(inbound.shortIds, random) ?? '';
  }
}

/** One link of `user` on `inbound`, at `address`. */
export function shareLink(user: SimUser, inbound: SimInbound, address: string, random: RandomPick): string {
  const remark = remarkOf(user, inbound);
  const settings = user.proxySettings;
  if (inbound.protocol === 'vmess') {
    const payload: Record<string, string | number | null | undefined> = {
      add: address,
      aid: '0',
      host: inbound.host ?? '',
      id: settings.vmess.id,
      net: inbound.network,
      path: inbound.network === 'grpc' ? (inbound.path ?? '') : (inbound.path ?? ''),
      port: inbound.port,
      ps: remark,
      scy: 'auto',
      tls: inbound.tls === 'none' ? '' : inbound.tls,
      type: 'none',
      v: '2',
    };
    tlsParams(payload, inbound, random);
    const body = cleaned(payload);
    const sorted = Object.fromEntries(Object.entries(body).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return `vmess://${Buffer.from(pyJsonDumps(sorted)).toString('base64')}`;
  }
  if (inbound.protocol === 'shadowsocks') {
    const encoded = Buffer.from(`${settings.shadowsocks.method}:${settings.shadowsocks.password}`).toString('base64');
    return `ss://${encoded}@${address}:${inbound.port}#${pyQuote(remark)}`;
  }
  const payload: Record<string, string | number | null | undefined> =
    inbound.protocol === 'vless'
      ? { encryption: 'none', security: inbound.tls, type: inbound.network, headerType: 'none' }
      : { security: inbound.tls, type: inbound.network, headerType: 'none' };
  if (inbound.protocol === 'vless' && inbound.flow) payload.flow = inbound.flow;
  transport(payload, inbound, false);
  tlsParams(payload, inbound, random);
  const query = urlencode(cleaned(payload));
  if (inbound.protocol === 'vless') return `vless://${settings.vless.id}@${address}:${inbound.port}?${query}#${pyQuote(remark)}`;
  return `trojan://${pyQuote(settings.trojan.password, ':')}@${address}:${inbound.port}?${query}#${pyQuote(remark)}`;
}

/** `json.dumps(payload, sort_keys=True)`: `", "` and `": "` separators, non-ASCII escaped. */
function pyJsonDumps(value: Record<string, string | number>): string {
  const entries = Object.entries(value).map(([key, v]) => `${asciiJson(key)}: ${typeof v === 'number' ? String(v) : asciiJson(v)}`);
  return `{${entries.join(', ')}}`;
}

function asciiJson(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Every link of `user`: one per inbound of its (enabled) groups, in the core's inbound order. */
export function shareLinks(
  user: SimUser,
  inbounds: readonly SimInbound[],
  tags: ReadonlySet<string>,
  serverAddress: string,
  random: RandomPick,
): string[] {
  const salt = randomBytes(8).toString('hex');
  return inbounds
    .filter((inbound) => tags.has(inbound.tag))
    .map((inbound) => shareLink(user, inbound, (pick(inbound.addresses, random) ?? serverAddress).replaceAll('*', salt), random));
}
