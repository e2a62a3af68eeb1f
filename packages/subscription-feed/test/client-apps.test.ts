/**
 * Each app's one-tap import link, asserted against the form its source names (the app's code or documentation, or
 * the field's subscription pages where the app documents none), written out here by hand from that source; the
 * link reaches the app as the app reads it (raw in a path form, the decoded `url` parameter in a query form); and
 * no other module builds an app's import link.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appsFor, CLIENT_APPS, clientApp, importLinkOf, PLATFORMS, type ImportTarget } from '../src/client-apps.js';
import { feedFormat } from '../src/feed/client-format.js';

const URL_ = 'https://shop.example.com/s/AbC123xyz';
const ENC = 'https%3A%2F%2Fshop.example.com%2Fs%2FAbC123xyz';
const TARGET: ImportTarget = { url: URL_, title: 'Demo VPN', deviceLimited: false };

/** The form each source names, for the target above: `[app id, form, source]`. */
const FORMS: ReadonlyArray<[string, string, string]> = [
  ['happ', `happ://add/${URL_}`, 'remnawave default-subpage-config.ts; 3x-ui SubPage.tsx `happ://add/<subUrl>`'],
  ['hiddify', `hiddify://import/${URL_}#Demo%20VPN`, 'hiddify docs/app/URL-Scheme.md `hiddify://import/<sublink>#name`'],
  ['v2raytun', `v2raytun://import/${URL_}`, 'field pages: `v2raytun://import/<url>`'],
  ['v2rayng', `v2rayng://install-sub?url=${ENC}#Demo%20VPN`, 'v2rayNG UrlSchemeActivity.kt: `url` query, name from the fragment'],
  ['streisand', `streisand://import/${URL_}#Demo%20VPN`, 'remnawave default-subpage-config.ts; PasarGuard catalog'],
  ['karing', `karing://install-config?url=${ENC}&name=Demo%20VPN`, 'karing scheme_handler.dart'],
  ['sing-box', `sing-box://import-remote-profile?url=${ENC}#Demo%20VPN`, 'sing-box docs/clients/general.md'],
  ['v2box', `v2box://install-sub?url=${ENC}&name=Demo%20VPN`, '3x-ui SubPage.tsx `v2box://install-sub?url=…&name=…`'],
  ['incy', `incy://add/${URL_}`, 'docs.incy.cc/en/deep-links `incy://add/<url>`'],
  ['stash', `stash://install-config?url=${ENC}`, 'stash.wiki/en/faq/url-schema'],
  ['clash-meta', `clashmeta://install-config?url=${ENC}&name=Demo%20VPN`, 'ClashMetaForAndroid AndroidManifest.xml'],
  ['flclash', `flclash://install-config?url=${ENC}`, 'FlClash lib/common/link.dart'],
  ['clash-verge', `clash://install-config?url=${ENC}`, 'clash-verge-rev docs/guide/url_schemes.md'],
  ['mihomo-party', `mihomo://install-config?url=${ENC}&name=Demo%20VPN`, 'mihomo-party src/main/index.ts'],
  ['prizrak-box', `prizrak-box://install-config?url=${ENC}&name=Demo%20VPN`, 'Prizrak-Box src/main.ts parseDeepLinkUrl'],
  ['throne', `throne://addsub/?url=${ENC}&name=Demo%20VPN`, 'throneproj/Throne#451, #855 (maintainer)'],
  ['nekobox', `sn://subscription?url=${ENC}&name=Demo%20VPN`, 'NekoBoxForAndroid AndroidManifest.xml (scheme sn, host subscription)'],
  ['flclashx', `flclashx://install-config?url=${ENC}`, 'FlClashX (FlClash fork) `flclashx` scheme, host install-config'],
  ['clash-mi', `clashmi://install-config?url=${ENC}&name=Demo%20VPN`, 'clashmi lib/screens/scheme_handler.dart'],
];

/** A User-Agent each app sends when it fetches the link, as its source writes it: `[app id, User-Agent]`. */
const USER_AGENTS: ReadonlyArray<[string, string]> = [
  ['happ', 'Happ/3.2.1/Android'],
  ['hiddify', 'HiddifyNext/2.5.7 (android) like ClashMeta v2ray sing-box'],
  ['v2raytun', 'v2raytun/5.24.76 Windows/10.0'],
  ['v2rayng', 'v2rayNG/1.10.2'],
  ['streisand', 'Streisand/1.6.3'],
  ['karing', 'Karing/1.2.22.2502 platform/android;mihomo/1.19.27;clash-verge;sing-box 1.13.0'],
  ['sing-box', 'SFA/1.12.4 (Android 14; sing-box 1.12.4)'],
  ['v2box', 'V2Box 8.8;IOS 15.1'],
  ['incy', 'INCY/1.4.0 (Android 14)'],
  ['stash', 'Stash/2.4.0 Clash/1.9.0'],
  ['clash-meta', 'ClashMetaForAndroid/2.11.1.Meta'],
  ['flclash', 'FlClash/0.8.60 clash-verge Platform/android'],
  ['flclashx', 'FlClashX/0.2.0 clash-verge Platform/android'],
  ['clash-verge', 'clash-verge/v2.0.3'],
  ['mihomo-party', 'mihomo.party/v1.5.12 (clash.meta)'],
  ['prizrak-box', 'clash-verge/v2.3.0'],
  ['clash-mi', 'ClashMi/1.0.12 platform/android ClashMeta/1.19.12; mihomo/1.19.12'],
  ['nekobox', 'NekoBox/Android/1.4.2 (Prefer ClashMeta Format)'],
  ['throne', 'Throne/1.6.6 (Prefer ClashMeta Format)'],
  ['v2rayn', 'v2rayN/7.10.0'],
];

