/**
 * Russian and Chinese in the browser (issue 48): a buyer whose browser asks for the language walks every page of
 * theirs, and the owner the back office's main pages, finding no English but product names and the owner's own data
 * (plan, panel and inbound names), and every buyer page fits a phone without sideways scrolling.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsOf } from '../../src/app/payments/records.js';
import { LOCALE_TABLE, LOCALES } from '../../src/i18n/locales.js';
import { englishWordsIn } from '../support/english-words.js';
import { ADMIN } from '../support/shop-under-test.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

const PHONE = { width: 360, height: 740 };
const LANGUAGES = [
  { locale: 'ru', browser: 'ru-RU', plan: 'Франкфурт · 1 месяц · 50 GiB' },
  { locale: 'zh', browser: 'zh-CN', plan: '法兰克福 · 1 个月 · 50 GiB' },
] as const;

/**
 * What a reader sees on the page: its text, and the words in placeholders, titles, labels and image descriptions
 * (not the placeholders of left-to-right fields, which show the code or address the field takes).
 */
async function readableText(page: Page): Promise<string> {
  // Run in the page (a string: this file is compiled without the DOM's types).
  return page.evaluate<string>(`[
    document.title,
    document.body.innerText,
    ...[...document.querySelectorAll('[placeholder]:not([dir="ltr"]), [title], [aria-label], img[alt]')].flatMap((el) =>
      ['placeholder', 'title', 'aria-label', 'alt'].map((a) => (a === 'placeholder' && el.dir === 'ltr' ? '' : el.getAttribute(a) ?? '')),
    ),
  ].join('\\n')`);
}

