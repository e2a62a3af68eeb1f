/**
 * The WireGuard and Telegram proxy links of the simulated panel's subscription service, as
 * `internal/sub/service.go` (v3.4.2+ `genWireguardLink`, v3.5+ `genMtprotoLink`) writes them:
 *
 * - `wireguard://<private key, url.QueryEscape with %20>@host:port?address=<allowedIPs, comma>&dns&keepalive&mtu
 *   &presharedkey&publickey=<derived from the inbound's secretKey>#<remark>` (keys sorted by `url.Values.Encode`);
 * - `tg://proxy?port=…&secret=…&server=…` (sorted, and no `#remark`: lenient parsers glued it onto the server).
 *
 * No link (an empty list) for a client without its private key or secret.
 */
import { encodeValues, queryEscape } from './panel-links.js';
import type { RawClient, SimInbound } from './state.js';
import { text } from './state.js';
import { entriesOf, publicKeyOf } from './wireguard.js';

function hostPort(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare.includes(':') ? `[${bare}]:${port}` : `${bare}:${port}`;
}

/** `resolveInboundAddress` without nodes: the inbound's listen address, else the host the request came to. */
export function inboundAddress(inbound: SimInbound, requestHost: string): string {
  return ['', '0.0.0.0', '::', '::0'].includes(inbound.listen) ? requestHost : inbound.listen;
}

/** The client's WireGuard or Telegram proxy link on the inbound ([] for other protocols or a client with no key). */
export function kindShareLinks(inbound: SimInbound, client: RawClient, requestHost: string): string[] {
  const address = inboundAddress(inbound, requestHost);
  if (inbound.protocol === 'mtproto') {
    const secret = text(client.secret);
    if (secret === '') return [];
    const params = new Map([
      ['server', address],
      ['port', String(inbound.port)],
      ['secret', secret],
    ]);
    return [`tg://proxy?${encodeValues(params)}`];
  }
  if (inbound.protocol !== 'wireguard') return [];
  const privateKey = text(client.privateKey);
  if (privateKey === '') return [];
  const params = new Map<string, string>();
  const serverKey = publicKeyOf(text(inbound.settings.secretKey));
  if (text(inbound.settings.secretKey) !== '' && 'publicKey' in serverKey) params.set('publickey', serverKey.publicKey);
  const addresses = entriesOf(client).join(',');
  if (addresses !== '') params.set('address', addresses);
  const mtu = inbound.settings.mtu;
  if (typeof mtu === 'number' && mtu > 0) params.set('mtu', String(Math.trunc(mtu)));
  if (text(inbound.settings.dns) !== '') params.set('dns', text(inbound.settings.dns));
  if (text(client.preSharedKey) !== '') params.set('presharedkey', text(client.preSharedKey));
  const keepAlive = client.keepAlive;
  if (typeof keepAlive === 'number' && keepAlive > 0) params.set('keepalive', String(keepAlive));
  const remark = [inbound.remark, text(client.email)].filter((part) => part !== '').join('-');
  const userinfo = queryEscape(privateKey).replace(/\+/g, '%20');
  const query = params.size > 0 ? `?${encodeValues(params)}` : '';
  return [`wireguard://${userinfo}@${hostPort(address, inbound.port)}${query}#${queryEscape(remark).replace(/\+/g, '%20')}`];
}
