import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsFor, importableApps, importLinkOf, PLATFORMS, type Platform } from '@panelkit/subscription-feed/apps';
import { directionOf, LOCALES, translator } from '../../src/i18n/translate.js';
import { boughtAndProvisioned, fund, planNamed } from '../support/buying.js';
import { signedUpBuyer, type Visitor } from '../support/shop-under-test.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

/** The devices the page is walked on: the platform each reports, and the import link the page must offer there. */
const DEVICES = [
  {
    name: 'phone',
    viewport: { width: 390, height: 844 },
    userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36',
    platform: 'android',
    imports: [
      'happ://add/',
      'v2rayng://install-sub?url=',
      'hiddify://import/',
      'sing-box://import-remote-profile?url=',
      'flclash://install-config?url=',
    ],
  },
  {
    name: 'desktop',
    viewport: { width: 1280, height: 800 },
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    platform: 'windows',
    imports: ['clash://install-config?url=', 'hiddify://import/', 'flclash://install-config?url='],
  },
] as const;

describe.skipIf(!HAVE_CHROMIUM)(
  `the page at the buyer's link in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    const buyers: Record<'active' | 'expired' | 'limited', { visitor: Visitor; link: string }> = {} as never;

    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
      for (const state of ['active', 'expired', 'limited'] as const) {
        const visitor = await signedUpBuyer(shop.app);
        await fund(shop, visitor.email, 5000);
        const id = await boughtAndProvisioned(shop, visitor, (await planNamed(shop, 'Frankfurt · 1 month · 50')).id);
        if (state !== 'active') {
          const sub = (await shop.shop.storage.subscriptions.get(id))!;
          await shop.shop.storage.subscriptions.update(id, { status: state }, { expectedRevision: sub.revision });
        }
        const customer = (await shop.shop.storage.customers.getByEmail(visitor.email))!;
        buyers[state] = { visitor, link: `${shop.url}/s/${await shop.shop.kit.links.tokenFor(customer.id)}` };
      }
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    // Every language the shop speaks, as it grows: the walk follows the one list.
    for (const locale of LOCALES) {
      for (const state of ['active', 'expired', 'limited'] as const)
        it(`shows ${state === 'limited' ? 'a' : 'an'} ${state} buyer's state, the QR and the apps per platform in ${locale}, on a phone and a desktop, all from the shop`, async () => {
          {
            const { visitor, link } = buyers[state];
            await visitor.agent.get(`/lang/${locale}?next=/dashboard`).expect(303);
            for (const device of DEVICES) {
              const context = await browser.newContext({ viewport: device.viewport, userAgent: device.userAgent, locale });
              context.setDefaultTimeout(10_000);
              const page = await context.newPage();
              const requests: string[] = [];
              const violations: string[] = [];
              page.on('request', (r) => requests.push(r.url()));
              page.on('console', (m) => {
                if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
              });
              const answer = await page.goto(link);
              expect(answer?.status()).toBe(200);
              expect(answer?.headers()['content-security-policy']).toContain("script-src 'self'");
              await expect(page.locator('html').getAttribute('lang')).resolves.toBe(locale);
              await expect(page.locator('h1').textContent()).resolves.toBe(translator(locale)('linkPage.title'));
              await expect(page.locator('html').getAttribute('dir')).resolves.toBe(directionOf(locale));
              await expect(page.getByTestId('link-sub').getAttribute('data-status')).resolves.toBe(state);
              const blocked = page.getByTestId('link-blocked');
              if (state === 'active') await expect(blocked.count()).resolves.toBe(0);
              else await expect(blocked.getAttribute('data-reason')).resolves.toBe(state);
              await expect(page.getByTestId('link-qr').getAttribute('src')).resolves.toMatch(/^data:image\/svg\+xml;base64,/);
              await expect(page.getByTestId('link-url').inputValue()).resolves.toBe(link);
              await expect(page.getByTestId('link-platform').getAttribute('data-platform')).resolves.toBe(device.platform);
              const shown = page.locator(`ul.link-apps[data-platform="${device.platform}"] a[data-testid^="import-"]`);
              const hrefs = await shown.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
              for (const prefix of device.imports)
                expect(
                  hrefs.some((h) => h.startsWith(prefix)),
                  prefix,
                ).toBe(true);
              for (const href of hrefs) expect(href.includes(encodeURIComponent(link)) || href.includes(link)).toBe(true);
              // The other platforms: one tap away, without a script.
              const others = page.getByTestId('link-platform-other');
              await expect(others.count()).resolves.toBe(4);
              await others.first().locator('summary').click();
              await expect(others.first().locator('ul.link-apps').isVisible()).resolves.toBe(true);
              // Fits the screen: nothing wider than the viewport.
              const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
              expect(width).toBeLessThanOrEqual(device.viewport.width);
              expect(violations).toEqual([]);
              expect(requests.filter((u) => !u.startsWith(`${shop.url}/`) && !u.startsWith('data:'))).toEqual([]);
              await screenshot(page, `link-page-${state}-${device.name}-${locale}`);
              await context.close();
            }
          }
        }, 90_000);
    }

    /** A browser's User-Agent on each platform. */
    const USER_AGENTS: Record<Platform, string> = {
      android: DEVICES[0].userAgent,
      ios: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1',
      windows: DEVICES[1].userAgent,
      macos: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15',
      linux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    };

    it('shows, on each platform, a working one-tap import for every app of the platform, and the https hop opens each', async () => {
      const { link } = buyers.active;
      const hopped = new Set<string>();
      for (const platform of PLATFORMS) {
        const context = await browser.newContext({ viewport: { width: 390, height: 844 }, userAgent: USER_AGENTS[platform], locale: 'en' });
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        expect((await page.goto(link))?.status()).toBe(200);
        await expect(page.getByTestId('link-platform').getAttribute('data-platform')).resolves.toBe(platform);
        const rows = page.locator(`ul.link-apps[data-platform="${platform}"] li.link-app`);
        await expect(rows.evaluateAll((li) => li.map((l) => l.getAttribute('data-app')))).resolves.toEqual(
          appsFor(platform).map((a) => a.id),
        );
        for (const app of appsFor(platform)) {
          const expected = importLinkOf(app, { url: link, title: shop.shop.config.shopName, deviceLimited: false });
          const button = page.locator(`ul.link-apps[data-platform="${platform}"] [data-testid="import-${app.id}"]`);
          if (expected === null) {
            await expect(button.count(), app.id).resolves.toBe(0);
            continue;
          }
          await expect(button.isVisible(), app.id).resolves.toBe(true);
          // As Chromium reads the link: the app's scheme, and the buyer's link where the app reads it.
          const read = await button.evaluate((a: { href: string; getAttribute(name: string): string | null }) => {
            const url = new URL(a.href);
            const path = a.href.slice(a.href.indexOf('://') + 3).replace(/#.*$/, '');
            return {
              href: a.getAttribute('href'),
              protocol: url.protocol,
              query: url.searchParams.get('url'),
              path: path.slice(path.indexOf('/') + 1),
            };
          });
          expect(read.href, app.id).toBe(expected);
          expect(read.protocol, app.id).toBe(`${expected.slice(0, expected.indexOf(':'))}:`);
          expect(read.query ?? read.path, app.id).toBe(link);
          // The https hop, for channels that carry only http(s) links, offers the same link (each app once).
          if (hopped.has(app.id)) continue;
          hopped.add(app.id);
          const hop = await context.newPage();
          const answer = await hop.goto(`${link}/open/${app.id}`, { waitUntil: 'domcontentloaded' });
          expect(answer?.status(), app.id).toBe(200);
          await expect(hop.getByTestId('open-app').getAttribute('href'), app.id).resolves.toBe(expected);
          await hop.close();
        }
        await screenshot(page, `link-page-apps-${platform}`);
        await context.close();
      }
      expect([...hopped].sort()).toEqual(
        importableApps()
          .map((a) => a.id)
          .sort(),
      );
    }, 300_000);
  },
);
