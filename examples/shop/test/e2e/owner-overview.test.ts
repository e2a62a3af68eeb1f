import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boughtAndProvisioned, fund, planNamed } from '../support/buying.js';
import { ADMIN, signedUpBuyer } from '../support/shop-under-test.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

/** Signs the owner in and returns console errors the page reports (a CSP violation is one). */
async function ownerPage(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number },
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(`${url}/signin`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/$|\/dashboard|\/admin/);
  return { page, errors };
}

describe.skipIf(!HAVE_CHROMIUM)(
  `the owner's overview and plan texts, in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let orderId: string;
    let price: number;
    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop({ env: { SHOP_TIME_ZONE: 'Asia/Tehran' } }), launchBrowser()]);
      const plan = await planNamed(shop, 'Frankfurt · 1 month');
      price = plan.price.amount;
      const buyer = await signedUpBuyer(shop.app);
      await fund(shop, buyer.email, plan.price.amount * 2);
      const subId = await boughtAndProvisioned(shop, buyer, plan.id);
      orderId = (await shop.shop.storage.subscriptions.get(subId))!.orderId!;
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    it('draws revenue, sales and subscriptions in service with uPlot, and redraws for a chosen period', async () => {
      const { page, errors } = await ownerPage(browser, shop.url, { width: 1440, height: 1000 });
      await page.goto(`${shop.url}/admin`);
      // The sales section's charts; the owner figures' sections below it draw their own.
      const sales = page.getByTestId('overview-sales');
      const charts = sales.locator('[data-chart][data-drawn="true"]');
      await charts.first().waitFor();
      await expect(charts.count()).resolves.toBe(3);
      await expect(sales.locator('[data-chart] canvas').count()).resolves.toBe(3);
      await expect(page.getByTestId('total-sales').textContent()).resolves.toBe('1');
      await screenshot(page, 'admin-overview-charts-desktop');

      // A period before the sale: nothing sold, nothing in service.
      await sales.getByLabel('From').fill('2026-01-01');
      await sales.getByLabel('To (included)').fill('2026-01-10');
      await sales.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(/from=2026-01-01/);
      await charts.first().waitFor();
      await expect(page.getByTestId('total-sales').textContent()).resolves.toBe('0');
      await expect(page.getByTestId('total-in-service').textContent()).resolves.toBe('0');
      await expect(page.getByTestId('sales-table').locator('tbody tr').count()).resolves.toBe(10);
      expect(errors, errors.join('\n')).toEqual([]);
      await page.context().close();
    });

    it('fits a phone in Farsi, with Jalali days in the period form', async () => {
      const { page, errors } = await ownerPage(browser, shop.url, { width: 375, height: 800 });
      await page.goto(`${shop.url}/lang/fa?next=/admin`);
      await page.locator('[data-chart][data-drawn="true"]').first().waitFor();
      await expect(page.locator('html').getAttribute('dir')).resolves.toBe('rtl');
      await expect(page.getByTestId('period-form').locator('input[name="from"]').inputValue()).resolves.toMatch(/^14\d\d\/\d\d\/\d\d$/);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, 'admin-overview-charts-phone-fa');
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it('saves a plan with a Farsi name and ordered preferred targets; the Farsi catalog shows that name', async () => {
      const { page } = await ownerPage(browser, shop.url, { width: 1280, height: 900 });
      const targets = await shop.shop.storage.targets.list();
      await page.goto(`${shop.url}/admin/plans/new`);
      await page.getByLabel('Name', { exact: true }).fill('Tehran special');
      await page.locator('input[name="family"]').fill('tehran-special');
      await page.getByLabel(/^Price \(/).fill('3');
      await page.getByLabel(/^Name in Persian|^Name in Farsi/).fill('ویژه تهران');
      await page.getByTestId('preferred-target-1').selectOption(targets[1]!.id);
      await page.getByTestId('preferred-target-2').selectOption(targets[0]!.id);
      await screenshot(page, 'admin-plan-form-texts-targets');
      await page.getByTestId('save-plan').click();
      await page.waitForURL(/\/admin\/plans\?done=/);
      const saved = (await shop.shop.storage.plans.list()).find((p) => p.name === 'Tehran special')!;
      expect(saved.placement.preferredTargetIds).toEqual([targets[1]!.id, targets[0]!.id]);
      await page.goto(`${shop.url}/lang/fa?next=/`);
      await expect(page.getByText('ویژه تهران').count()).resolves.toBeGreaterThan(0);
      await expect(page.getByText('Tehran special').count()).resolves.toBe(0);
      await screenshot(page, 'catalog-fa-plan-text');
      await page.context().close();
    });

    it('refunds part of an order from its page with a reason, and the overview nets it out of the revenue', async () => {
      const { page, errors } = await ownerPage(browser, shop.url, { width: 1280, height: 900 });
      await page.goto(`${shop.url}/admin/orders/${orderId}`);
      const section = page.getByTestId('order-refund');
      await section.getByLabel('Amount').fill('1');
      await section.getByLabel('Reason').fill('Outage on Monday');
      await section.getByRole('button', { name: 'Refund' }).click();
      await page.waitForURL(/done=adminOps\.order_refunded/);
      await expect(page.locator('p.notice[role="status"]').textContent()).resolves.toContain('Refunded to the buyer');
      await expect(page.getByTestId('order-refunded').textContent()).resolves.toBe('$1.00');
      await page.goto(`${shop.url}/admin`);
      await expect(page.getByTestId('total-revenue').textContent()).resolves.toBe(`$${((price - 100) / 100).toFixed(2)}`);
      await screenshot(page, 'admin-order-refunded');
      expect(errors, errors.join('\n')).toEqual([]);
      await page.context().close();
    });
  },
);
