/**
 * The apps for parts that are not Xray users: WireGuard and AmneziaWG configs, and Telegram (MTProto) proxies. They
 * read no subscription link, so they are not in `CLIENT_APPS` (which every page lists for the link): a page shows
 * these only beside a part of their kind. Each import form was checked against the app's own source, named on the
 * entry (docs/design/product-kinds-panels.md §4), and `test/kind-formats.test.ts` asserts the forms the feed writes
 * against those sources.
 */
import type { Platform } from './client-apps.js';

/** The kinds of part these apps serve (the SDK's entitlement kinds other than `xray`). */
export type KindAppKind = 'wireguard' | 'amneziawg' | 'mtproto';

/**
 * How an app takes a part: `conf_file` a `.conf` download, `conf_text` the conf's text pasted, `zip` a zip of
 * `.conf` files, `conf_qr` a QR code whose payload is the conf's text, `tg_link` a `tg://proxy` link,
 * `https_link` a `https://t.me/proxy` link.
 */
export type KindImportForm = 'conf_file' | 'conf_text' | 'zip' | 'conf_qr' | 'tg_link' | 'https_link';

/** An app for WireGuard/AmneziaWG configs or Telegram proxies: what it reads, for which kinds, how, and where. */
export interface KindApp {
  /** A short id. */
  readonly id: string;
  readonly name: string;
  readonly platforms: readonly Platform[];
  /** What the feed gives it: a WireGuard-style `.conf` (`wireGuardConf`) or the proxy links (`telegramProxyLinks`). */
  readonly reads: 'wireguard_config' | 'telegram_proxy';
  /** The kinds of part it can use. */
  readonly kinds: readonly KindAppKind[];
  /** The import forms it takes, as its source reads them. */
  readonly imports: readonly KindImportForm[];
  /** The app's own download page. */
  readonly getAt: string;
}

/** The apps for WireGuard, AmneziaWG and Telegram-proxy parts. */
export const KIND_APPS: readonly KindApp[] = [
  {
    // WireGuard/wireguard-android ui/.../util/TunnelImporter.kt: a `.conf` file, a `.zip` whose every `*.conf`
    // entry becomes a tunnel named after it, or config text (what its QR scanner reads). config/Interface.java
    // refuses any [Interface] key it does not know (UNKNOWN_ATTRIBUTE): AmneziaWG confs are not for it. The other
    // official apps (iOS/macOS, Windows, wg-quick on Linux) read the same wg-quick format.
    id: 'wireguard',
    name: 'WireGuard',
    platforms: ['android', 'ios', 'windows', 'macos', 'linux'],
    reads: 'wireguard_config',
    kinds: ['wireguard'],
    imports: ['conf_file', 'zip', 'conf_qr', 'conf_text'],
    getAt: 'https://www.wireguard.com/install/',
  },
  {
    // amnezia-vpn/amnezia-client client/ui/controllers/importController.cpp: a `.conf` file or text with
    // [Interface] and [Peer], lines split on " = ", Endpoint/PrivateKey/Address/PublicKey required; with the AWG keys
    // (Jc, Jmin, Jmax, S1, S2, H1…) it imports AmneziaWG, without them WireGuard (adding client-side junk only). Its
    // QR codes carry its own JSON format, not the conf text, so no QR here.
    id: 'amneziavpn',
    name: 'AmneziaVPN',
    platforms: ['android', 'ios', 'windows', 'macos', 'linux'],
    reads: 'wireguard_config',
    kinds: ['wireguard', 'amneziawg'],
    imports: ['conf_file', 'conf_text'],
    getAt: 'https://amnezia.org/downloads',
  },
  {
    // Telegram opens `tg://proxy?server=…&port=…&secret=…` and `https://t.me/proxy?…` with the same three parameters
    // (telegramdesktop/tdesktop#29720, #30004; the secret in hex or base64url).
    id: 'telegram',
    name: 'Telegram',
    platforms: ['android', 'ios', 'windows', 'macos', 'linux'],
    reads: 'telegram_proxy',
    kinds: ['mtproto'],
    imports: ['tg_link', 'https_link'],
    getAt: 'https://telegram.org/apps',
  },
];

/** The apps for a part of `kind`, on `platform` when one is given. */
export function kindAppsFor(kind: KindAppKind, platform?: Platform): KindApp[] {
  return KIND_APPS.filter((app) => app.kinds.includes(kind) && (platform === undefined || app.platforms.includes(platform)));
}
