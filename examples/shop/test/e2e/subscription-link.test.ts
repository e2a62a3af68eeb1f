import type { Browser, Page } from 'playwright-core';
import type { Subscription } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fund } from '../support/buying.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

const PLANS = ['Frankfurt · 1 month · 50 GiB', 'Amsterdam · 1 month · 100 GiB'];

/** Waits (on real time) until `ok` holds: the worker runs in the background. */
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
  `the buyer's own subscription link in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let page: Page;
    const email = 'link-journey@example.com';

    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
      context.setDefaultTimeout(10_000);
      page = await context.newPage();
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    const subscriptions = async (): Promise<Subscription[]> => {
      const customer = await shop.shop.storage.customers.getByEmail(email);
      return customer === null ? [] : (await shop.shop.storage.subscriptions.listByCustomer(customer.id, { limit: 10 })).items;
    };

    it('shows one link with its QR on the subscriptions page; a client app asking it gets every subscription on both panels', async () => {
      await page.goto(`${shop.url}/signup`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(/done=auth\.signed_up/);
      await fund(shop, email, 5000);
      for (const plan of PLANS) {
        await page.goto(shop.url);
        await page.getByTestId('plan-card').filter({ hasText: plan }).getByRole('link').click();
        await page.getByTestId('checkout-form').locator('button[type="submit"]').click();
        await page.waitForURL(/\/orders\//);
      }
      const subs = await eventually(
        subscriptions,
        (s) => s.length === 2 && s.every((x) => x.status === 'active'),
        'both subscriptions to be provisioned',
      );
      expect(new Set(subs.map((s) => s.panelId)).size).toBe(2);

      await page.goto(`${shop.url}/dashboard`);
      const url = await page.getByTestId('shop-link-url').inputValue();
      expect(url).toMatch(new RegExp(`^${shop.url}/s/[A-Za-z0-9_-]{32}$`));
      await expect(page.getByTestId('shop-link-qr').isVisible()).resolves.toBe(true);
      await screenshot(page, 'subscription-link-en');

      const answer = await fetch(url, { headers: { 'user-agent': 'v2rayNG/1.8.19' } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('subscription-userinfo')).toMatch(/^upload=0; download=\d+; total=\d+; expire=\d+$/);
      const links = Buffer.from(await answer.text(), 'base64')
        .toString('utf8')
        .split('\n');
      expect(links.sort()).toEqual(subs.flatMap((s) => s.shareLinks).sort());

      await page.getByTestId('rotate-link').getByRole('button').click();
      await page.waitForURL(/done=sublink\.rotated/);
      const rotated = await page.getByTestId('shop-link-url').inputValue();
      expect(rotated).not.toBe(url);
      expect((await fetch(url, { headers: { 'user-agent': 'v2rayNG/1.8.19' } })).status).toBe(404);
      expect((await fetch(rotated, { headers: { 'user-agent': 'v2rayNG/1.8.19' } })).status).toBe(200);

      await page.goto(`${shop.url}/lang/fa?next=/dashboard`);
      await expect(page.getByTestId('shop-link').locator('h2').textContent()).resolves.toBe('لینک اشتراک شما');
      await screenshot(page, 'subscription-link-fa');
    });
  },
);
