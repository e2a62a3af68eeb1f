/**
 * The client apps the link's page, the bot, the Mini App and e-mails offer, per platform, with the one-tap import
 * link each app registers and where to get it. This is the one builder of those links: every channel asks
 * {@link importLinkOf}. Each form was checked against the app's own code or documentation, or, where neither
 * exists, against at least two independent field references (the subscription pages other shops and panels
 * ship); the source is named on each entry, and `test/client-apps.test.ts` asserts each form against it. An app
 * whose form could not be checked gets no button, only the link and the QR. Formats: `base64` (share links, what
 * `client-format.ts` gives every app it does not name), `sing-box` (JSON profile), `clash` (Clash.Meta YAML):
 * `client-format.ts` picks the same by the app's User-Agent.
 *
 * Path forms (Happ, Hiddify, Streisand, v2RayTun, INCY) take the link raw, as their sources do (they read the rest
 * of the path); query forms take it percent-encoded. The link is `https://<shop>/s/<token>`: no `?`, `&` or `#`
 * in it, so a raw link is unambiguous.
 */

/** The platforms the page tells apart, by the browser's User-Agent. */
export type Platform = 'android' | 'ios' | 'windows' | 'macos' | 'linux';

/** Every platform, in the order the page lists them. */
export const PLATFORMS: readonly Platform[] = ['android', 'ios', 'windows', 'macos', 'linux'];

/** What an import link carries: the buyer's link, the name to give the profile, and whether a plan counts devices. */
export interface ImportTarget {
  /** The buyer's link on the shown address. */
  url: string;
  /** The profile's name in the app (the shop's name). */
  title: string;
  /** Whether a subscription on the link has a device limit (Karing then turns its device id on). */
  deviceLimited: boolean;
}

/** A client app: its name, platforms, the import link for a subscription URL (or `null`), and where to get it. */
export interface ClientApp {
  /** A short id, used in the https hop's path (`/s/<token>/open/<id>`). */
  readonly id: string;
  readonly name: string;
  readonly platforms: readonly Platform[];
  /** The format the shop serves it (by its User-Agent). */
  readonly reads: 'base64' | 'sing-box' | 'clash';
  /** The one-tap import link for the target; `null` when no form could be checked. */
  readonly importLink: ((target: ImportTarget) => string) | null;
  /** The app's own download page. */
  readonly getAt: string;
}

const enc = encodeURIComponent;

