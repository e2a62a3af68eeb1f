import type { Browser, Page } from 'playwright-core';
import type { Subscription } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

const GiB = 1024 ** 3;

/** Waits (on real time) until `check` passes: the worker runs in the background. */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!HAVE_CHROMIUM)(
  `buying traffic and changing plan in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let buyer: Page;
    const email = 'selling-journey@example.com';

    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
      context.setDefaultTimeout(10_000);
      buyer = await context.newPage();
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    const subscription = async (): Promise<Subscription> => {
      const customer = await shop.shop.storage.customers.getByEmail(email);
      const [sub] = customer === null ? [] : (await shop.shop.storage.subscriptions.listByCustomer(customer.id, { limit: 1 })).items;
      if (sub === undefined) throw new Error('no subscription yet');
      return sub;
    };

    it('a subscriber buys 5 GiB after a quote, then upgrades to the 3-month plan with a discount code after a quote', async () => {
      await buyer.goto(`${shop.url}/signup`);
      await buyer.getByLabel('Email').fill(email);
      await buyer.getByLabel('Password').fill('correct horse battery');
      await buyer.getByRole('button', { name: 'Create account' }).click();
      await buyer.waitForURL(/done=auth\.signed_up/);
      await buyer.goto(`${shop.url}/wallet`);
      const topUp = buyer.getByTestId('topup-test');
      await topUp.locator('input[name="amount"]').fill('20');
      await topUp.locator('button[type="submit"]').click();
      await expect(buyer.getByTestId('balance').textContent()).resolves.toContain('20.00');
      await buyer.goto(shop.url);
      await buyer.getByTestId('plan-card').filter({ hasText: 'Frankfurt · 1 month · 50 GiB' }).getByRole('link').click();
      await buyer.getByTestId('checkout-form').locator('button[type="submit"]').click();
      await buyer.waitForURL(/\/orders\//);
      const sub = await eventually(subscription, (s) => s.status === 'active', 'the subscription to be provisioned');

      await buyer.goto(`${shop.url}/subscriptions/${sub.id}`);
      await buyer.getByTestId('traffic-link').click();
      await buyer.locator('input[name="gib"]').fill('5');
      await buyer.getByTestId('traffic-ask').locator('button[type="submit"]').click();
      await expect(buyer.getByTestId('traffic-price').textContent()).resolves.toContain('0.50');
      await screenshot(buyer, 'traffic-quote-en');
      await buyer.getByTestId('traffic-form').locator('button[type="submit"]').click();
      await buyer.waitForURL(/done=traffic\.bought/);
      await eventually(subscription, (s) => s.trafficLimitBytes === 55 * GiB, 'the extra traffic to be applied');

      await buyer.goto(`${shop.url}/subscriptions/${sub.id}`);
      await buyer.getByTestId('plan-change-link').click();
      const longer = buyer.getByTestId('plan-option').filter({ hasText: 'Frankfurt · 3 months' });
      await expect(longer.getByTestId('plan-change-charge').isVisible()).resolves.toBe(true);
      await screenshot(buyer, 'plan-change-en');

      // A code for plan changes: applied on the page, every option is quoted with it; the payment takes one use.
      const code = await shop.shop.kit.createDiscountCode({
        code: 'UPGRADE25',
        value: { type: 'percent', percent: 25 },
        appliesTo: ['plan_change'],
        maxUses: 1,
      });
      await buyer.getByTestId('discount-code').fill('upgrade25');
      await buyer.getByTestId('discount-form').locator('button[type="submit"]').click();
      await buyer.waitForURL(/discountCode=upgrade25/);
      const charge = await longer.getByTestId('plan-change-charge').textContent();
      const discounted = await longer.getByTestId('discounted-total').textContent();
      await expect(longer.getByTestId('discount-amount').textContent()).resolves.toMatch(/^−/);
      const minor = (text: string | null) => Math.round(Number((text ?? '').replace(/[^0-9.]/g, '')) * 100);
      expect(minor(discounted)).toBe(minor(charge) - Math.floor((minor(charge) * 25) / 100));
      await expect(longer.getByTestId('plan-change-form').locator('button[type="submit"]').textContent()).resolves.toContain(
        (discounted ?? '').trim(),
      );
      await screenshot(buyer, 'plan-change-code-en');
      const before = await shop.shop.storage.ledger.balance(sub.customerId, 'USD');
      await longer.getByTestId('plan-change-form').locator('button[type="submit"]').click();
      await buyer.waitForURL(/done=planChange\.changed/);
      expect(await shop.shop.storage.ledger.balance(sub.customerId, 'USD')).toBe(before - minor(discounted));
      expect(await shop.shop.storage.discounts.get(code.id)).toMatchObject({ uses: 1 });
      const changed = await eventually(subscription, (s) => s.trafficLimitBytes === 200 * GiB, 'the plan change to be applied');
      const plan = await shop.shop.storage.plans.get(changed.planId);
      expect(plan?.name).toContain('Frankfurt · 3 months');
    });
  },
);