/** Whether the page is wider than the window (a phone would scroll it sideways). */
async function overflowsWidth(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth + 1');
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!HAVE_CHROMIUM)(
  `the shop in Russian and Chinese in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    /** The owner's own words (plan, panel, inbound and shop names) and the demo card's holder, shown as written. */
    let ownersData: string[];
    /** The last buyer's subscription, customer and order page, for the owner's pages of them. */
    let bought: { subscriptionId: string; customerId: string; orderPath: string } | null = null;
    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
      const storage = shop.shop.storage;
      const panels = await storage.panels.list();
      const targets = await storage.targets.list();
      ownersData = [
        shop.shop.config.shopName,
        'Demo Shop',
        ...(await storage.plans.list()).flatMap((p) => [p.name, p.family ?? '']),
        ...panels.flatMap((p) => [p.name, ...p.locationTags]),
        ...targets.flatMap((t) => [t.name, ...t.tags]),
      ];
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    /** Opens each path and collects what is left in English (and, on a phone, what does not fit), by path. */
    async function walk(page: Page, paths: string[], allowed: string[], name: string): Promise<Record<string, string[]>> {
      const found: Record<string, string[]> = {};
      for (const path of paths) {
        const response = await page.goto(`${shop.url}${path}`);
        const problems = englishWordsIn(await readableText(page), allowed);
        if (response !== null && response.status() >= 500) problems.push(`status ${response.status()}`);
        if (page.viewportSize()?.width === PHONE.width && (await overflowsWidth(page))) problems.push('wider than a phone');
        if (problems.length > 0) found[path] = problems;
      }
      await screenshot(page, name);
      return found;
    }

    for (const { locale, browser: browserLocale, plan } of LANGUAGES) {
      it(`a buyer reading ${locale}: every page in ${locale}, none wider than a phone`, async () => {
        const context = await browser.newContext({ viewport: PHONE, locale: browserLocale });
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        const email = `walk-${locale}@example.com`;
        // The sessions page shows the browser as it names itself.
        const allowed = [...ownersData, email, await page.evaluate<string>('navigator.userAgent')];

        // Signed out: the browser's language is the page's.
        const anonymous = await walk(
          page,
          ['/', '/signin', '/signup', '/forgot-password', '/no-such-page'],
          allowed,
          `signed-out-${locale}`,
        );
        await expect(page.locator('html').getAttribute('lang')).resolves.toBe(locale);

        await page.goto(`${shop.url}/signup`);
        await page.locator('main input[name="email"]').fill(email);
        await page.locator('main input[name="password"]').fill('correct horse battery');
        await page.locator('main form button[type="submit"]').click();
        await page.waitForURL(/done=auth\.signed_up/);
        await page.goto(`${shop.url}/wallet`);
        await page.getByTestId('topup-test').locator('input[name="amount"]').fill('20');
        await page.getByTestId('topup-test').locator('button[type="submit"]').click();
        await page.waitForURL(/done=wallet\./);
        await page.goto(shop.url);
        await page.getByTestId('plan-card').filter({ hasText: plan }).getByRole('link').click();
        await page.getByTestId('checkout-form').locator('button[type="submit"]').click();
        await page.waitForURL(/\/orders\//);
        const orderPath = new URL(page.url()).pathname;

        const customer = (await shop.shop.storage.customers.getByEmail(email))!;
        expect(customer.locale).toBe(locale);
        const subscriptionOf = async () => (await shop.shop.storage.subscriptions.listByCustomer(customer.id, { limit: 1 })).items[0];
        await eventually(async () => (await subscriptionOf())?.status === 'active', 'the subscription to be provisioned');
        const sub = (await subscriptionOf())!;
        const payment = (await paymentsOf(shop.shop).listByCustomer(customer.id, { limit: 1 })).items[0]!;
        bought = { subscriptionId: sub.id, customerId: customer.id, orderPath };
        const link = `/s/${await shop.shop.kit.links.tokenFor(customer.id)}`;

        const signedIn = await walk(
          page,
          [
            '/',
            `/checkout/${sub.planId}`,
            orderPath,
            '/dashboard',
            `/subscriptions/${sub.id}`,
            `/subscriptions/${sub.id}/extend`,
            `/subscriptions/${sub.id}/traffic`,
            `/subscriptions/${sub.id}/plan`,
            '/wallet',
            `/wallet/payments/${payment.id}/invoice`,
            '/referrals',
            '/account/notifications',
            '/account/credentials',
            '/account/security',
            '/account/api-tokens',
            link,
          ],
          allowed,
          `buyer-${locale}`,
        );
        await expect(page.locator('html').getAttribute('lang')).resolves.toBe(locale);
        expect({ ...anonymous, ...signedIn }).toEqual({});
        await context.close();
      });

      it(`the owner reading ${locale}: the back office's main pages in ${locale}`, async () => {
        const context = await browser.newContext({ viewport: PHONE, locale: browserLocale });
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        await page.goto(`${shop.url}/signin`);
        await page.locator('main input[name="email"]').fill(ADMIN.email);
        await page.locator('main input[name="password"]').fill(ADMIN.password);
        await page.locator('main form button[type="submit"]').click();
        await page.waitForURL((url) => !url.pathname.startsWith('/signin'));

        const storage = shop.shop.storage;
        const [panel] = await storage.panels.list();
        const [plan] = await storage.plans.list();
        const emails = (await storage.customers.list({ limit: 50 })).items.map((c) => c.email ?? '');
        const found = await walk(
          page,
          [
            '/admin',
            '/admin/panels',
            `/admin/panels/${panel!.id}`,
            '/admin/plans',
            `/admin/plans/${plan!.id}/edit`,
            '/admin/orders',
            '/admin/receipts',
            '/admin/customers',
            '/admin/discounts',
            '/admin/referrals',
            '/admin/staff',
            '/admin/settings',
            '/admin/deliveries',
            '/admin/drift',
            '/admin/dry-run',
            '/admin/audit',
            '/admin/backup',
            '/admin/settings/link',
            ...(bought === null
              ? []
              : [
                  `/admin/subscriptions/${bought.subscriptionId}`,
                  `/admin/customers/${bought.customerId}`,
                  bought.orderPath.replace('/orders/', '/admin/orders/'),
                ]),
          ],
          // Each language is named in itself (the banner per language, the plan's texts per language).
          [...ownersData, ...emails, ...LOCALES.map((l) => LOCALE_TABLE[l].name)],
          `admin-${locale}`,
        );
        expect(found).toEqual({});
        await context.close();
      });
    }
  },
);
