import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseLanguage, HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

describe.skipIf(!HAVE_CHROMIUM)(
  `the shop in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
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

    it('signs a buyer up and shows the catalog grouped by location, then in Farsi right to left', async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
      const page = await context.newPage();
      await page.goto(`${shop.url}/signup`);
      await page.getByLabel('Email').fill('smoke@example.com');
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(`${shop.url}/?done=auth.signed_up`);
      await expect(page.locator('section.location h2').allTextContents()).resolves.toEqual(['Germany', 'Netherlands']);
      await screenshot(page, 'catalog-en');
      await chooseLanguage(page, 'فارسی');
      await expect(page.locator('html').getAttribute('dir')).resolves.toBe('rtl');
      await expect(page.locator('section.location h2').first().textContent()).resolves.toBe('آلمان');
      await screenshot(page, 'catalog-fa');
      await context.close();
    });

    it('shows the whole card number on a 375 px phone, in both languages', async () => {
      const context = await browser.newContext({ viewport: { width: 375, height: 740 }, locale: 'en-US' });
      const page = await context.newPage();
      await page.goto(`${shop.url}/signup`);
      await page.getByLabel('Email').fill('narrow@example.com');
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(/done=auth.signed_up/);
      for (const locale of ['en', 'fa']) {
        if (locale === 'fa') await chooseLanguage(page, 'فارسی');
        await page.goto(`${shop.url}/wallet`);
        const card = page.getByTestId('card-number');
        await screenshot(page, `wallet-375-${locale}`);
        // Cut off means the text is wider than the box that shows it.
        const { scroll, client } = await card.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
        expect(scroll, locale).toBeLessThanOrEqual(client);
      }
      await context.close();
    });
  },
);
