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
    // happ.su dev-docs "Meta Info": reads the usual subscription (base64 share links) with the panels' headers.
    // Its `happ://add/` import link was not found in Happ's own documentation here, so no button: link and QR.
    id: 'happ',
    name: 'Happ',
    platforms: ['android', 'ios', 'windows', 'macos'],
    reads: 'base64',
    importLink: null,
    getAt: 'https://www.happ.su/',
  },
  {
    // 2dust/v2rayN: reads base64 share links; no URL scheme of its own to check, so no button: link and QR.
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