/** The subscription URL as the app reads it back out of its import link. */
function urlAsTheAppReadsIt(link: string): string | null {
  const parsed = new URL(link);
  const fromQuery = parsed.searchParams.get('url');
  if (fromQuery !== null) return fromQuery;
  // Path forms: everything after `<scheme>://<host>/`, up to the fragment.
  const rest = link.slice(link.indexOf('://') + 3).replace(/#.*$/, '');
  return rest.slice(rest.indexOf('/') + 1);
}

describe('the client apps’ import links', () => {
  it('are each the form its source names', () => {
    for (const [id, form, source] of FORMS) expect(importLinkOf(clientApp(id)!, TARGET), `${id}: ${source}`).toBe(form);
    // Every app with a button is in the table above; the one without is v2rayN (it registers no scheme).
    expect(
      CLIENT_APPS.filter((a) => a.importLink !== null)
        .map((a) => a.id)
        .sort(),
    ).toEqual(FORMS.map(([id]) => id).sort());
    expect(importLinkOf(clientApp('v2rayn')!, TARGET)).toBeNull();
  });

  it('carry the buyer’s link to the app as the app reads it, and a shop name in any script', () => {
    const target = { ...TARGET, title: 'وی‌پی‌ان «دمو» & co' };
    for (const app of CLIENT_APPS) {
      const link = importLinkOf(app, target);
      if (link === null) continue;
      expect(urlAsTheAppReadsIt(link), app.id).toBe(URL_);
      const name =
        new URL(link).searchParams.get('name') ?? (link.includes('#') ? decodeURIComponent(link.slice(link.indexOf('#') + 1)) : null);
      if (name !== null) expect(name, app.id).toBe(target.title);
    }
  });

  it('ask Karing and Clash Mi for the device id on a plan with a device limit, and only there', () => {
    const karing = clientApp('karing')!;
    expect(importLinkOf(karing, { ...TARGET, deviceLimited: true })).toBe(`karing://install-config?url=${ENC}&name=Demo%20VPN&hwid=true`);
    expect(new URL(importLinkOf(karing, TARGET)!).searchParams.has('hwid')).toBe(false);
    // Clash Mi, Karing's sibling, reads the same switch (scheme_handler.dart: `xhwid` or `hwid`).
    const clashMi = clientApp('clash-mi')!;
    expect(importLinkOf(clashMi, { ...TARGET, deviceLimited: true })).toBe(`clashmi://install-config?url=${ENC}&name=Demo%20VPN&hwid=true`);
    for (const app of CLIENT_APPS.filter((a) => !['karing', 'clash-mi'].includes(a.id) && a.importLink !== null))
      expect(importLinkOf(app, { ...TARGET, deviceLimited: true }), app.id).toBe(importLinkOf(app, TARGET));
  });

  it('name the format the link serves each app by the User-Agent it sends', () => {
    expect(USER_AGENTS.map(([id]) => id).sort()).toEqual(CLIENT_APPS.map((a) => a.id).sort());
    for (const [id, userAgent] of USER_AGENTS) expect(feedFormat(userAgent, '*/*'), `${id}: ${userAgent}`).toBe(clientApp(id)!.reads);
  });

  it('are grouped per platform, every platform with several apps that import in one tap', () => {
    for (const platform of PLATFORMS) {
      const apps = appsFor(platform);
      expect(apps.filter((a) => a.importLink !== null).length, platform).toBeGreaterThanOrEqual(4);
      expect(new Set(apps.map((a) => a.id)).size).toBe(apps.length);
    }
    expect(new Set(CLIENT_APPS.map((a) => a.id)).size).toBe(CLIENT_APPS.length);
  });

  it('are built by one module: no other source (the package’s or the reference shop’s) writes an app’s import scheme', () => {
    const ROOTS = [join(import.meta.dirname, '..', 'src'), join(import.meta.dirname, '..', '..', '..', 'examples', 'shop', 'src')];
    const OWN = join(import.meta.dirname, '..', 'src', 'client-apps.ts');
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    const schemes = FORMS.map(([, form]) => form.slice(0, form.indexOf('://') + 3));
    const offenders = ROOTS.filter((root) => existsSync(root))
      .flatMap(sources)
      .filter((path) => path !== OWN)
      .flatMap((path) =>
        schemes
          .filter((s) => readFileSync(path, 'utf8').includes(`\`${s}`))
          .map((s) => `${relative(join(import.meta.dirname, '..'), path)}: ${s}`),
      );
    expect(offenders).toEqual([]);
  });
});
