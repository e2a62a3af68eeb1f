/**
 * A WireGuard share link (3x-ui v3, PasarGuard) as the `settings` of Xray's `wireguard` outbound
 * (Xray-core `infra/conf/wireguard.go`: `secretKey`, `address`, `peers[].publicKey`, `preSharedKey`,
 * `endpoint`, `keepAlive`, `allowedIPs`, `mtu`, `reserved` of 3 bytes). v2ray 4.x has no WireGuard.
 */
import { ShareLinkError, type ParsedShareLink } from './parse.js';

const listOf = (value: string | undefined): string[] =>
  (value ?? '').split(',').flatMap((item) => (item.trim() === '' ? [] : [item.trim()]));

function wholeOf(params: ReadonlyMap<string, string>, name: string, max: number): number | undefined {
  const text = params.get(name);
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > max) throw new ShareLinkError(`"${name}" is not 1-${max}`, name);
  return Number(text);
}

/**
 * The outbound `settings` for a parsed `wireguard://` link (its keys already checked by `parseShareLink`); throws
 * {@link ShareLinkError} without the server's key or a tunnel address, or for a bad `mtu`, `keepalive` or `reserved`.
 */
export function wireGuardSettings(link: ParsedShareLink): Record<string, unknown> {
  const { params } = link;
  const address = listOf(params.get('address'));
  if (address.length === 0) throw new ShareLinkError('a WireGuard link needs "address" (the tunnel address)', 'address');
  const reserved = listOf(params.get('reserved')).map(Number);
  if (reserved.length !== 0 && (reserved.length !== 3 || !reserved.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)))
    throw new ShareLinkError('"reserved" is not three bytes', 'reserved');
  const preSharedKey = params.get('presharedkey') ?? '';
  const keepAlive = wholeOf(params, 'keepalive', 65_535);
  const allowedIPs = listOf(params.get('allowedips'));
  const mtu = wholeOf(params, 'mtu', 65_535);
  const host = link.address.includes(':') ? `[${link.address}]` : link.address;
  const publicKey = params.get('publickey') ?? '';
  if (publicKey === '') throw new ShareLinkError('a WireGuard link needs "publickey" (the server\'s key)', 'publickey');
  const peer = {
    publicKey,
    ...(preSharedKey === '' ? {} : { preSharedKey }),
    endpoint: `${host}:${link.port}`,
    ...(keepAlive === undefined ? {} : { keepAlive }),
    ...(allowedIPs.length === 0 ? {} : { allowedIPs }),
  };
  return {
    secretKey: link.secret,
    address,
    peers: [peer],
    ...(mtu === undefined ? {} : { mtu }),
    ...(reserved.length === 0 ? {} : { reserved }),
  };
}
