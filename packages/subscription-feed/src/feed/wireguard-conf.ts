/**
 * A WireGuard or AmneziaWG `.conf` from the `wireguard://` link the panel printed (3x-ui `genWireguardLink`,
 * PasarGuard `_build_wireguard_components`; docs/design/product-kinds-panels.md §1.3, §2), in the shape wg-quick,
 * the official WireGuard apps and AmneziaVPN import (panels §4):
 *
 * - lines `Key = Value`, with spaces, because AmneziaVPN's `importController.cpp` splits on exactly `" = "`;
 * - a plain WireGuard conf holds only standard keys: the official apps refuse any `[Interface]` key they do not know
 *   (WireGuard Android `Interface.parse`, `UNKNOWN_ATTRIBUTE`), so PasarGuard's `reserved` (an Xray-side WARP thing)
 *   and every AmneziaWG key stay out of it;
 * - each value is checked for its form before it is written, so a value from the panel cannot add a line (wg-quick
 *   runs `PostUp` lines as root).
 */
import { isIP } from 'node:net';
import { parseShareLink } from '@panelkit/panel-adapters';
import { ValidationError } from '@panelkit/sdk';
import { amneziaLines } from './amneziawg-params.js';
import { list, whole } from './protocols/link-params.js';

/** What `AllowedIPs` is when the link names none: the whole tunnel, both families. */
const DEFAULT_ALLOWED_IPS = ['0.0.0.0/0', '::/0'];
/** A DNS search domain (wg-quick and the WireGuard apps take names besides addresses under `DNS`). */
const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A link that cannot make a usable conf, naming the part that is wrong. */
function refuse(path: string, message: string): never {
  throw new ValidationError(`wireguard conf: ${message}`, [{ path, message }]);
}

/** An address with its prefix length (`10.0.0.2` → `10.0.0.2/32`, `fd00::2` → `fd00::2/128`), or a refusal. */
function network(value: string, key: string): string {
  const [ip = '', prefix, ...rest] = value.split('/');
  const family = isIP(ip);
  const bits = family === 4 ? 32 : 128;
  const length = prefix === undefined ? bits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
  if (family === 0 || rest.length > 0 || !(length >= 0 && length <= bits)) refuse(key, `"${value}" in ${key} is not an IP network`);
  return `${ip}/${length}`;
}

/** The endpoint's host for `Endpoint`: an IP (IPv6 in brackets) or a host name, nothing that could break the line. */
function endpointHost(address: string): string {
  if (isIP(address) === 6) return `[${address}]`;
  if (isIP(address) === 4 || DOMAIN.test(address)) return address;
  return refuse('address', `the server "${address}" is not an IP address or a host name`);
}

/** The `DNS` entries: addresses, or search domains as wg-quick reads them; a refusal for anything else. */
function dnsOf(entries: readonly string[]): string[] {
  for (const entry of entries)
    if (isIP(entry) === 0 && !DOMAIN.test(entry)) refuse('dns', `"${entry}" in dns is not an address or a domain`);
  return [...entries];
}

/** A whole number under `name` in `[min, max]` (absent: `undefined`), or a refusal. */
function numberOf(p: ReadonlyMap<string, string>, name: string, min: number, max: number): number | undefined {
  const value = whole(p, name, min, max);
  if (value === null) refuse(name, `${name} "${p.get(name)}" is not a whole number from ${min} to ${max}`);
  return value;
}

/**
 * The `.conf` text of a `wireguard://` (or `wg://`) share link: `[Interface]` `PrivateKey`, `Address` (the link's
 * `address` list, each with its prefix, joined `, `), `DNS` and `MTU` where the link has them, then, with `amnezia`,
 * the AmneziaWG keys `Jc … I5` the link carries (checked against amneziawg-go's ranges); a blank line; `[Peer]`
 * `PublicKey`, `PresharedKey` where present, `AllowedIPs` (`0.0.0.0/0, ::/0` by default), `Endpoint` (`host:port`, an
 * IPv6 host in brackets) and `PersistentKeepalive` where the link has a non-zero `keepalive`. Ends with a newline.
 * Throws `ValidationError` (naming the key) for a link that is not a usable WireGuard link, or for an AmneziaWG value
 * amneziawg-go would refuse. A plain conf never carries `Reserved` or an AmneziaWG key.
 */
export function wireGuardConf(link: string, options: { amnezia?: boolean } = {}): string {
  const parsed = parseShareLink(link);
  if (parsed.protocol !== 'wireguard') refuse('scheme', `a ${parsed.protocol} link is not a WireGuard link`);
  const p = parsed.params;
  const publicKey = p.get('publickey') ?? '';
  if (publicKey === '') refuse('publickey', 'the link has no server public key (publickey)');
  const addresses = list(p, 'address').map((a) => network(a, 'address'));
  if (addresses.length === 0) refuse('address', 'the link has no tunnel address (address)');
  const allowed = list(p, 'allowedips').map((a) => network(a, 'allowedips'));
  const dns = dnsOf(list(p, 'dns'));
  const mtu = numberOf(p, 'mtu', 576, 65_535);
  // wg's PersistentKeepalive is 0 (off) to 65535 seconds.
  const keepalive = numberOf(p, 'keepalive', 0, 65_535);
  const preSharedKey = p.get('presharedkey') ?? '';
  const endpoint = `${endpointHost(parsed.address)}:${parsed.port}`;
  const line = (key: string, value: string | number) => `${key} = ${value}`;
  const face = [
    line('PrivateKey', parsed.secret),
    line('Address', addresses.join(', ')),
    ...(dns.length === 0 ? [] : [line('DNS', dns.join(', '))]),
    ...(mtu === undefined ? [] : [line('MTU', mtu)]),
    ...(options.amnezia === true ? amneziaLines(p).map(({ key, value }) => line(key, value)) : []),
  ];
  const peer = [
    line('PublicKey', publicKey),
    ...(preSharedKey === '' ? [] : [line('PresharedKey', preSharedKey)]),
    line('AllowedIPs', (allowed.length === 0 ? DEFAULT_ALLOWED_IPS : allowed).join(', ')),
    line('Endpoint', endpoint),
    ...(keepalive === undefined || keepalive === 0 ? [] : [line('PersistentKeepalive', keepalive)]),
  ];
  return `${['[Interface]', ...face, '', '[Peer]', ...peer].join('\n')}\n`;
}
