/**
 * Issue 94 in headless Chromium: after some sales the owner opens the overview, sees the cohort grid under the
 * sales section with its charts drawn, and downloads a section as a CSV file.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boughtAndProvisioned, fund, planNamed } from '../support/buying.js';
import { englishWordsIn } from '../support/english-words.js';
import { figuresCaughtUp } from '../support/figures.js';
import { ADMIN, signedUpBuyer } from '../support/shop-under-test.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

describe.skipIf(!HAVE_CHROMIUM)(
  `the owner figures on the overview, in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
      const plan = await planNamed(shop, 'Frankfurt · 1 month');
      for (let i = 0; i < 2; i++) {
        const buyer = await signedUpBuyer(shop.app);
        await fund(shop, buyer.email, plan.price.amount);
        await boughtAndProvisioned(shop, buyer, plan.id);
      }
      // The served shop's worker runs the rebuild's job; the test waits for it between folds.
      await figuresCaughtUp(shop.shop.kit, () => new Promise((done) => setTimeout(done, 200)));
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    it('shows the cohort grid after some sales and downloads it as CSV', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(`${shop.url}/signin`);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/$|\/dashboard|\/admin/);
      await page.goto(`${shop.url}/admin`);

      const grid = page.getByTestId('figures-cohorts-table');
      await grid.waitFor();
      await expect(grid.locator('tbody tr').count()).resolves.toBe(1);
      await expect(grid.locator('tbody tr td').nth(1).textContent()).resolves.toBe('2');
      await expect(grid.locator('td.shade-10').count()).resolves.toBe(1);
      // The sales charts and the figures' charts, each drawn once by the one chart script.
      await page.locator('[data-chart][data-drawn="true"]').first().waitFor();
      const charts = await page.locator('[data-chart]').count();
      await expect(page.locator('[data-chart] canvas').count()).resolves.toBe(charts);
      await screenshot(page, 'admin-owner-figures');

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('figures-cohorts-csv').click()]);
      expect(download.suggestedFilename()).toMatch(/^figures-cohorts-\d{4}-\d{2}_\d{4}-\d{2}\.csv$/);
      const chunks: Buffer[] = [];
      for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
      const lines = Buffer.concat(chunks).toString('utf8').replace('\uFEFF', '').split('\r\n');
      expect(lines[0]).toBe('First paid in,Buyers,Month 0');
      expect(lines[1]).toMatch(/^\d{4}-\d{2},2,2$/);
      expect(errors, errors.join('\n')).toEqual([]);
      await context.close();
    });

    it('writes every section in Russian and Chinese, with nothing left in English', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      await page.goto(`${shop.url}/signin`);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/$|\/dashboard|\/admin/);
      const currency = shop.shop.config.currency;
      for (const locale of ['ru', 'zh']) {
        await page.goto(`${shop.url}/lang/${locale}?next=/admin`);
        await page.getByTestId('figures-cohorts-table').waitFor();
        await page.locator('[data-chart][data-drawn="true"]').first().waitFor();
        const text = await page.getByTestId('owner-figures').innerText();
        expect(englishWordsIn(text, [currency]), locale).toEqual([]);
      }
      await context.close();
    });
  },
);
