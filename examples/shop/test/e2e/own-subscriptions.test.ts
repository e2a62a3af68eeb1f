/**
 * Issue 71 walked in headless Chromium: a plan the buyer composes, priced by the server's quote as the buyer changes
 * it and bought at that price; a location picked at checkout, then a move with the same link; two subscriptions
 * named apart; a family invite accepted in a second browser (signed out first: sign in, then back), the member
 * removed and their link refused.
 */
import type { Plan, Subscription } from '@panelkit/sdk';
import { quoteBuiltPlan } from '@panelkit/sdk/plan-builder';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balanceOf, customerIdOf, fund, planNamed } from '../support/buying.js';
import { HAVE_CHROMIUM, chooseLanguage, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

/** Waits (on real time) until `ok` holds: the worker runs in the background. */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const PASSWORD = 'correct horse battery';

describe.skipIf(!HAVE_CHROMIUM)(
  `several subscriptions, locations, the builder and family plans in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let built: Plan;
    let movable: Plan;
    let family: Plan;
    const contexts: BrowserContext[] = [];

    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
      const base = await planNamed(shop, 'Frankfurt · 1 month · 50');
      const currency = base.price.currency;
      const placement = { preferredTargetIds: [], allowedLocations: ['de', 'nl'], requiredTargetTags: [] };
      built = await shop.shop.storage.plans.create({
        name: 'Build your own',
        family: 'built-e2e',
        price: { amount: 0, currency },
        durationDays: 30,
        trafficBytes: null,
        placement,
        builder: {
          basePrice: { amount: 100, currency },
          locations: { unitPrice: { amount: 200, currency }, min: 1, max: 2, step: 1, options: ['de', 'nl'] },
          devices: null,
          trafficGiB: null,
          durationDays: { unitPrice: { amount: 10, currency }, min: 30, max: 90, step: 30 },
        },
      });
      movable = await shop.shop.storage.plans.create({
        name: 'Anywhere in Europe',
        family: 'europe-e2e',
        price: { amount: 500, currency },
        durationDays: 30,
        trafficBytes: null,
        placement,
      });
      family = await shop.shop.storage.plans.create({
        name: 'Family',
        family: 'family-e2e',
        price: base.price,
        durationDays: 30,
        trafficBytes: null,
        placement: base.placement,
        sharing: { maxMembers: 2 },
      });
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    async function newPage(): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      return context.newPage();
    }

    async function signUp(page: Page, email: string): Promise<void> {
      await page.goto(`${shop.url}/signup`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(/done=auth\.signed_up/);
    }

    const subscriptionsOf = async (email: string): Promise<Subscription[]> =>
      (await shop.shop.storage.subscriptions.listByCustomer(await customerIdOf(shop, email), { limit: 20 })).items;
    const live = (email: string, count: number) =>
      eventually(
        () => subscriptionsOf(email),
        (s) => s.length === count && s.every((x) => x.status === 'active'),
        `${count} live subscriptions of ${email}`,
      );
    const tagsOf = async (sub: Subscription) => (await shop.shop.storage.panels.get(sub.panelId))?.locationTags ?? [];

    it('prices a composed plan by the server as the buyer changes it, buys it at that price, and names two subscriptions apart', async () => {
      const email = 'builder-e2e@example.com';
      const page = await newPage();
      await signUp(page, email);
      const customerId = await fund(shop, email, 20_000);

      await page.goto(`${shop.url}/checkout/${built.id}`);
      const price = page.getByTestId('built-price');
      await page.locator('input[name="choiceLocations"][value="de"]').check();
      const one = quoteBuiltPlan(built, { locations: ['de'], days: 30 });
      if (!one.allowed) throw new Error('the test plan refused its own choice');
      await page.locator(`[data-testid="built-price"][data-amount="${one.quote.price.amount}"]`).waitFor();
      await page.locator('input[name="choiceLocations"][value="nl"]').check();
      await page.getByLabel('Days').fill('60');
      const two = quoteBuiltPlan(built, { locations: ['de', 'nl'], days: 60 });
      if (!two.allowed) throw new Error('the test plan refused its own choice');
      await page.locator(`[data-testid="built-price"][data-amount="${two.quote.price.amount}"]`).waitFor();
      expect(await page.getByTestId('checkout-total').textContent()).toBe(await price.textContent());
      // A refused choice says why, and shows no price.
      await page.getByLabel('Days').fill('45');
      await page.locator('[data-testid="built-price-problem"]:not([hidden])').waitFor();
      expect(await page.getByTestId('built-price-problem').textContent()).toContain('fixed steps');
      expect(await price.getAttribute('data-amount')).toBeNull();
      await page.getByLabel('Days').fill('60');
      await page.locator(`[data-testid="built-price"][data-amount="${two.quote.price.amount}"]`).waitFor();

      await screenshot(page, 'builder-quote-en');
      // Back at the top after the full-page screenshot, so the click lands where the button is.
      await page.reload();
      await page.locator('input[name="choiceLocations"][value="de"]').check();
      await page.locator('input[name="choiceLocations"][value="nl"]').check();
      await page.getByLabel('Days').fill('60');
      await page.locator(`[data-testid="built-price"][data-amount="${two.quote.price.amount}"]`).waitFor();
      await page.getByTestId('checkout-form').getByRole('button', { name: 'Pay from wallet and order' }).click();
      await page.waitForURL(/\/orders\//);
      expect(await balanceOf(shop, customerId)).toBe(20_000 - two.quote.price.amount);
      const [first, second] = await live(email, 2);

      await page.goto(`${shop.url}/dashboard`);
      const card = (id: string) => page.locator(`[data-testid="subscription-card"][data-subscription-id="${id}"]`);
      await card(first!.id).getByTestId('rename-input').fill('Phone');
      await card(first!.id).getByTestId('rename-save').click();
      await page.waitForURL(/done=ownSubscriptions\.renamed/);
      await card(second!.id).getByTestId('rename-input').fill('Laptop');
      await card(second!.id).getByTestId('rename-save').click();
      await page.waitForURL(/done=ownSubscriptions\.renamed/);
      expect(await card(first!.id).getByTestId('subscription-name').textContent()).toBe('Phone');
      expect(await card(second!.id).getByTestId('subscription-name').textContent()).toBe('Laptop');
      await screenshot(page, 'two-subscriptions-named-en');
    });

    it('buys a fixed plan in a picked location, then moves it with the same link', async () => {
      const email = 'move-e2e@example.com';
      const page = await newPage();
      await signUp(page, email);
      await fund(shop, email, 5000);
      await page.goto(`${shop.url}/checkout/${movable.id}`);
      await page.getByTestId('location-picker').selectOption('de');
      await page.getByTestId('checkout-form').locator('button[type="submit"]').click();
      await page.waitForURL(/\/orders\//);
      const [sub] = await live(email, 1);
      expect(await tagsOf(sub!)).toContain('de');

      await page.goto(`${shop.url}/dashboard`);
      const link = await page.getByTestId('shop-link-url').inputValue();
      await page.goto(`${shop.url}/subscriptions/${sub!.id}`);
      await page.getByTestId('move-link').click();
      await page.getByTestId('move-location').selectOption('nl');
      await page.getByTestId('move-form').locator('button[type="submit"]').click();
      await page.waitForURL(/done=ownSubscriptions\.moving/);
      await eventually(
        async () => tagsOf((await shop.shop.storage.subscriptions.get(sub!.id))!),
        (tags) => tags.includes('nl'),
        'the subscription to move to nl',
      );
      await page.goto(`${shop.url}/dashboard`);
      expect(await page.getByTestId('shop-link-url').inputValue()).toBe(link);

      // The move page in Farsi reads right to left.
      await page.goto(`${shop.url}/subscriptions/${sub!.id}/move`);
      await chooseLanguage(page, 'فارسی');
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
      await screenshot(page, 'move-fa');
    });

    it('invites a member who signs in and accepts in a second browser; the payer removes them and their link is refused', async () => {
      const payerEmail = 'payer-e2e@example.com';
      const memberEmail = 'member-e2e@example.com';
      const payer = await newPage();
      await signUp(payer, payerEmail);
      await fund(shop, payerEmail, 5000);
      await payer.goto(`${shop.url}/checkout/${family.id}`);
      await payer.getByTestId('checkout-form').locator('button[type="submit"]').click();
      await payer.waitForURL(/\/orders\//);
      const [group] = await live(payerEmail, 1);

      await payer.goto(`${shop.url}/subscriptions/${group!.id}`);
      await payer.getByTestId('family-link').click();
      await payer.getByTestId('invite-form').locator('button[type="submit"]').click();
      const invite = await payer.getByTestId('invite-url').inputValue();
      expect(invite).toMatch(/\/family\/join\/[A-Za-z0-9_-]{32}$/);
      await screenshot(payer, 'family-invite-en');

      // The member has an account, but this browser is signed out: sign in first, then back to the invite.
      await signUp(await newPage(), memberEmail);
      const member = await newPage();
      await member.goto(invite);
      await member.waitForURL(/\/signin\?next=/);
      await member.getByLabel('Email').fill(memberEmail);
      await member.getByLabel('Password').fill(PASSWORD);
      await member.getByRole('button', { name: 'Sign in' }).click();
      await member.waitForURL(/\/family\/join\//);
      await member.getByTestId('accept-invite').click();
      await member.waitForURL(/done=ownSubscriptions\.joined/);
      const [seat] = await live(memberEmail, 1);
      await member.getByTestId('own-link-link').click();
      const memberLink = await member.getByTestId('own-link-url').inputValue();
      const client = { headers: { 'user-agent': 'v2rayNG/1.8.19' } };
      expect((await fetch(memberLink, client)).status).toBe(200);
      expect((await member.goto(`${shop.url}/subscriptions/${group!.id}`))?.status()).toBe(404);

      await payer.goto(`${shop.url}/subscriptions/${group!.id}/family`);
      await payer.locator(`[data-testid="family-member"][data-member-id="${seat!.id}"]`).getByTestId('remove-member').click();
      await payer.getByTestId('confirm-remove').click();
      await payer.waitForURL(/done=ownSubscriptions\.member_removed/);
      expect(await payer.getByTestId('no-members').isVisible()).toBe(true);
      expect((await fetch(memberLink, client)).status).toBe(404);
    });
  },
);
