/**
 * The protocols the Clash and sing-box builders take beyond vless, vmess, trojan and shadowsocks: Hysteria2, TUIC and
 * WireGuard, each in its own file with the sources it was checked against. `clash.ts` and `sing-box.ts` call these
 * two dispatchers first.
 */
import { parseShareLink, type ParsedShareLink } from '@panelkit/panel-adapters';
import type { SingBoxVersion } from '../sing-box-version.js';
import type { ClashEntry, SingBoxEntry } from './entries.js';
import { clashHysteria2, singBoxHysteria2 } from './hysteria2.js';
import { clashTuic, singBoxTuic } from './tuic.js';
import { clashWireGuard, singBoxWireGuard } from './wireguard.js';

export { clashTransport } from './clash-transports.js';
export { isSingBoxEndpoint } from './wireguard.js';

const SCHEMES = /^(hysteria2|hy2|tuic|wireguard|wg):\/\//i;

/**
 * A Hysteria2, TUIC or WireGuard link as a mihomo proxy; `null` when it cannot be expressed faithfully (or is
 * unreadable); `undefined` for a link of another protocol.
 */
export function clashProxyOfLink(link: string): ClashEntry | null | undefined {
  if (!SCHEMES.test(link.trim())) return undefined;
  let parsed: ParsedShareLink;
  try {
    parsed = parseShareLink(link);
  } catch {
    return null;
  }
  const name = parsed.remark || `${parsed.address}:${parsed.port}`;
  if (parsed.protocol === 'hysteria2') return clashHysteria2(parsed, name);
  return parsed.protocol === 'tuic' ? clashTuic(parsed, name) : clashWireGuard(parsed, name);
}

/**
 * A parsed Hysteria2, TUIC or WireGuard link as a sing-box entry for `version`; `null` when that version cannot take
 * it faithfully; `undefined` for a link of another protocol.
 */
export function singBoxEntryOf(link: ParsedShareLink, tag: string, version: SingBoxVersion): SingBoxEntry | null | undefined {
  if (link.protocol === 'hysteria2') return singBoxHysteria2(link, tag, version);
  if (link.protocol === 'tuic') return singBoxTuic(link, tag, version);
  if (link.protocol === 'wireguard') return singBoxWireGuard(link, tag, version);
  return undefined;
}
