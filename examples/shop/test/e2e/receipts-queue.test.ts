import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, signedUpBuyer } from '../support/shop-under-test.js';
import { balanceOf, receipt, submitReceipt } from '../support/wallet-helpers.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

describe.skipIf(!HAVE_CHROMIUM)(
  `the admin receipts queue, in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    it('searches, selects two receipts, confirms once and credits both', async () => {
      const buyers = await Promise.all([1, 2, 3].map(() => signedUpBuyer(shop.app)));
      for (const [i, buyer] of buyers.entries()) {
        expect((await submitReceipt(buyer, receipt({ amount: '12', reference: `BULK-E2E-${i}` }))).status).toBe(303);
      }
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      await page.goto(`${shop.url}/signin`);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.goto(`${shop.url}/admin/receipts`);

      await page.getByTestId('receipts-filter').getByLabel('Search').fill('bulk-e2e');
      await page.getByTestId('receipts-filter').getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL(/q=bulk-e2e/);
      await expect(page.getByTestId('receipt-row').count()).resolves.toBe(3);
      for (const reference of ['BULK-E2E-0', 'BULK-E2E-2']) await page.getByLabel(`Select receipt ${reference}`).check();
      await screenshot(page, 'admin-receipts-bulk-selected');
      await page.getByRole('button', { name: 'Approve selected…' }).click();

      await page.waitForURL(/\/admin\/receipts\/bulk-approve$/);
      await expect(page.getByTestId('bulk-summary').textContent()).resolves.toContain('2 receipts, $24.00 in all');
      const submit = page.getByRole('button', { name: 'Approve and credit 2 receipts' });
      await submit.click();
      // The required box stops the form: still on the confirmation page, nothing credited.
      await expect(page.getByTestId('bulk-summary').isVisible()).resolves.toBe(true);
      expect(await balanceOf(shop.shop, buyers[0]!.email)).toBe(0);
      await page.getByLabel('I checked that each of these transfers arrived').check();
      await screenshot(page, 'admin-receipts-bulk-confirm');
      await submit.click();
      await page.waitForURL(/\/admin\/receipts\/bulk-approve\/confirm$/);
      await expect(page.getByTestId('bulk-approved').textContent()).resolves.toContain('2 receipts approved');

      expect(await balanceOf(shop.shop, buyers[0]!.email)).toBe(1200);
      expect(await balanceOf(shop.shop, buyers[1]!.email)).toBe(0);
      expect(await balanceOf(shop.shop, buyers[2]!.email)).toBe(1200);
      await context.close();
    });
  },
);
