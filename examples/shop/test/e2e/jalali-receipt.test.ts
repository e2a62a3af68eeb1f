import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsOf } from '../../src/app/payments/records.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

describe.skipIf(!HAVE_CHROMIUM)(
  `a card receipt dated in the Jalali calendar, in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop({ env: { SHOP_TIME_ZONE: 'Asia/Tehran' } }), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    it('takes "when you paid" as a Tehran-time Jalali date typed in Persian digits, and stores its UTC instant', async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fa-IR' });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      const email = 'jalali@example.com';
      await page.goto(`${shop.url}/signup`);
      await page.locator('input[name="email"]').fill(email);
      await page.locator('input[name="password"]').fill('correct horse battery');
      await page.locator('form button[type="submit"]').click();
      await page.waitForURL(/done=auth\.signed_up/);
      await page.goto(`${shop.url}/lang/fa?next=/wallet`);
      await expect(page.locator('html').getAttribute('dir')).resolves.toBe('rtl');

      const form = page.getByTestId('topup-card');
      const paidAt = form.locator('#card-paidAt');
      await expect(paidAt.getAttribute('type')).resolves.toBe('text');
      await expect(paidAt.getAttribute('placeholder')).resolves.toBe('۱۴۰۴/۱۲/۱۰ ۱۲:۳۰');
      await form.locator('#card-amount').fill('۲۵');
      await form.locator('#card-reference').fill('TRK-1404-1210');
      await form.locator('#card-cardLast4').fill('۱۲۳۴');
      // 10 Esfand 1404, 11:30 in Tehran (UTC+3:30) = 1 March 2026, 08:00 UTC.
      await paidAt.fill('۱۴۰۴/۱۲/۱۰ ۱۱:۳۰');
      await screenshot(page, 'receipt-jalali-fa');
      await form.locator('button[type="submit"]').click();
      await page.waitForURL(/done=wallet\.pending/);

      const customer = await shop.shop.storage.customers.getByEmail(email);
      const [payment] = (await paymentsOf(shop.shop).listByCustomer(customer!.id, { limit: 5 })).items;
      expect(payment?.details.paidAt).toBe('2026-03-01T08:00:00.000Z');
      await context.close();
    });
  },
);