/** The apps, the most used in the field first. */
export const CLIENT_APPS: readonly ClientApp[] = [
  {
    // Happ's docs (HappDev/happ_su dev-docs/crypto-link.md, routing.md) name its deep links; the subscription form
    // `happ://add/<url>` (raw) is the one remnawave/backend's default-subpage-config.ts and 3x-ui's
    // frontend/src/pages/sub/SubPage.tsx (`happ://add/${subUrl}`) both write. Reads base64 share links.
    id: 'happ',
    name: 'Happ',
    platforms: ['android', 'ios', 'windows', 'macos'],
    reads: 'base64',
    importLink: ({ url }) => `happ://add/${url}`,
    getAt: 'https://www.happ.su/',
  },
  {
    // hiddify/hiddify-app lib/utils/link_parsers.dart and hiddify.com docs/app/URL-Scheme.md:
    // `hiddify://import/<sublink>#name`, the sublink raw (read from the path). Served sing-box by User-Agent.
    id: 'hiddify',
    name: 'Hiddify',
    platforms: ['android', 'ios', 'windows', 'macos', 'linux'],
    reads: 'sing-box',
    importLink: ({ url, title }) => `hiddify://import/${url}#${enc(title)}`,
    getAt: 'https://github.com/hiddify/hiddify-app/releases',
  },
  {
    // v2RayTun documents no import scheme of its own; `v2raytun://import/<url>` (raw) is the form of remnawave's
    // subscription page (app-config.json) and of several independent shops' pages found by code search
    // (product-anchors §7, Table 1). Reads base64 share links.
    id: 'v2raytun',
    name: 'v2RayTun',
    platforms: ['android', 'ios', 'windows', 'macos'],
    reads: 'base64',
    importLink: ({ url }) => `v2raytun://import/${url}`,
    getAt: 'https://v2raytun.com/',
  },
  {
    // 2dust/v2rayNG ui/UrlSchemeActivity.kt: hosts `install-config` and `install-sub` read the `url` query parameter
    // (URL-decoded) and the profile name only from the URI's fragment, so the name goes after `#`.
    id: 'v2rayng',
    name: 'v2rayNG',
    platforms: ['android'],
    reads: 'base64',
    importLink: ({ url, title }) => `v2rayng://install-sub?url=${enc(url)}#${enc(title)}`,
    getAt: 'https://github.com/2dust/v2rayNG/releases',
  },
  {
    // Streisand is closed source and documents no scheme; `streisand://import/<url>#name` is the form of
    // remnawave/backend's default-subpage-config.ts and PasarGuard's default-applications-catalog.ts (3x-ui's
    // SubPage.tsx percent-encodes the link instead). Reads base64 share links.
    id: 'streisand',
    name: 'Streisand',
    platforms: ['ios', 'macos'],
    reads: 'base64',
    importLink: ({ url, title }) => `streisand://import/${url}#${enc(title)}`,
    getAt: 'https://apps.apple.com/app/id6450534064',
  },
  {
    // KaringX/karing lib/screens/scheme_handler.dart: `karing://install-config?url=<encoded>&name=<encoded>` (both
    // URL-decoded), and `hwid=true` (or `x-hwid`, `xhwid`) turns the app's device id on for this profile. Built on
    // sing-box: served sing-box by User-Agent.
    id: 'karing',
    name: 'Karing',
    platforms: ['android', 'ios', 'windows', 'macos'],
    reads: 'sing-box',
    importLink: ({ url, title, deviceLimited }) =>
      `karing://install-config?url=${enc(url)}&name=${enc(title)}${deviceLimited ? '&hwid=true' : ''}`,
    getAt: 'https://karing.app/',
  },
  {
    // SagerNet/sing-box docs/clients/general.md: every graphical client (SFA, SFI, SFM) takes
    // `sing-box://import-remote-profile?url=urlEncodedURL#urlEncodedName`; a remote profile is sing-box JSON.
    id: 'sing-box',
    name: 'sing-box (SFA · SFI · SFM)',
    platforms: ['android', 'ios', 'macos'],
    reads: 'sing-box',
    importLink: ({ url, title }) => `sing-box://import-remote-profile?url=${enc(url)}#${enc(title)}`,
    getAt: 'https://sing-box.sagernet.org/clients/',
  },
  {
    // V2Box is closed source; `v2box://install-sub?url=<encoded>&name=<encoded>` is the form of 3x-ui's
    // frontend/src/pages/sub/SubPage.tsx and of an independent shop's app catalog found by code search. Base64.
    id: 'v2box',
    name: 'V2Box',
    platforms: ['android', 'ios', 'macos'],
    reads: 'base64',
    importLink: ({ url, title }) => `v2box://install-sub?url=${enc(url)}&name=${enc(title)}`,
    getAt: 'https://apps.apple.com/app/id6446814690',
  },
  {
    // INCY documents `incy://add/<url>` (docs.incy.cc/en/deep-links), the form 3x-ui's SubPage.tsx writes too.
    id: 'incy',
    name: 'INCY',
    platforms: ['android', 'ios'],
    reads: 'base64',
    importLink: ({ url }) => `incy://add/${url}`,
    getAt: 'https://incy.cc/',
  },
  {
    // Stash documents `stash://install-config?url=<encoded>` (stash.wiki/en/faq/url-schema). Clash YAML.
    id: 'stash',
    name: 'Stash',
    platforms: ['ios', 'macos'],
    reads: 'clash',
    importLink: ({ url }) => `stash://install-config?url=${enc(url)}`,
    getAt: 'https://apps.apple.com/app/id1596063349',
  },
  {
    // MetaCubeX/ClashMetaForAndroid app/src/main/AndroidManifest.xml: ExternalControlActivity takes schemes `clash`
    // and `clashmeta`, host `install-config`, and imports the `url` query parameter under `name`. Clash YAML.
    id: 'clash-meta',
    name: 'Clash Meta',
    platforms: ['android'],
    reads: 'clash',
    importLink: ({ url, title }) => `clashmeta://install-config?url=${enc(url)}&name=${enc(title)}`,
    getAt: 'https://github.com/MetaCubeX/ClashMetaForAndroid/releases',
  },
  {
    // chen08209/FlClash lib/common/link.dart imports the `url` query parameter of host `install-config` for the
    // schemes it registers (`clash`, `clashmeta`, `flclash`; none on Linux). Its User-Agent (`FlClash/v… clash-verge
    // Platform/<os>`, lib/common/package.dart) gets Clash YAML, named after `content-disposition`.
    id: 'flclash',
    name: 'FlClash',
    platforms: ['android', 'windows', 'macos'],
    reads: 'clash',
    importLink: ({ url }) => `flclash://install-config?url=${enc(url)}`,
    getAt: 'https://github.com/chen08209/FlClash/releases',
  },
  {
    // pluralplay/FlClashX (a FlClash fork, the field's pick for Remnawave shops) registers `flclashx`, host
    // `install-config`, and imports the `url` query parameter as FlClash does; its User-Agent names FlClash: Clash YAML.
    id: 'flclashx',
    name: 'FlClashX',
    platforms: ['android', 'windows', 'macos', 'linux'],
    reads: 'clash',
    importLink: ({ url }) => `flclashx://install-config?url=${enc(url)}`,
    getAt: 'https://github.com/pluralplay/FlClashX/releases',
  },
  {
    // KaringX/clashmi lib/screens/scheme_handler.dart: schemes `clash` and `clashmi`, host `install-config`, reading
    // `url` and `name` (each URL-decoded), and `hwid=true` (or `xhwid`) to send the device id, as Karing does. Its
    // User-Agent (`ClashMi/… ClashMeta/…; mihomo/…`, lib/app/utils/http_utils.dart) gets Clash YAML.
    id: 'clash-mi',
    name: 'Clash Mi',
    platforms: ['android', 'ios', 'windows', 'macos', 'linux'],
    reads: 'clash',
    importLink: ({ url, title, deviceLimited }) =>
      `clashmi://install-config?url=${enc(url)}&name=${enc(title)}${deviceLimited ? '&hwid=true' : ''}`,
    getAt: 'https://github.com/KaringX/clashmi/releases',
  },
  {
    // clash-verge-rev/clash-verge-rev.github.io docs/guide/url_schemes.md: `clash://install-config?url=<encoded>`;
    // reads a Clash (mihomo) profile, which the shop serves a `clash-verge/…` User-Agent.
    id: 'clash-verge',
    name: 'Clash Verge Rev',
    platforms: ['windows', 'macos', 'linux'],
    reads: 'clash',
    importLink: ({ url }) => `clash://install-config?url=${enc(url)}`,
    getAt: 'https://github.com/clash-verge-rev/clash-verge-rev/releases',
  },
  {
    // mihomo-party-org/mihomo-party src/main/index.ts: schemes `clash` and `mihomo`, host `install-config`, reading
    // `url` and `name`; its User-Agent is `clash.meta` (profile.ts): Clash YAML.
    id: 'mihomo-party',
    name: 'Mihomo Party',
    platforms: ['windows', 'macos', 'linux'],
    reads: 'clash',
    importLink: ({ url, title }) => `mihomo://install-config?url=${enc(url)}&name=${enc(title)}`,
    getAt: 'https://github.com/mihomo-party-org/mihomo-party/releases',
  },
  {
    // legiz-ru/Prizrak-Box src/main.ts (parseDeepLinkUrl) and src-electron/main.ts: scheme `prizrak-box`, host
    // `install-config`, `url` and `name` query parameters, each URL-decoded; its User-Agent is `clash-verge/…`: Clash.
    id: 'prizrak-box',
    name: 'Prizrak-Box',
    platforms: ['windows', 'macos', 'linux'],
    reads: 'clash',
    importLink: ({ url, title }) => `prizrak-box://install-config?url=${enc(url)}&name=${enc(title)}`,
    getAt: 'https://github.com/legiz-ru/Prizrak-Box/releases',
  },
  {
    // MatsuriDayo/NekoBoxForAndroid app/src/main/AndroidManifest.xml: MainActivity takes scheme `sn`, host
    // `subscription` ("subscription import"), with `url` and `name` query parameters. Its User-Agent
    // (`NekoBox/Android/… (Prefer ClashMeta Format)`) asks for Clash YAML, which it parses.
    id: 'nekobox',
    name: 'NekoBox',
    platforms: ['android'],
    reads: 'clash',
    importLink: ({ url, title }) => `sn://subscription?url=${enc(url)}&name=${enc(title)}`,
    getAt: 'https://github.com/MatsuriDayo/NekoBoxForAndroid/releases',
  },
  {
    // throneproj/Throne (NekoRay's successor, from 1.1.5): `throne://addsub/?url=<encoded>&name=<encoded>`, as its
    // maintainer gives it in throneproj/Throne#451 and #855 (its docs do not cover it yet). Its User-Agent
    // (`Throne/… (Prefer ClashMeta Format)`) gets Clash YAML.
    id: 'throne',
    name: 'Throne',
    platforms: ['windows', 'linux'],
    reads: 'clash',
    importLink: ({ url, title }) => `throne://addsub/?url=${enc(url)}&name=${enc(title)}`,
    getAt: 'https://github.com/throneproj/Throne/releases',
  },
  {
    // 2dust/v2rayN: reads base64 share links; it registers no URL scheme (ServiceLib/Global.cs's `v2rayn://` is
    // its own share-link format, not an import handler; asked in 2dust/v2rayN#4053), so no button: link and QR.
    id: 'v2rayn',
    name: 'v2rayN',
    platforms: ['windows', 'macos', 'linux'],
    reads: 'base64',
    importLink: null,
    getAt: 'https://github.com/2dust/v2rayN/releases',
  },
];

