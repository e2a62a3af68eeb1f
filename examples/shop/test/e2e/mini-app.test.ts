import type { Browser, BrowserContext, Page } from 'playwright-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerOfTelegramUser } from '../../src/app/auth/telegram-buyers.js';
import { saveStripeSettings } from '../../src/app/payments/stripe/settings.js';
import { TelegramLinkStore } from '../../src/db/telegram-links.js';
import { formatMoney } from '../../src/i18n/format.js';
import { builtFromPrice, quoteBuiltPlan } from '@panelkit/sdk/plan-builder';
import { StripeSimulator } from '@panelkit/payment-providers/simulators';
import { DARK_THEME, launchData, launchFragment } from '../support/mini-app-launch.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

const BOT_TOKEN = '123456789:E2E-mini-app-bot-token_abcdefgh';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-US' };

/** What the page told Telegram (`postEvent` through the Android client's bridge), in order. */
async function eventsOf(page: Page): Promise<Array<[string, Record<string, unknown>]>> {
  return (await page.evaluate('window.__telegramEvents')) as Array<[string, Record<string, unknown>]>;
}

/** Whether the page fits the phone's width (nothing to scroll sideways). */
async function fitsWidth(page: Page): Promise<boolean> {
  return (await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')) as boolean;
}

describe.skipIf(!HAVE_CHROMIUM)(
  `the shop as a Telegram Mini App on a phone${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let context: BrowserContext;
    let phone: Page;

    beforeAll(async () => {
      [shop, browser] = await Promise.all([
        // Telegram is never called here: the closed port makes sure of it.
        serveShop({
          env: { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: 'http://127.0.0.1:9', TELEGRAM_WEBHOOK: 'off' },
          logger: pino({ level: 'silent' }),
        }),
        launchBrowser(),
      ]);
      context = await browser.newContext(PHONE);
      context.setDefaultTimeout(10_000);
      // Telegram's Android client: a bridge the page posts events to, and nothing of Telegram's script.
      await context.addInitScript(`
        window.__telegramEvents = [];
        window.TelegramWebviewProxy = { postEvent: (type, data) => window.__telegramEvents.push([type, JSON.parse(data || '{}')]) };
      `);
      phone = await context.newPage();
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    it('opens as Telegram opens it, signs the bot’s customer in, follows Telegram’s look, and buys from the wallet', async () => {
      const { shop: s, clock } = shop;
      // The customer the bot made when this Telegram user started it, with money in the wallet.
      const links = new TelegramLinkStore(s.db, s.shopSchema, s.clock);
      const user = { id: 5501, is_bot: false, first_name: 'Mini', language_code: 'en' };
      const { customer } = await customerOfTelegramUser(s, links, user, '5501');
      const plan = (await s.storage.plans.list({ onSale: true })).find((p) => p.name.startsWith('Frankfurt · 1 month · 50'));
      if (plan === undefined) throw new Error('no plan to buy');
      await s.kit.topUp({
        customerId: customer.id,
        amount: { amount: 10_000, currency: plan.price.currency },
        idempotencyKey: 'mini-app-e2e',
      });

      await phone.goto(`${shop.url}/tg/app${launchFragment(launchData(BOT_TOKEN, { id: 5501 }, clock.now()))}`);
      await phone.waitForURL(`${shop.url}/dashboard`);
      await expect(phone.getByText('Signed in through Telegram').count()).resolves.toBe(1);
      // Telegram's colours, its Back button hidden on the landing page, the app told it is ready.
      const colour = async (name: string) =>
        String(await phone.evaluate(`getComputedStyle(document.documentElement).getPropertyValue(${JSON.stringify(name)}).trim()`));
      expect(await colour('--bg')).toBe(DARK_THEME.secondary_bg_color);
      expect(await colour('--accent')).toBe(DARK_THEME.button_color);
      expect(await eventsOf(phone)).toContainEqual(['web_app_setup_back_button', { is_visible: false }]);
      expect(await eventsOf(phone)).toContainEqual(['web_app_ready', {}]);
      expect(await fitsWidth(phone)).toBe(true);

      await phone.getByRole('navigation').getByRole('link', { name: 'Plans' }).click();
      await phone.waitForURL(`${shop.url}/`);
      expect(await colour('--bg')).toBe(DARK_THEME.secondary_bg_color);
      expect(await eventsOf(phone)).toContainEqual(['web_app_setup_back_button', { is_visible: true }]);
      // Telegram's Back button goes back in the shop.
      await phone.evaluate("window.Telegram.WebView.receiveEvent('back_button_pressed')");
      await phone.waitForURL(`${shop.url}/dashboard`);
      await phone.goForward();

      await phone.getByTestId('plan-card').filter({ hasText: plan.name }).getByRole('link').click();
      await phone.waitForURL(/\/checkout\//);
      expect(await fitsWidth(phone)).toBe(true);
      await phone.getByTestId('checkout-form').locator('button[type="submit"]').click();
      await phone.waitForURL(/\/orders\//);
      await screenshot(phone, 'mini-app-order');
      expect(await fitsWidth(phone)).toBe(true);

      // Paid from the bot customer's wallet: the order is theirs.
      const orders = await s.storage.orders.list({ customerId: customer.id }, { limit: 5 });
      expect(orders.items).toHaveLength(1);
      expect(phone.url()).toContain(`/orders/${orders.items[0]?.id}`);
      expect(await s.storage.ledger.balance(customer.id, plan.price.currency)).toBe(10_000 - plan.price.amount);
    });

    it('fits every buyer page to the phone’s width inside Telegram', async () => {
      const { shop: s } = shop;
      await shop.drain();
      const customer = await s.storage.customers.getByExternalRef('telegram:5501');
      const [sub] = (await s.storage.subscriptions.listByCustomer(customer!.id, { limit: 1 })).items;
      const [order] = (await s.storage.orders.list({ customerId: customer!.id }, { limit: 1 })).items;
      const pages = [
        '/',
        '/dashboard',
        '/wallet',
        '/referrals',
        '/account/notifications',
        '/account/credentials',
        '/account/security',
        '/account/api-tokens',
        `/orders/${order!.id}`,
        `/subscriptions/${sub!.id}`,
        `/subscriptions/${sub!.id}/extend`,
        `/subscriptions/${sub!.id}/traffic`,
        `/subscriptions/${sub!.id}/plan`,
      ];
      const wide: string[] = [];
      for (const path of pages) {
        const answer = await phone.goto(`${shop.url}${path}`);
        expect(answer?.status(), path).toBe(200);
        if (!(await fitsWidth(phone))) {
          wide.push(path);
          await screenshot(phone, `mini-app-wide${path.replaceAll('/', '_')}`);
        }
      }
      expect(wide).toEqual([]);
    });

    it('opens a gateway’s payment page through Telegram (openLink), not inside the Mini App’s frame', async () => {
      const { shop: s } = shop;
      const stripe = await new StripeSimulator().start();
      try {
        await saveStripeSettings(
          s,
          { enabled: true, baseUrl: stripe.url, secretKey: stripe.secretKey, webhookSecret: stripe.webhookSecret },
          s.clock.now(),
          null,
        );
        await phone.goto(`${shop.url}/wallet`);
        const form = phone.getByTestId('topup-stripe');
        await form.getByRole('textbox').fill('20');
        await form.locator('button[type="submit"]').click();
        await phone.waitForURL(/\/wallet\/pay\/stripe\/pay_/);
        const here = phone.url();
        const link = phone.getByTestId('pay-on-gateway');
        const payUrl = await link.getAttribute('href');
        expect(payUrl).toContain(stripe.url);
        await link.click();
        // Telegram was asked to open it; the Mini App stayed on the shop's page.
        await expect
          .poll(async () => (await eventsOf(phone)).filter(([type]) => type === 'web_app_open_link'))
          .toEqual([['web_app_open_link', { url: payUrl }]]);
        expect(phone.url()).toBe(here);
      } finally {
        await stripe.close();
      }
    });

    it('uses window.Telegram.WebApp where Telegram’s own script gave the page one (a desktop client)', async () => {
      const desktop = await browser.newContext({ ...PHONE, viewport: { width: 480, height: 720 }, isMobile: false, hasTouch: false });
      const initData = launchData(BOT_TOKEN, { id: 5502 }, shop.clock.now());
      // What telegram-web-app.js would give the page: the launch data, the theme, the Back button; calls recorded.
      await desktop.addInitScript(`
        window.__calls = [];
        const call = (name) => (...args) => { window.__calls.push(name); if (name === 'BackButton.onClick') window.__back = args[0]; };
        window.Telegram = { WebApp: {
          initData: ${JSON.stringify(initData)},
          themeParams: { bg_color: '#202020', secondary_bg_color: '#101010', text_color: '#eeeeee', button_color: '#ff8800' },
          BackButton: { show: call('BackButton.show'), hide: call('BackButton.hide'), onClick: call('BackButton.onClick') },
          ready: call('ready'), expand: call('expand'), onEvent: call('onEvent'),
        } };
      `);
      const page = await desktop.newPage();
      await page.goto(`${shop.url}/tg/app`);
      await page.waitForURL(`${shop.url}/dashboard`);
      expect(await page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--bg').trim()")).toBe('#101010');
      expect(await page.evaluate('window.__calls')).toEqual(expect.arrayContaining(['BackButton.hide', 'ready']));
      await page.goto(`${shop.url}/wallet`);
      expect(await page.evaluate('window.__calls')).toEqual(expect.arrayContaining(['BackButton.onClick', 'BackButton.show']));
      await page.evaluate('window.__back()');
      await page.waitForURL(`${shop.url}/dashboard`);
      const customer = await shop.shop.storage.customers.getByExternalRef('telegram:5502');
      expect(customer).not.toBeNull();
      await desktop.close();
    });

    it('takes a buyer in the Mini App to the builder with a live price and to the family page of a shared plan', async () => {
      const { shop: s, clock } = shop;
      const base = (await s.storage.plans.list({ onSale: true })).find((p) => p.name.startsWith('Frankfurt · 1 month · 50'));
      if (base === undefined) throw new Error('no plan to build on');
      const currency = base.price.currency;
      const built = await s.storage.plans.create({
        name: 'Mini builder',
        family: 'mini-built-e2e',
        price: { amount: 0, currency },
        durationDays: 30,
        trafficBytes: null,
        placement: { preferredTargetIds: [], allowedLocations: ['de', 'nl'], requiredTargetTags: [] },
        builder: {
          basePrice: { amount: 100, currency },
          locations: { unitPrice: { amount: 200, currency }, min: 1, max: 2, step: 1, options: ['de', 'nl'] },
          devices: null,
          trafficGiB: null,
          durationDays: { unitPrice: { amount: 10, currency }, min: 30, max: 90, step: 30 },
        },
      });
      const family = await s.storage.plans.create({
        name: 'Mini family',
        family: 'mini-family-e2e',
        price: base.price,
        durationDays: 30,
        trafficBytes: null,
        placement: base.placement,
        sharing: { maxMembers: 2 },
      });
      const links = new TelegramLinkStore(s.db, s.shopSchema, s.clock);
      const user = { id: 5503, is_bot: false, first_name: 'Family', language_code: 'en' };
      const { customer } = await customerOfTelegramUser(s, links, user, '5503');
      await s.kit.topUp({ customerId: customer.id, amount: family.price, idempotencyKey: 'mini-app-family-e2e-funds' });
      const { subscriptions } = await s.kit.checkout({
        customerId: customer.id,
        items: [{ planId: family.id }],
        idempotencyKey: 'mini-app-family-e2e',
      });
      const group = subscriptions[0]!;

      const page = await context.newPage();
      await page.goto(`${shop.url}/tg/app${launchFragment(launchData(BOT_TOKEN, { id: 5503 }, clock.now()))}`);
      await page.waitForURL(`${shop.url}/dashboard`);

      // The catalog lists the built plan "from" its builder's defaults; its card leads to the builder.
      const from = builtFromPrice(built);
      if (from === null) throw new Error('the test plan refused its own defaults');
      await page.getByRole('navigation').getByRole('link', { name: 'Plans' }).click();
      await page.waitForURL(`${shop.url}/`);
      // Listed under each of its locations: the first card is enough.
      const card = page.getByTestId('plan-card').filter({ hasText: 'Mini builder' }).first();
      expect(await card.getByTestId('plan-price').textContent()).toBe(`from ${formatMoney(from, 'en')}`);
      await card.getByRole('link').click();
      await page.waitForURL(`${shop.url}/checkout/${built.id}`);
      expect(await page.getByTestId('plan-builder').isVisible()).toBe(true);
      // The price follows the buyer's choice, quoted by the server as they change it.
      await page.locator('input[name="choiceLocations"][value="de"]').check();
      const one = quoteBuiltPlan(built, { locations: ['de'], days: 30 });
      const two = quoteBuiltPlan(built, { locations: ['de', 'nl'], days: 60 });
      if (!one.allowed || !two.allowed) throw new Error('the test plan refused its own choice');
      await page.locator(`[data-testid="built-price"][data-amount="${one.quote.price.amount}"]`).waitFor();
      await page.locator('input[name="choiceLocations"][value="nl"]').check();
      await page.getByLabel('Days').fill('60');
      await page.locator(`[data-testid="built-price"][data-amount="${two.quote.price.amount}"]`).waitFor();
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, 'mini-app-builder');

      // The shared plan's page leads to its family page, where the payer invites.
      await page.goto(`${shop.url}/subscriptions/${group.id}`);
      await page.getByTestId('family-link').click();
      await page.waitForURL(`${shop.url}/subscriptions/${group.id}/family`);
      expect(await page.getByTestId('family-seats').textContent()).toBe('0 of 2 seats taken');
      expect(await page.getByTestId('invite-form').isVisible()).toBe(true);
      expect(await fitsWidth(page)).toBe(true);
      expect(await eventsOf(page)).toContainEqual(['web_app_setup_back_button', { is_visible: true }]);
      await screenshot(page, 'mini-app-family');
      await page.close();
    });

    it('tells a plain browser how to sign in instead, and talks to no Telegram', async () => {
      const plain = await browser.newContext(PHONE);
      const page = await plain.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${shop.url}/tg/app`);
      await expect(page.getByRole('link', { name: 'Sign in with email' }).isVisible()).resolves.toBe(true);
      expect(await page.evaluate("document.documentElement.classList.contains('in-telegram')")).toBe(false);
      expect(await page.evaluate("'Telegram' in window")).toBe(false);
      expect(errors).toEqual([]);
      await plain.close();
    });
  },
);
