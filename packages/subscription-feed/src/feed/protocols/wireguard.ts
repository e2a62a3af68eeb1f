/**
 * A WireGuard share link, as 3x-ui v3 and PasarGuard print it, as a mihomo proxy and as a sing-box endpoint or outbound.
 *
 * The link: `wireguard://<client private key>@host:port[/]?publickey=<server key>&address=10.0.0.2/32,fd00::2/128
 * &presharedkey=…&mtu=1420&keepalive=25&reserved=1,2,3&allowedips=0.0.0.0/0,::/0#remark` (3x-ui
 * `internal/sub/service.go genWireguardLink`, PasarGuard `app/subscription/base.py`; `dns` is the panel's and the
 * profile has its own).
 *
 * mihomo: `adapter/outbound/wireguard.go` `WireGuardOption` (one IPv4 `ip` and one IPv6 `ipv6`). sing-box
 * (`docs/configuration/endpoint/wireguard.md`, `outbound/wireguard.md`): from 1.11 WireGuard is an endpoint (the
 * outbound is deprecated there and removed in 1.13), before that an outbound with `local_address`; an address without
 * a prefix length gets `/32` or `/128`, as both parse prefixes only.
 */
import type { ParsedShareLink } from '@panelkit/panel-adapters';
import { atLeast, type SingBoxVersion } from '../sing-box-version.js';
import type { ClashEntry, SingBoxEntry } from './entries.js';
import { list, whole } from './link-params.js';

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const DEFAULT_ALLOWED = ['0.0.0.0/0', '::/0'];

/** From sing-box 1.11 WireGuard is an endpoint; one definition for building it and for placing it. */
const isEndpointVersion = (version: SingBoxVersion): boolean => atLeast(version, 1, 11);

const withPrefix = (address: string): string => (address.includes('/') ? address : `${address}/${IPV4.test(address) ? 32 : 128}`);

/**
 * The parts both formats need (`parseShareLink` has checked the keys' form); `null` for a link neither can take (no
 * server key, no tunnel address, a bad value).
 */
function readWireGuard(link: ParsedShareLink) {
  const p = link.params;
  const publicKey = p.get('publickey') ?? '';
  const preSharedKey = p.get('presharedkey') ?? '';
  const addresses = list(p, 'address').map(withPrefix);
  const reserved = list(p, 'reserved').map(Number);
  const mtu = whole(p, 'mtu', 576, 65_535);
  const keepalive = whole(p, 'keepalive', 1, 65_535);
  if (publicKey === '' || addresses.length === 0 || mtu === null || keepalive === null) return null;
  if (reserved.length !== 0 && (reserved.length !== 3 || !reserved.every((b) => Number.isInteger(b) && b >= 0 && b <= 255))) return null;
  const allowed = list(p, 'allowedips');
  return { publicKey, preSharedKey, addresses, reserved, mtu, keepalive, allowed: allowed.length === 0 ? DEFAULT_ALLOWED : allowed };
}

/** The link as a mihomo `wireguard` proxy named `name`, or `null` when it cannot be expressed faithfully. */
export function clashWireGuard(link: ParsedShareLink, name: string): ClashEntry | null {
  const w = readWireGuard(link);
  if (w === null) return null;
  const v4 = w.addresses.filter((a) => IPV4.test(a.split('/')[0] as string));
  const v6 = w.addresses.filter((a) => !v4.includes(a));
  // mihomo takes one address per family.
  if (v4.length > 1 || v6.length > 1) return null;
  return {
    name,
    type: 'wireguard',
    server: link.address,
    port: link.port,
    ...(v4.length === 0 ? {} : { ip: v4[0] }),
    ...(v6.length === 0 ? {} : { ipv6: v6[0] }),
    'private-key': link.secret,
    'public-key': w.publicKey,
    ...(w.preSharedKey === '' ? {} : { 'pre-shared-key': w.preSharedKey }),
    ...(w.reserved.length === 0 ? {} : { reserved: w.reserved }),
    'allowed-ips': w.allowed,
    ...(w.mtu === undefined ? {} : { mtu: w.mtu }),
    ...(w.keepalive === undefined ? {} : { 'persistent-keepalive': w.keepalive }),
    udp: true,
  };
}

/**
 * The link for sing-box `version`: a `wireguard` endpoint from 1.11 (it goes under `endpoints`; see
 * {@link isSingBoxEndpoint}), a `wireguard` outbound before; `null` when it cannot be expressed faithfully.
 */
export function singBoxWireGuard(link: ParsedShareLink, tag: string, version: SingBoxVersion): SingBoxEntry | null {
  const w = readWireGuard(link);
  if (w === null) return null;
  if (isEndpointVersion(version)) {
    const peer = {
      address: link.address,
      port: link.port,
      public_key: w.publicKey,
      ...(w.preSharedKey === '' ? {} : { pre_shared_key: w.preSharedKey }),
      allowed_ips: w.allowed,
      ...(w.keepalive === undefined ? {} : { persistent_keepalive_interval: w.keepalive }),
      ...(w.reserved.length === 0 ? {} : { reserved: w.reserved }),
    };
    return {
      type: 'wireguard',
      tag,
      ...(w.mtu === undefined ? {} : { mtu: w.mtu }),
      address: w.addresses,
      private_key: link.secret,
      peers: [peer],
    };
  }
  // The single-peer outbound has no keepalive or allowed-IPs option: it routes everything through the one peer.
  return {
    type: 'wireguard',
    tag,
    server: link.address,
    server_port: link.port,
    local_address: w.addresses,
    private_key: link.secret,
    peer_public_key: w.publicKey,
    ...(w.preSharedKey === '' ? {} : { pre_shared_key: w.preSharedKey }),
    ...(w.reserved.length === 0 ? {} : { reserved: w.reserved }),
    ...(w.mtu === undefined ? {} : { mtu: w.mtu }),
  };
}

/** Whether a sing-box entry built for `version` belongs under `endpoints` rather than `outbounds`. */
export function isSingBoxEndpoint(entry: { type: string }, version: SingBoxVersion): boolean {
  return entry.type === 'wireguard' && isEndpointVersion(version);
}
