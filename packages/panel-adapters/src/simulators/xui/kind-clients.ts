/**
 * What the Gen B client routes do for WireGuard and MTProto inbounds, by version: `fillProtocolDefaults` and the
 * checks of `client_inbound_apply.go` on add, the carry-forward of keys and secret on update, and the record's
 * extra columns. Below v3.4.2 (WireGuard) and v3.5 (MTProto) those inbounds have no per-client credentials, and the
 * client API falls through to its default check (`empty client ID`).
 */
import { goError } from './envelope.js';
import { domainOf, generateSecret } from './mtproto.js';
import { key, num, text, type RawClient, type SimInbound, type XuiState } from './state.js';
import type { XuiVersionTraits } from './version.js';
import { collision, entriesOf, fillWireguardClient, heldAddresses, normaliseAllowedIPs } from './wireguard.js';

const AD_TAG = /^[0-9a-fA-F]{32}$/;

function adTagError(client: RawClient): string | null {
  const tag = text(client.adTag);
  return tag !== '' && !AD_TAG.test(tag) ? goError('mtproto client ad tag must be 32 hex characters') : null;
}

/** Whether the inbound's protocol keeps per-client credentials of a kind at this version. */
function perClient(traits: XuiVersionTraits, inbound: SimInbound): boolean {
  return inbound.protocol === 'wireguard' ? traits.wireguardClients : traits.mtprotoClientSecrets;
}

/**
 * Fills a new client's WireGuard keys and address or MTProto secret for `inbound`; the panel's error text, or null.
 * Other protocols: null, untouched.
 */
export function fillKindDefaults(traits: XuiVersionTraits, state: XuiState, inbound: SimInbound, client: RawClient): string | null {
  if (inbound.protocol !== 'wireguard' && inbound.protocol !== 'mtproto') return null;
  if (!perClient(traits, inbound)) return text(client.id) === '' ? goError('empty client ID') : null;
  if (inbound.protocol === 'mtproto') {
    if (text(client.secret) === '') client.secret = generateSecret(domainOf(inbound));
    return adTagError(client);
  }
  const error = fillWireguardClient(state.clientsOf(inbound), client, traits.wireguardPoolWidens);
  if (error !== null) return error;
  return text(client.publicKey) === '' ? goError('wireguard client requires a key') : null;
}

/** The columns a client record has for these kinds at this version (`allowedIPs` as CSV, as `wg_allowed_ips` holds it). */
export function kindRecordFields(traits: XuiVersionTraits, client: RawClient): Record<string, unknown> {
  return {
    ...(traits.wireguardClients
      ? {
          privateKey: text(client.privateKey),
          publicKey: text(client.publicKey),
          allowedIPs: entriesOf(client).join(','),
          preSharedKey: text(client.preSharedKey),
          keepAlive: num(client.keepAlive),
        }
      : {}),
    ...(traits.mtprotoClientSecrets ? { secret: text(client.secret), adTag: text(client.adTag) } : {}),
  };
}

/**
 * An update's kind fields onto `next` (a copy of the stored client): omitted keys, address, PSK, keep-alive and
 * secret are carried forward, given ones replace them (a secret exactly as given: the client API does not heal it).
 * `allowedIPs` must be a JSON array (the panel's `[]string`), is normalised, and may not collide with another client
 * of the client's WireGuard inbounds. The panel's error text, or null.
 */
export function applyKindUpdate(state: XuiState, body: RawClient, next: RawClient, inboundIds: readonly number[]): string | null {
  if (body.allowedIPs !== undefined && !Array.isArray(body.allowedIPs))
    return goError('json: cannot unmarshal string into Go struct field Client.allowedIPs of type []string');
  for (const field of ['privateKey', 'publicKey', 'preSharedKey', 'secret', 'adTag'] as const)
    if (text(body[field]) !== '') next[field] = body[field];
  if (num(body.keepAlive) > 0) next.keepAlive = num(body.keepAlive);
  const tagError = adTagError(next);
  if (tagError !== null) return tagError;
  const given = Array.isArray(body.allowedIPs) ? entriesOf(body) : [];
  if (given.length === 0) return null;
  const normalised = normaliseAllowedIPs(given);
  if (typeof normalised === 'string') return normalised;
  if (normalised.length === 0) return null;
  const self = key(text(next.email));
  for (const id of inboundIds) {
    const inbound = state.inbounds.get(id);
    if (inbound?.protocol !== 'wireguard') continue;
    const others = state.clientsOf(inbound).filter((c) => key(text(c.email)) !== self);
    const hit = collision(normalised, heldAddresses(others).entries);
    if (hit !== null) return goError('wireguard: allowedIPs entry already used by another client:', hit);
  }
  next.allowedIPs = normalised;
  return null;
}

/** The `inbounds/options` hints of a WireGuard or MTProto inbound (server key, MTU, DNS; FakeTLS domain; node). */
export function kindOptionFields(traits: XuiVersionTraits, inbound: SimInbound, serverPublicKey: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (inbound.protocol === 'wireguard' && traits.wireguardClients) {
    if (serverPublicKey !== '') out.wgPublicKey = serverPublicKey;
    if (num(inbound.settings.mtu) > 0) out.wgMtu = num(inbound.settings.mtu);
    if (text(inbound.settings.dns) !== '') out.wgDns = text(inbound.settings.dns);
  }
  if (inbound.protocol === 'mtproto' && traits.mtprotoClientSecrets) {
    const domain = text(inbound.settings.fakeTlsDomain).trim();
    if (domain !== '') out.mtprotoDomain = domain;
  }
  if (inbound.nodeId !== undefined) out.nodeId = inbound.nodeId;
  return out;
}
