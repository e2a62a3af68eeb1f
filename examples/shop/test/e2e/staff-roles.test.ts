import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, signedUpBuyer } from '../support/shop-under-test.js';
import { balanceOf, receipt, submitReceipt } from '../support/wallet-helpers.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

const SUPPORT = { email: 'helpdesk@example.com', password: 'helpdesk-password-1' };

describe.skipIf(!HAVE_CHROMIUM)(
  `a support-role admin, in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop({ env: { STAFF_TOTP: 'optional' } }), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    it('is invited by the owner, refused a panel page, and approves a card receipt', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      const signIn = async (who: { email: string; password: string }) => {
        await page.goto(`${shop.url}/signin`);
        await page.locator('input[name="email"]').fill(who.email);
        await page.locator('input[name="password"]').fill(who.password);
        await page.locator('form button[type="submit"]').click();
        await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
      };

      await signIn(ADMIN);
      await page.goto(`${shop.url}/admin/staff`);
      await page.locator('#f-email').fill(SUPPORT.email);
      await page.locator('#f-password').fill(SUPPORT.password);
      await page.getByRole('button', { name: 'Add to support' }).click();
      await page.waitForURL(/done=staff\.added/);
      await expect(page.getByTestId('staff-row').filter({ hasText: SUPPORT.email }).textContent()).resolves.toContain('Support');
      await context.clearCookies();

      const buyer = await signedUpBuyer(shop.app);
      expect((await submitReceipt(buyer, receipt({ amount: '25', reference: 'HELPDESK-1' }))).status).toBe(303);

      await signIn(SUPPORT);
      const panels = await page.goto(`${shop.url}/admin/panels`);
      expect(panels?.status()).toBe(403);
      await expect(page.locator('main').textContent()).resolves.toContain("Only the shop's owner may do that.");

      await page.goto(`${shop.url}/admin/receipts`);
      const nav = page.locator('nav.admin-nav');
      await expect(nav.locator('a[href="/admin/panels"]').count()).resolves.toBe(0);
      await expect(nav.locator('a[href="/admin/receipts"]').count()).resolves.toBe(1);
      const row = page.getByTestId('receipt-row').filter({ hasText: 'HELPDESK-1' });
      await screenshot(page, 'support-receipts');
      await row.getByTestId('approve-receipt').getByRole('checkbox').check();
      await row.getByTestId('approve-receipt').locator('button[type="submit"]').click();
      await page.waitForURL(/\/admin\/receipts/);
      await expect(page.getByTestId('receipt-row').filter({ hasText: 'HELPDESK-1' }).count()).resolves.toBe(0);
      expect(await balanceOf(shop.shop, buyer.email)).toBe(2500); // minor units
      await context.close();
    });
  },
);
