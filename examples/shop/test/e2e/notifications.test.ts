import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseLanguage, HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

describe.skipIf(!HAVE_CHROMIUM)(
  `notification preferences in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
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

    it('a buyer turns a kind off from the account page, and the choice holds in Farsi', async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
      const page = await context.newPage();
      await page.goto(`${shop.url}/signup`);
      await page.getByLabel('Email').fill('prefs@example.com');
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(`${shop.url}/?done=auth.signed_up`);
      await page.goto(`${shop.url}/dashboard`);
      await page.getByTestId('notifications-link').click();
      await page.getByLabel('A subscription expires soon').uncheck();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(`${shop.url}/account/notifications?done=notifications.saved`);
      await expect(page.getByText('Your choices were saved.').count()).resolves.toBe(1);
      await expect(page.getByLabel('A subscription expires soon').isChecked()).resolves.toBe(false);
      await expect(page.getByLabel('A subscription was renewed').isChecked()).resolves.toBe(true);
      await screenshot(page, 'notifications-en');
      await chooseLanguage(page, 'فارسی');
      await expect(page.locator('html').getAttribute('dir')).resolves.toBe('rtl');
      await expect(page.getByLabel('نزدیک شدن پایان اشتراک').isChecked()).resolves.toBe(false);
      await expect(page.getByLabel('تمدید خودکار اشتراک').isChecked()).resolves.toBe(true);
      await screenshot(page, 'notifications-fa');
      await context.close();
    });
  },
);
