/**
 * Issue 70, a storefront's web address walked in headless Chromium: the owner sets it on the storefront's page; a
 * visitor opens `/store/<slug>`, signs up, sees the storefront's brand and retail price, and buys from the wallet;
 * the reseller's office lists the buyer. No console error, no failed request, screenshots of each page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/i18n/format.js';
import { customerIdOf, fund, planNamed } from '../support/buying.js';
import { ADMIN, signedUpBuyer } from '../support/shop-under-test.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

const RESELLER = { email: 'reseller-web@example.com', password: 'correct horse battery' };
const BUYER = { email: 'web-buyer@example.com', password: 'correct horse battery' };

/** A new page in a fresh context, collecting console errors and failed requests. */
async function freshPage(browser: Browser): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
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
  return { page, errors, close: () => context.close() };
}

async function signIn(page: Page, url: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${url}/signin`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

describe.skipIf(!HAVE_CHROMIUM)(
  `a storefront's web address in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let storefrontId: string;
    let planId: string;
    let retail: number;
    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
      const plan = await planNamed(shop, 'Frankfurt · 1 month · 50');
      planId = plan.id;
      retail = Math.round(plan.price.amount * 0.9);
      await signedUpBuyer(shop.app, RESELLER.email);
      const resellerId = await customerIdOf(shop, RESELLER.email);
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
      storefrontId = (await shop.shop.kit.storefronts.create({ resellerId, name: 'Web Walk' })).id;
      await shop.shop.kit.storefronts.setMenuItem({ storefrontId, planId: plan.id, retailPrice: { amount: retail, currency } });
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    it('the owner sets the address; a buyer opens it, signs up, sees brand and retail, buys; the reseller sees them', async () => {
      const owner = await freshPage(browser);
      await signIn(owner.page, shop.url, ADMIN);
      await owner.page.goto(`${shop.url}/admin/storefronts/${storefrontId}`);
      await owner.page.locator('#f-brand-name').fill('Walk Brand');
      await owner.page.locator('#f-brand-welcome-en').fill('Welcome to Walk Brand');
      await owner.page.getByTestId('storefront-brand-form').getByRole('button').click();
      await owner.page.waitForURL(/done=storefronts\.brand_saved/);
      await owner.page.getByLabel('Path').fill('Bad Slug!');
      await owner.page.getByRole('button', { name: 'Save the address' }).click();
      await expect(owner.page.getByText('Use 3–40 lower-case letters').count()).resolves.toBeGreaterThan(0);
      owner.errors.splice(0); // the 400 of the refused form is the point of that step
      await owner.page.getByLabel('Path').fill('walk-brand');
      await owner.page.getByRole('button', { name: 'Save the address' }).click();
      await owner.page.waitForURL(/done=storefrontWeb\.saved/);
      await expect(owner.page.getByTestId('storefront-address').textContent()).resolves.toContain('/store/walk-brand');
      await screenshot(owner.page, 'admin-storefront-address');
      expect(owner.errors, owner.errors.join('\n')).toEqual([]);
      await owner.close();

      const buyer = await freshPage(browser);
      await buyer.page.goto(`${shop.url}/store/walk-brand`);
      await expect(buyer.page.locator('a.brand').textContent()).resolves.toBe('Walk Brand');
      await expect(buyer.page.getByTestId('storefront-welcome').textContent()).resolves.toBe('Welcome to Walk Brand');
      await buyer.page.goto(`${shop.url}/signup`);
      await buyer.page.getByLabel('Email').fill(BUYER.email);
      await buyer.page.getByLabel('Password').fill(BUYER.password);
      await buyer.page.getByRole('button', { name: 'Create account' }).click();
      await buyer.page.waitForURL(/done=auth\.signed_up/);
      const customer = await shop.shop.storage.customers.getByEmail(BUYER.email);
      expect(customer?.storefrontId).toBe(storefrontId);
      await expect(buyer.page.locator('a.brand').textContent()).resolves.toBe('Walk Brand');
      const price = formatMoney({ amount: retail, currency: shop.config.currency }, 'en');
      await expect(buyer.page.getByText(price).count()).resolves.toBeGreaterThan(0);
      await screenshot(buyer.page, 'storefront-buyer-catalog');

      await fund(shop, BUYER.email, retail);
      await buyer.page.goto(`${shop.url}/checkout/${planId}`);
      await expect(buyer.page.getByText(price).count()).resolves.toBeGreaterThan(0);
      await buyer.page.getByRole('button', { name: 'Pay from wallet and order' }).click();
      await buyer.page.waitForURL(/\/orders\//);
      await screenshot(buyer.page, 'storefront-buyer-order');
      expect(await shop.shop.storage.ledger.balance(customer!.id, shop.config.currency)).toBe(0);
      expect(buyer.errors, buyer.errors.join('\n')).toEqual([]);
      await buyer.close();

      const reseller = await freshPage(browser);
      await signIn(reseller.page, shop.url, RESELLER);
      await reseller.page.goto(`${shop.url}/account/storefront`);
      await expect(reseller.page.getByTestId('office-buyers').textContent()).resolves.toContain(BUYER.email);
      await screenshot(reseller.page, 'reseller-office-web-buyer');
      expect(reseller.errors, reseller.errors.join('\n')).toEqual([]);
      await reseller.close();
    });
  },
);
