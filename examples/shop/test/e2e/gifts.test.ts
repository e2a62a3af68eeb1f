import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

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
  `a gift from purchase to claim in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
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

    const open = async (): Promise<Page> => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
      context.setDefaultTimeout(10_000);
      return context.newPage();
    };
    const signUp = async (page: Page, email: string) => {
      await page.goto(`${shop.url}/signup`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(/done=auth\.signed_up/);
      return (await shop.shop.storage.customers.getByEmail(email))!.id;
    };

    it('a buyer pays for a plan as a gift and hands over its link; a second account claims it and owns the subscription; the giver sees it claimed', async () => {
      const giver = await open();
      const giverId = await signUp(giver, 'gift-giver@example.com');
      await shop.shop.kit.topUp({ customerId: giverId, amount: { amount: 10_000, currency: 'USD' }, idempotencyKey: 'gift-e2e-top-up' });
      await giver.getByRole('link', { name: 'Gifts' }).first().click();
      await giver.waitForURL(/\/gifts$/);
      const plan = giver.getByTestId('gift-plan');
      const chosen = (await plan.locator('option').allTextContents()).find((o) => o.startsWith('Frankfurt · 1 month · 50'));
      expect(chosen).toBeDefined();
      await plan.selectOption({ label: chosen! });
      await giver.getByTestId('gift-buy').click();
      await giver.waitForURL(/done=gifts\.bought/);
      await expect(giver.getByText('Gift paid.').count()).resolves.toBeGreaterThan(0);
      const link = await giver.getByTestId('gift-link').inputValue();
      expect(link).toMatch(new RegExp(`^${shop.url}/gift/[A-Z2-9]{16}$`));
      expect(await shop.shop.storage.ledger.balance(giverId, 'USD')).toBeLessThan(10_000);
      await screenshot(giver, 'gift-bought');

      // The giver's own link offers no claim.
      await giver.goto(link);
      await expect(giver.getByTestId('gift-claim-closed').textContent()).resolves.toContain('your own gift');

      const friend = await open();
      const friendId = await signUp(friend, 'gift-friend@example.com');
      await friend.goto(link);
      await expect(friend.getByTestId('gift-plan-name').textContent()).resolves.toBe(chosen?.split(' · ').slice(0, -1).join(' · '));
      await screenshot(friend, 'gift-claim');
      await friend.getByTestId('gift-claim').click();
      await friend.waitForURL(/\/subscriptions\/[^?]+\?done=gifts\.claimed/);
      await expect(friend.getByText('The gift is yours').count()).resolves.toBeGreaterThan(0);
      const subs = await eventually(
        async () => (await shop.shop.storage.subscriptions.listByCustomer(friendId, { limit: 10 })).items,
        (items) => items.length === 1 && items[0]!.status === 'active',
        'the gifted subscription to be provisioned',
      );
      expect(subs[0]!.customerId).toBe(friendId);
      expect(await shop.shop.storage.ledger.balance(friendId, 'USD')).toBe(0);

      await giver.goto(`${shop.url}/gifts`);
      await expect(giver.getByTestId('gift-status').first().textContent()).resolves.toContain('Claimed on');
      await screenshot(giver, 'gift-claimed');
    });
  },
);