/** The app with `id`, or `null`. */
export function clientApp(id: string): ClientApp | null {
  return CLIENT_APPS.find((app) => app.id === id) ?? null;
}

/** The one-tap import link of `app` for `target`, or `null` for an app without a checked form. */
export function importLinkOf(app: ClientApp, target: ImportTarget): string | null {
  return app.importLink?.(target) ?? null;
}

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

/** The apps with a one-tap import link (the ones the bot and the hop offer). */
export function importableApps(): ClientApp[] {
  return CLIENT_APPS.filter((app) => app.importLink !== null);
}

/**
 * Happ's deep link that adds a routing profile and makes it active: `happ://routing/onadd/<base64 of the profile's
 * JSON>` (HappDev/happ_su `dev-docs/routing.md`). Also what the `routing` header carries to Happ.
 */
export function happRoutingLink(profile: object): string {
  return `happ://routing/onadd/${Buffer.from(JSON.stringify(profile), 'utf8').toString('base64')}`;
}

/**
 * Happ's deep link that turns its routing off (HappDev/happ_su `dev-docs/routing.md`: `happ://routing/off`), for the
 * `routing` header once the plan's profile is gone (Happ keeps the last profile it was sent otherwise).
 */
export const HAPP_ROUTING_OFF = 'happ://routing/off';
