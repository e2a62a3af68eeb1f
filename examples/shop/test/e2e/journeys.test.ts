import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Subscription } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN } from '../support/shop-under-test.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';
import { ownLinkOf } from '../../src/app/subscriptions/own-link.js';

const DAY = 24 * 3600_000;
const PLAN = 'Frankfurt · 1 month · 50 GiB';

/** Waits (on real time) until `check` passes: the worker and scheduler run in the background. */
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
  `buyer and admin journeys in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let buyerContext: BrowserContext;
    let buyer: Page;
    const email = 'journey@example.com';

    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
      buyerContext = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
      buyerContext.setDefaultTimeout(10_000);
      buyer = await buyerContext.newPage();
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    const mySubscriptions = async (): Promise<Subscription[]> => {
      const customer = await shop.shop.storage.customers.getByEmail(email);
      return customer === null ? [] : (await shop.shop.storage.subscriptions.listByCustomer(customer.id, { limit: 10 })).items;
    };

    it('sign up → top up (test provider) → buy → the dashboard shows the link and the QR', async () => {
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
      await screenshot(buyer, 'wallet-en');

      await buyer.goto(shop.url);
      await buyer.getByTestId('plan-card').filter({ hasText: PLAN }).getByRole('link').click();
      await screenshot(buyer, 'checkout-en');
      await buyer.getByTestId('checkout-form').locator('button[type="submit"]').click();
      await buyer.waitForURL(/\/orders\//);
      const [sub] = await eventually(mySubscriptions, (subs) => subs[0]?.status === 'active', 'the subscription to be provisioned');
      await screenshot(buyer, 'order-en');

      await buyer.goto(`${shop.url}/dashboard`);
      await expect(buyer.getByText(PLAN).first().isVisible()).resolves.toBe(true);
      await screenshot(buyer, 'dashboard-en');
      await buyer.goto(`${shop.url}/subscriptions/${sub?.id}`);
      await expect(buyer.getByTestId('status').textContent()).resolves.toMatch(/active/i);
      await expect(buyer.getByTestId('subscription-url').inputValue()).resolves.toBe(await ownLinkOf(shop.shop, sub!.customerId, sub!.id));
      await expect(buyer.getByTestId('qr').isVisible()).resolves.toBe(true);
      expect(await buyer.getByTestId('share-link').count()).toBeGreaterThan(0);
      await screenshot(buyer, 'subscription-en');
    });

    it('extension refused with its reason → clock moved → extension paid and applied on the simulated panel', async () => {
      const [sub] = await mySubscriptions();
      if (sub === undefined || sub.expiresAt === null) throw new Error('the first journey did not leave an active subscription');
      await buyer.goto(`${shop.url}/subscriptions/${sub.id}`);
      await buyer.getByTestId('extend-link').click();
      const refused = buyer.getByTestId('extension-refused');
      await expect(refused.isVisible()).resolves.toBe(true);
      await expect(refused.textContent()).resolves.toMatch(/\d{4}/);
      await screenshot(buyer, 'extension-refused-en');

      shop.clock.advance(28 * DAY);
      await buyer.reload();
      await expect(buyer.getByTestId('extension-quote').isVisible()).resolves.toBe(true);
      await screenshot(buyer, 'extension-quote-en');
      await buyer.getByTestId('extension-form').locator('button[type="submit"]').click();
      await buyer.waitForURL(new RegExp(`/subscriptions/${sub.id}`));

      const extended = await eventually(
        async () => (await shop.shop.storage.subscriptions.get(sub.id)) as Subscription,
        (s) => s.expiresAt !== null && s.expiresAt.getTime() > (sub.expiresAt as Date).getTime(),
        'the extension to be applied',
      );
      expect((extended.expiresAt as Date).getTime()).toBe((sub.expiresAt as Date).getTime() + 30 * DAY);
      const panel = shop.shop.demo?.panels.find((p) => p.panel.id === sub.panelId);
      const client = panel?.sim.client(sub.remote.username);
      expect(client?.['expiryTime']).toBe((extended.expiresAt as Date).getTime());
      await buyer.reload();
      await screenshot(buyer, 'subscription-extended-en');
    });

    it('an admin approves a card-to-card receipt and the buyer sees the money', async () => {
      await buyer.goto(`${shop.url}/wallet`);
      const before = await buyer.getByTestId('balance').textContent();
      const card = buyer.getByTestId('topup-card');
      await card.locator('input[name="amount"]').fill('15');
      await card.locator('input[name="reference"]').fill('7781 2290 11');
      await card.locator('input[name="cardLast4"]').fill('4321');
      await card.locator('input[name="paidAt"]').fill('2026-03-29T08:30');
      await card.locator('button[type="submit"]').click();
      await buyer.waitForURL(/done=wallet\./);
      await screenshot(buyer, 'wallet-receipt-pending-en');

      const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
      adminContext.setDefaultTimeout(10_000);
      const admin = await adminContext.newPage();
      await admin.goto(`${shop.url}/signin`);
      await admin.getByLabel('Email').fill(ADMIN.email);
      await admin.getByLabel('Password').fill(ADMIN.password);
      await admin.getByRole('button', { name: 'Sign in' }).click();
      await admin.goto(`${shop.url}/admin/receipts`);
      const row = admin.getByTestId('receipt-row').filter({ hasText: '4321' });
      await screenshot(admin, 'admin-receipts');
      await row.getByTestId('approve-receipt').getByRole('checkbox').check();
      await row.getByTestId('approve-receipt').locator('button[type="submit"]').click();
      await admin.waitForLoadState();
      await screenshot(admin, 'admin-receipts-approved');
      for (const [path, name] of [
        ['/admin', 'admin-overview'],
        ['/admin/panels', 'admin-panels'],
        ['/admin/orders', 'admin-orders'],
        ['/admin/dry-run', 'admin-dry-run'],
      ] as const) {
        await admin.goto(`${shop.url}${path}`);
        await screenshot(admin, name);
      }
      await adminContext.close();

      await buyer.reload();
      const after = await buyer.getByTestId('balance').textContent();
      expect(after).not.toBe(before);
      expect(after).toMatch(/\$?\s?\d/);
    });

    it('renders the Farsi pages right to left with Jalali dates', async () => {
      const [sub] = await mySubscriptions();
      await buyer.goto(`${shop.url}/lang/fa?next=/subscriptions/${sub?.id}`);
      await expect(buyer.locator('html').getAttribute('dir')).resolves.toBe('rtl');
      const expiry = (await buyer.getByTestId('expires-at').textContent()) ?? '';
      expect(expiry).toMatch(/[۰-۹]/);
      expect(expiry).toMatch(/فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند/);
      await screenshot(buyer, 'subscription-fa');
      for (const [path, name] of [
        ['/dashboard', 'dashboard-fa'],
        ['/wallet', 'wallet-fa'],
        [`/subscriptions/${sub?.id}/extend`, 'extension-fa'],
      ] as const) {
        await buyer.goto(`${shop.url}${path}`);
        await expect(buyer.locator('html').getAttribute('dir')).resolves.toBe('rtl');
        await screenshot(buyer, name);
      }
    });
  },
);
