import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN } from '../support/shop-under-test.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

/** Waits (on real time) until `check` passes: the worker and the scheduler run in the background. */
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
  `a discount code and a referral in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    const pages: Page[] = [];

    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    const open = async (): Promise<Page> => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      pages.push(page);
      return page;
    };
    const balance = async (email: string) => {
      const customer = await shop.shop.storage.customers.getByEmail(email);
      return customer === null ? -1 : shop.shop.storage.ledger.balance(customer.id, 'USD');
    };
    const signUp = async (page: Page, url: string, email: string) => {
      await page.goto(url);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(/done=auth\.signed_up/);
    };

    it('the owner makes a code and a referral reward; a friend signs up through a link, buys with the code at a lower price, and the referrer is credited once', async () => {
      const owner = await open();
      await owner.goto(`${shop.url}/signin`);
      await owner.getByLabel('Email').fill(ADMIN.email);
      await owner.getByLabel('Password').fill(ADMIN.password);
      await owner.getByRole('button', { name: 'Sign in' }).click();
      await owner.goto(`${shop.url}/admin/discounts`);
      const create = owner.getByTestId('discount-create');
      await create.locator('input[name="code"]').fill('FRIENDS20');
      await create.locator('input[name="value"]').fill('20');
      await create.locator('input[name="maxUses"]').fill('10');
      await create.locator('button[type="submit"]').click();
      await owner.waitForURL(/done=discounts\.created/);
      await expect(
        owner.getByTestId('discount-row').filter({ hasText: 'FRIENDS20' }).getByTestId('discount-uses').textContent(),
      ).resolves.toContain('0 / 10');
      await owner.goto(`${shop.url}/admin/referrals`);
      const settings = owner.getByTestId('referral-settings');
      await settings.getByLabel('Referral program on').check();
      await settings.getByLabel('A fixed amount').check();
      await settings.locator('input[name="amount"]').fill('1.50');
      await settings.locator('button[type="submit"]').click();
      await owner.waitForURL(/done=referrals\.saved/);

      const referrer = await open();
      await signUp(referrer, `${shop.url}/signup`, 'referrer-journey@example.com');
      await referrer.goto(`${shop.url}/referrals`);
      const link = await referrer.getByTestId('referral-link').inputValue();
      expect(link).toMatch(/\/signup\?ref=/);
      await expect(referrer.getByTestId('referral-reward').textContent()).resolves.toContain('1.50');

      const friend = await open();
      await signUp(friend, link.replace(/^https?:\/\/[^/]+/, shop.url), 'friend-journey@example.com');
      await friend.goto(`${shop.url}/wallet`);
      const topUp = friend.getByTestId('topup-test');
      await topUp.locator('input[name="amount"]').fill('20');
      await topUp.locator('button[type="submit"]').click();
      await expect(friend.getByTestId('balance').textContent()).resolves.toContain('20.00');
      await friend.goto(shop.url);
      await friend.getByTestId('plan-card').filter({ hasText: 'Frankfurt · 1 month · 50 GiB' }).getByRole('link').click();
      await expect(friend.getByTestId('checkout-total').textContent()).resolves.toContain('5.00');
      await friend.getByTestId('discount-code').fill('friends20');
      await friend.getByTestId('discount-form').locator('button[type="submit"]').click();
      await expect(friend.getByTestId('discounted-total').textContent()).resolves.toContain('4.00');
      await expect(friend.getByTestId('discount-amount').textContent()).resolves.toContain('1.00');
      await screenshot(friend, 'discount-checkout-en');
      await friend.getByTestId('checkout-form').locator('button[type="submit"]').click();
      await friend.waitForURL(/\/orders\//);
      expect(await balance('friend-journey@example.com')).toBe(1600);

      // Once the order is live, a later scheduler tick credits the referrer, once.
      const credited = await eventually(
        async () => {
          shop.clock.advance(60_000);
          return balance('referrer-journey@example.com');
        },
        (b) => b === 150,
        'the referral reward',
      );
      expect(credited).toBe(150);
      for (let i = 0; i < 3; i++) {
        shop.clock.advance(60_000);
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(await balance('referrer-journey@example.com')).toBe(150);
      await referrer.goto(`${shop.url}/referrals`);
      await expect(referrer.getByTestId('referral-count').textContent()).resolves.toBe('1');
      await expect(referrer.getByTestId('referral-earned').textContent()).resolves.toContain('1.50');
      await screenshot(referrer, 'referrals-en');

      await owner.goto(`${shop.url}/admin/discounts`);
      await expect(
        owner.getByTestId('discount-row').filter({ hasText: 'FRIENDS20' }).getByTestId('discount-uses').textContent(),
      ).resolves.toContain('1 / 10');
      await screenshot(owner, 'admin-discounts-en');
    });
  },
);
