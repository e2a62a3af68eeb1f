/**
 * The shop's link is the only link a buyer gets (issue 45): the web pages, the JSON API, the bot and the notices
 * give the shop's `/s/<token>` (where the link's device checks are), never the panel's own subscription URL (the
 * demo panels' `…/sub/…`), which would bypass them and show the panel's address. Staff pages may still show it.
 */
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscription } from '@panelkit/sdk';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';
import { ownLinkOf } from '../src/app/subscriptions/own-link.js';
import { shopChannels } from '../src/stack/notification-channels.js';
import { notificationJobs } from '../src/app/notifications/notification-jobs.js';
import { qrDataUrl } from '../src/views/qr-code.js';
import { boughtAndProvisioned, fund, planNamed } from './support/buying.js';
import { BOT_TOKEN_SETTING } from '../src/app/ops/shop-settings.js';
import { readSetting } from '../src/db/shop-settings.js';
import { csrfFrom, signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';
import { BOT_SHOP_URL, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

const PANEL_LINK = /\/sub\//;

describe("the buyer's link on every channel", () => {
  let s: BotShop;
  let deliver: () => Promise<number>;
  beforeAll(async () => {
    s = await startBotShop();
    const channels = shopChannels(s.t.shop);
    deliver = s.t.shop.kit.createWorker({ hostJobs: [...s.t.shop.hostJobs, ...notificationJobs(s.t.shop, channels.list)] }).drain;
  });
  afterAll(() => s?.close());

  /** A provisioned subscription's panel URL, checked to be the panel's own `/sub/` one (else the test proves nothing). */
  function panelUrlOf(sub: Subscription): string {
    expect(sub.status).toBe('active');
    expect(sub.subscriptionUrl).toMatch(PANEL_LINK);
    return sub.subscriptionUrl as string;
  }

  it('web pages (dashboard, order, subscription with its QR), the JSON API and the notice history give the shop link', async () => {
    const b = await signedUpBuyer(s.t.app);
    await fund(s.t, b.email, 10_000);
    const sub = (await s.t.shop.storage.subscriptions.get(
      await boughtAndProvisioned(s.t, b, (await planNamed(s.t, 'Frankfurt · 1 month · 50')).id),
    )) as Subscription;
    const panelUrl = panelUrlOf(sub);
    const link = await buyerLinkOf(s.t.shop, sub.customerId);
    expect(link).toMatch(new RegExp(`^${BOT_SHOP_URL}/s/[A-Za-z0-9_-]{32}$`));

    // The subscription's page gives its own link (the shop's too), the others the account's.
    const own = await ownLinkOf(s.t.shop, sub.customerId, sub.id);
    expect(own).toMatch(new RegExp(`^${BOT_SHOP_URL}/s/[A-Za-z0-9_-]{32}$`));
    const page = (await b.agent.get(`/subscriptions/${sub.id}`).expect(200)).text;
    expect(page).toContain(`id="subscription-url" type="text" readonly value="${own}"`);
    expect(page).toContain(`src="${await qrDataUrl(own)}"`);
    for (const path of ['/dashboard', `/orders/${sub.orderId}`, `/subscriptions/${sub.id}`, '/account/notifications']) {
      const text = (await b.agent.get(path).expect(200)).text;
      expect(text, path).toContain(path === `/subscriptions/${sub.id}` ? own : link);
      expect(text, path).not.toContain(panelUrl);
      expect(text, path).not.toMatch(PANEL_LINK);
    }

    const api = await b.agent.get(`/api/v1/subscriptions/${sub.id}`).expect(200);
    expect(api.body.subscriptionUrl).toBe(link);
    expect(api.text).not.toMatch(PANEL_LINK);

    // Staff still see the panel's own address on the admin's subscription page.
    const admin = await signedInAdmin(s.t.app);
    expect((await admin.agent.get(`/admin/subscriptions/${sub.id}`).expect(200)).text).toContain(panelUrl);
  });

  it('the bot: the subscription message, its QR code and the "ready" notice give the shop link', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 7451);
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await s.t.shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))?.id as string;
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    await s.t.shop.kit.topUp({ customerId, amount: plan.price, idempotencyKey: 'buyer-link-bot-topup' });
    const since = s.fake.calls.length;
    const { subscriptions } = await s.t.shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'buyer-link-bot' });
    await s.t.drain();
    await deliver();
    const panelUrl = panelUrlOf((await s.t.shop.storage.subscriptions.get(subscriptions[0]!.id)) as Subscription);
    const link = await buyerLinkOf(s.t.shop, customerId);

    const notices = s.fake
      .callsSince(since, 'sendMessage')
      .filter((c) => Number(c.params['chat_id']) === buyer.id)
      .map(textOf);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(link);

    const details = await buyer.press(await buyer.press(menu, 'subs'), 's:');
    expect(textOf(details)).toContain(link);
    const qr = await buyer.press(details, 'q:');
    expect(qr.method).toBe('sendPhoto');
    // The photo is the QR of exactly the shop link, drawn as the bot draws it.
    const expected = await QRCode.toBuffer(link, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 512 });
    expect(qr.upload?.bytes.equals(expected)).toBe(true);

    const toBuyer = s.fake.callsSince(since).filter((c) => Number(c.params['chat_id']) === buyer.id);
    for (const call of toBuyer) {
      expect(JSON.stringify(call.params)).not.toContain(panelUrl);
      expect(JSON.stringify(call.params)).not.toMatch(PANEL_LINK);
    }
  });
});

describe('a shop without a public address (the embedded default)', () => {
  let t: ShopUnderTest;
  beforeAll(async () => {
    t = await startShop();
  });
  afterAll(() => t?.close());

  it('gives web buyers the shop link on the address it listens on, and refuses to store a bot token', async () => {
    expect(t.config.publicUrls).toEqual([]);
    const b = await signedUpBuyer(t.app);
    await fund(t, b.email, 1000);
    const sub = (await t.shop.storage.subscriptions.get(
      await boughtAndProvisioned(t, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id),
    )) as Subscription;
    const link = await ownLinkOf(t.shop, sub.customerId, sub.id);
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{32}$/);
    const page = (await b.agent.get(`/subscriptions/${sub.id}`).expect(200)).text;
    expect(page).toContain(`value="${link}"`);
    expect(page).not.toMatch(PANEL_LINK);

    const owner = await signedInAdmin(t.app);
    const form = await owner.agent.get('/admin/settings').expect(200);
    const refused = await owner.agent
      .post('/admin/settings')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        gatewayBaseUrl: '',
        gatewayApiKey: '',
        gatewayIpnSecret: '',
        botToken: '123456789:AAE-abcdefghijklmnopqrstuvwxyz012345',
      })
      .expect(400);
    expect(refused.text).toContain('set PUBLIC_URL (or PUBLIC_URLS) first');
    expect(await readSetting(t.shop, BOT_TOKEN_SETTING)).toBeNull();
  });
});
