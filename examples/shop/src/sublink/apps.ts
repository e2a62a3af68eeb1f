/**
 * The client apps the link's page offers, per platform, with the one-tap import link each app registers and where
 * to get it. Each scheme and the format the app reads were checked against the app's own documentation or source
 * (named on each entry); an app whose scheme could not be checked there gets no import button, only the link and
 * the QR. Formats: `base64` (share links, what `client-format.ts` gives every app it does not name), `sing-box`
 * (JSON profile), `clash` (Clash.Meta YAML): `client-format.ts` picks the same by the app's User-Agent.
 */

/** The platforms the page tells apart, by the browser's User-Agent. */
export type Platform = 'android' | 'ios' | 'windows' | 'macos' | 'linux';

/** Every platform, in the order the page lists them. */
export const PLATFORMS: readonly Platform[] = ['android', 'ios', 'windows', 'macos', 'linux'];

/** A client app: its name, platforms, the import link for a subscription URL (or `null`), and where to get it. */
export interface ClientApp {
  readonly id: string;
  readonly name: string;
  readonly platforms: readonly Platform[];
  /** The format the shop serves it (by its User-Agent). */
  readonly reads: 'base64' | 'sing-box' | 'clash';
  /** The one-tap import link for `url` (the buyer's link), named `title`; `null` when unverified. */
  readonly importLink: ((url: string, title: string) => string) | null;
  /** The app's own download page. */
  readonly getAt: string;
}

/** The apps, the most used in the field first. */
export const CLIENT_APPS: readonly ClientApp[] = [
  {
    // hiddify/hiddify.com docs/app/URL-Scheme.md: `hiddify://import/<sublink>#name`, sublink raw (not encoded);
    // reads v2ray (base64), Clash and sing-box links. The shop serves it sing-box by User-Agent (HiddifyNext/…).
    id: 'hiddify',
    name: 'Hiddify',
    platforms: ['android', 'ios', 'windows', 'macos', 'linux'],
    reads: 'sing-box',
    importLink: (url, title) => `hiddify://import/${url}#${encodeURIComponent(title)}`,
    getAt: 'https://github.com/hiddify/hiddify-app/releases',
  },
  {
    // 2dust/v2rayNG V2rayNG/app/src/main/AndroidManifest.xml: UrlSchemeActivity takes scheme `v2rayng`, hosts
    // `install-config` and `install-sub` (the `url` query parameter, URL-encoded); reads base64 share links.
    id: 'v2rayng',
    name: 'v2rayNG',
    platforms: ['android'],
    reads: 'base64',
    importLink: (url, title) => `v2rayng://install-sub?url=${encodeURIComponent(url)}&name=${encodeURIComponent(title)}`,
    getAt: 'https://github.com/2dust/v2rayNG/releases',
  },
  {
    // SagerNet/sing-box docs/clients/general.md: every sing-box graphical client (SFA, SFI, SFM) must take
    // `sing-box://import-remote-profile?url=urlEncodedURL#urlEncodedName`; a remote profile is sing-box JSON.
    id: 'sing-box',
    name: 'sing-box (SFA · SFI · SFM)',
    platforms: ['android', 'ios', 'macos'],
    reads: 'sing-box',
    importLink: (url, title) => `sing-box://import-remote-profile?url=${encodeURIComponent(url)}#${encodeURIComponent(title)}`,
    getAt: 'https://sing-box.sagernet.org/clients/',
  },
  {
    // clash-verge-rev/clash-verge-rev.github.io docs/guide/url_schemes.md: `clash://install-config?url=<URI-encoded>`;
    // reads a Clash (mihomo) profile, which the shop serves a `clash-verge/…` User-Agent.
    id: 'clash-verge',
    name: 'Clash Verge Rev',
    platforms: ['windows', 'macos', 'linux'],
    reads: 'clash',
    importLink: (url) => `clash://install-config?url=${encodeURIComponent(url)}`,
    getAt: 'https://github.com/clash-verge-rev/clash-verge-rev/releases',
  },
  {
    // chen08209/FlClash android/app/src/main/AndroidManifest.xml and macos/Runner/Info.plist register the schemes
    // `clash`, `clashmeta` and `flclash` (lib/common/window.dart registers them on Windows; Linux registers none,
    // so it is not offered there) and lib/common/link.dart imports the `url` query parameter of host
    // `install-config`. Its User-Agent (lib/common/package.dart) is `FlClash/v<version> clash-verge
    // Platform/<os>`: the shop serves it Clash YAML; it reads `subscription-userinfo` and the profile's name from
    // `content-disposition` (lib/models/profile.dart).
    id: 'flclash',
    name: 'FlClash',
    platforms: ['android', 'windows', 'macos'],
    reads: 'clash',
    importLink: (url) => `flclash://install-config?url=${encodeURIComponent(url)}`,
    getAt: 'https://github.com/chen08209/FlClash/releases',
  },
  {
    // happ.su dev-docs "Meta Info": reads the usual subscription (base64 share links) and the headers
    // `profile-title` (25 characters shown), `subscription-userinfo`, `support-url`, `profile-web-page-url` and
    // `announce` (200 characters shown), plain or base64. Its documented deep links are `happ://routing/…`; an
    // import link for a subscription is not in Happ's own documentation as stored here, so no button: link and QR.
    id: 'happ',
    name: 'Happ',
    platforms: ['android', 'ios', 'windows', 'macos'],
    reads: 'base64',
    importLink: null,
    getAt: 'https://www.happ.su/',
  },
  {
    // v2RayTun/sub-import-routing README: reads the base64 feed and a `routing` header (base64 routing object). Its
    // import scheme is documented nowhere by the app itself (only other shops' pages use one), so no button.
    id: 'v2raytun',
    name: 'v2RayTun',
    platforms: ['android', 'ios', 'windows', 'macos'],
    reads: 'base64',
    importLink: null,
    getAt: 'https://v2raytun.com/',
  },
  {
    // Streisand (iOS, macOS) is closed source with no public documentation of its import scheme: no button. It
    // reads the base64 feed (client-format.ts serves every app it does not name that).
    id: 'streisand',
    name: 'Streisand',
    platforms: ['ios', 'macos'],
    reads: 'base64',
    importLink: null,
    getAt: 'https://apps.apple.com/app/id6450534064',
  },
  {
    // 2dust/v2rayN: reads base64 share links; it registers no URL scheme (ServiceLib/Global.cs's `v2rayn://` is
    // its own share-link format, not an import handler), so no button: link and QR. Its User-Agent defaults to
    // `v2rayN/<version>` (ServiceLib/Services/DownloadService.cs).
    id: 'v2rayn',
    name: 'v2rayN',
    platforms: ['windows', 'macos', 'linux'],
    reads: 'base64',
    importLink: null,
    getAt: 'https://github.com/2dust/v2rayN/releases',
  },
];

/** The platform a browser's User-Agent reports, or `null` when it names none of them. */
export function platformOf(userAgent: string | undefined): Platform | null {
  const ua = userAgent ?? '';
  if (/android/i.test(ua)) return 'android';
  if (/iphone|ipad|ipod/i.test(ua)) return 'ios';
  if (/windows/i.test(ua)) return 'windows';
  if (/macintosh|mac os x/i.test(ua)) return 'macos';
  if (/linux|x11|cros/i.test(ua)) return 'linux';
  return null;
}

/** The apps offered on `platform`. */
export function appsFor(platform: Platform): ClientApp[] {
  return CLIENT_APPS.filter((app) => app.platforms.includes(platform));
}
