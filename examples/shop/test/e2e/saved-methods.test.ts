import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

describe.skipIf(!HAVE_CHROMIUM)(
  `saved payment methods in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
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

    it('a buyer saves the test card with a top-up, stops it paying renewals, and removes it', async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
      const page = await context.newPage();
      await page.goto(`${shop.url}/signup`);
      await page.getByLabel('Email').fill('saved-card@example.com');
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(`${shop.url}/?done=auth.signed_up`);
      await page.goto(`${shop.url}/wallet`);
      await expect(page.getByTestId('saved-methods-none').count()).resolves.toBe(1);
      const topUp = page.getByTestId('topup-test');
      await topUp.locator('input[name="amount"]').fill('7');
      await page.getByTestId('test-save-method').check();
      await topUp.locator('button[type="submit"]').click();
      await expect(page.getByTestId('balance').textContent()).resolves.toContain('7.00');
      const method = page.getByTestId('saved-methods').locator('li');
      await expect(method.count()).resolves.toBe(1);
      await expect(method.textContent()).resolves.toContain('Test card •••• 4242');
      await expect(method.getAttribute('data-renewal')).resolves.toBe('on');
      await screenshot(page, 'saved-methods-en');
      await page.getByTestId('method-renewal').click();
      await page.waitForURL(/done=wallet\.method_updated/);
      await expect(page.getByTestId('saved-methods').locator('li').getAttribute('data-renewal')).resolves.toBe('off');
      await page.getByTestId('method-remove').click();
      await page.waitForURL(/done=wallet\.method_removed/);
      await expect(page.getByTestId('saved-methods-none').count()).resolves.toBe(1);
      await context.close();
    });
  },
);
