/**
 * The link's page says what the buyer's plan routes direct (issue 57), in every language the shop speaks, in
 * headless Chromium: the country's sites and addresses and local networks, and Happ's deep link that adds the
 * same routing by hand. The routing itself per app format is `routing-profiles.test.ts`.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { savePlanRouting } from '../../src/db/plan-routing.js';
import { LOCALES, translator } from '../../src/i18n/translate.js';
import { boughtAndProvisioned, fund, planNamed } from '../support/buying.js';
import { signedUpBuyer, type Visitor } from '../support/shop-under-test.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

const PHONE = {
  viewport: { width: 390, height: 844 },
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36',
};

describe.skipIf(!HAVE_CHROMIUM)(
  `what the plan routes direct, on the link's page in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let buyer: Visitor & { email: string };
    let link: string;

    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
      const plan = await planNamed(shop, 'Frankfurt · 1 month · 50');
      // The owner's choice as the plan form saves it (the form itself: subscription-link-routing.test.ts).
      await savePlanRouting(shop.shop, plan.id, 'ir');
      buyer = await signedUpBuyer(shop.app);
      await fund(shop, buyer.email, 5000);
      await boughtAndProvisioned(shop, buyer, plan.id);
      const customer = (await shop.shop.storage.customers.getByEmail(buyer.email))!;
      link = `${shop.url}/s/${await shop.shop.kit.links.tokenFor(customer.id)}`;
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    for (const locale of LOCALES)
      it(`shows Iranian sites and local networks going direct, and Happ's routing link, in ${locale}`, async () => {
        const t = translator(locale);
        await buyer.agent.get(`/lang/${locale}?next=/dashboard`).expect(303);
        const context = await browser.newContext({ ...PHONE, locale });
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        expect((await page.goto(link))?.status()).toBe(200);
        const card = page.getByTestId('link-routing');
        await expect(card.getAttribute('data-countries')).resolves.toBe('ir');
        await expect(card.locator('h2').textContent()).resolves.toBe(t('routing.page.title'));
        await expect(page.getByTestId('link-routing-country').textContent()).resolves.toBe(t('routing.page.ir'));
        await expect(page.getByTestId('link-routing-private').textContent()).resolves.toBe(t('routing.page.private'));
        const happ = (await page.getByTestId('link-routing-happ').getAttribute('href')) ?? '';
        const profile = JSON.parse(Buffer.from(happ.replace(/^happ:\/\/routing\/onadd\//, ''), 'base64').toString('utf8'));
        expect(profile.DirectSites).toEqual(['geosite:category-ir']);
        expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(PHONE.viewport.width);
        await screenshot(page, `link-routing-${locale}`);
        await context.close();
      }, 90_000);
  },
);
