/**
 * Issue 70, walked in headless Chromium: the owner creates a storefront for a reseller, suspends and resumes it and
 * sets its quotas; the reseller keeps its menu and asks a withdrawal in its back office (also in Farsi, on a phone);
 * the owner approves and pays it in the payout queue. No console error, no failed request, screenshots of each page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerIdOf, planNamed } from '../support/buying.js';
import { ADMIN, signedUpBuyer } from '../support/shop-under-test.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

/** `signedUpBuyer`'s password. */
const RESELLER = { email: 'reseller-walk@example.com', password: 'correct horse battery' };

/** A signed-in page in a fresh context, collecting console errors and failed requests. */
async function signedIn(
  browser: Browser,
  url: string,
  who: { email: string; password: string },
  viewport = { width: 1280, height: 900 },
): Promise<{ page: Page; context: BrowserContext; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${url}/signin`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
  return { page, context, errors };
}

describe.skipIf(!HAVE_CHROMIUM)(
  `the storefront pages in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let resellerId: string;
    let planName: string;
    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
      const plan = await planNamed(shop, 'Frankfurt · 1 month · 50');
      planName = plan.name;
      // The reseller signs up as anyone does; the owner gives it a price (its terms) before the walk.
      await signedUpBuyer(shop.app, RESELLER.email);
      resellerId = await customerIdOf(shop, RESELLER.email);
      const currency = shop.config.currency;
      await shop.shop.kit.resellers.setTerms(
        {
          customerId: resellerId,
          creditLimit: { amount: plan.price.amount * 5, currency },
          prices: [
            {
              planId: plan.id,
              price: { amount: Math.round(plan.price.amount * 0.6), currency },
              extensionPrice: null,
              trafficPricePerGiB: null,
            },
          ],
          removePlanIds: [],
        },
        { type: 'admin', id: null },
      );
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    it('the owner creates, suspends, resumes a storefront and sets its quotas', async () => {
      const { page, context, errors } = await signedIn(browser, shop.url, ADMIN);
      await page.goto(`${shop.url}/admin/storefronts`);
      await expect(page.getByTestId('no-storefronts').count()).resolves.toBe(1);
      await page.getByLabel('Reseller (e-mail or customer id)').fill(RESELLER.email);
      await page.getByLabel('Shop name buyers see').fill('Walk Shop');
      await page.getByRole('button', { name: 'Create storefront' }).click();
      await page.waitForURL(/done=storefronts\.created/);
      await expect(page.getByTestId('storefront-status').getAttribute('data-status')).resolves.toBe('active');
      await screenshot(page, 'admin-storefront-created');
      await page.getByRole('button', { name: 'Suspend (stop sales)' }).click();
      await page.waitForURL(/done=storefronts\.suspended/);
      await expect(page.getByTestId('storefront-status').getAttribute('data-status')).resolves.toBe('suspended');
      await page.getByRole('button', { name: 'Resume sales' }).click();
      await page.waitForURL(/done=storefronts\.resumed/);
      await page.getByLabel('Most active subscriptions').fill('50');
      await page.getByRole('button', { name: 'Save quotas' }).click();
      await page.waitForURL(/done=storefronts\.quotas/);
      await expect(page.getByLabel('Most active subscriptions').inputValue()).resolves.toBe('50');
      await page.goto(`${shop.url}/admin/storefronts`);
      await expect(page.getByTestId('storefronts').locator('tbody tr').count()).resolves.toBe(1);
      await screenshot(page, 'admin-storefronts-list');
      expect(errors, errors.join('\n')).toEqual([]);
      await context.close();
    });

    it('the reseller sets its menu and asks a withdrawal; the owner approves and pays it', async () => {
      const storefront = await shop.shop.kit.storefronts.byReseller(resellerId);
      expect(storefront).not.toBeNull();
      await shop.shop.kit.payouts.credit({
        partnerId: resellerId,
        kind: 'adjustment',
        amount: { amount: 2500, currency: shop.config.currency },
        idempotencyKey: 'walk-credit',
        note: 'test credit',
      });
      const reseller = await signedIn(browser, shop.url, RESELLER);
      await reseller.page.goto(`${shop.url}/account/storefront`);
      await reseller.page.getByLabel(planName).fill('9');
      await reseller.page.getByRole('button', { name: 'Save menu' }).click();
      await reseller.page.waitForURL(/done=storefronts\.menu/);
      await expect(reseller.page.getByLabel(planName).inputValue()).resolves.toBe('9.00');
      await reseller.page.getByLabel(/^Amount \(/).fill('20');
      await reseller.page.getByLabel(/^Pay to/).fill('card 6037 9911 0000 0000');
      await reseller.page.getByRole('button', { name: 'Ask withdrawal' }).click();
      await reseller.page.waitForURL(/done=storefronts\.withdrawal/);
      await expect(reseller.page.getByTestId('office-held').textContent()).resolves.toBe('$20.00');
      await expect(reseller.page.getByTestId('office-payout-balance').textContent()).resolves.toBe('$5.00');
      await expect(reseller.page.getByTestId('office-money-hint').textContent()).resolves.toContain('collected for you');
      await screenshot(reseller.page, 'reseller-back-office');
      expect(reseller.errors, reseller.errors.join('\n')).toEqual([]);

      const owner = await signedIn(browser, shop.url, ADMIN);
      await owner.page.goto(`${shop.url}/admin/payouts`);
      await expect(owner.page.getByTestId('payouts').locator('tbody tr').count()).resolves.toBe(1);
      await screenshot(owner.page, 'admin-payout-queue');
      await owner.page.getByRole('button', { name: 'Approve' }).click();
      await owner.page.waitForURL(/done=storefronts\.approved/);
      await owner.page.getByLabel('Payment reference (optional)').fill('bank-777');
      await owner.page.getByRole('button', { name: 'Mark paid' }).click();
      await owner.page.waitForURL(/done=storefronts\.paid/);
      await expect(owner.page.getByTestId('payouts').locator('[data-status="paid"]').count()).resolves.toBe(1);
      expect(owner.errors, owner.errors.join('\n')).toEqual([]);
      await owner.context.close();

      await reseller.page.goto(`${shop.url}/account/storefront`);
      await expect(reseller.page.getByTestId('office-withdrawals').locator('[data-status="paid"]').count()).resolves.toBe(1);
      await reseller.context.close();
    });

    it('fits a phone in Farsi, right to left', async () => {
      const { page, context, errors } = await signedIn(browser, shop.url, RESELLER, { width: 375, height: 800 });
      await page.goto(`${shop.url}/lang/fa?next=/account/storefront`);
      await expect(page.locator('html').getAttribute('dir')).resolves.toBe('rtl');
      await expect(page.getByText('منوی شما').count()).resolves.toBeGreaterThan(0);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, 'reseller-back-office-phone-fa');
      expect(errors, errors.join('\n')).toEqual([]);
      await context.close();
    });
  },
);
