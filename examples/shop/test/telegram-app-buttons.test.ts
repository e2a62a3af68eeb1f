/**
 * The bot offers the same one-tap imports as the link's page, through the shop's https hop (Telegram's buttons take
 * only http(s) and tg links; the fake Bot API refuses any other, as Telegram does), and each hop opens its app's
 * import link for the buyer's link.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_APPS, importLinkOf } from '@panelkit/subscription-feed/apps';
import { buttonsOf } from './support/fake-telegram.js';
import { launchData } from './support/mini-app-launch.js';
import { planNamed } from './support/buying.js';
import { startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

const SHOP = 'https://shop.example.com';

describe('the app buttons in the bot', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop({ env: { PUBLIC_URL: SHOP, TELEGRAM_WEBHOOK: 'off', SHOP_NAME: 'Demo' } });
  });
  afterAll(() => s.close());

  it('are needed: Telegram (and the fake) refuse a button that opens an app’s own scheme', async () => {
    const send = (url: string) =>
      fetch(`${s.fake.apiRoot}/bot${s.fake.token}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: 1, text: 'x', reply_markup: { inline_keyboard: [[{ text: 'Happ', url }]] } }),
      });
    expect((await send('happ://add/https://shop.example.com/s/t')).status).toBe(400);
    expect((await send('https://shop.example.com/s/t/open/happ')).status).toBe(200);
  });

  it('are every app with an import link, each through /s/<token>/open/<app>, which opens that app’s link', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 6301);
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · unlimited');
    await shop.kit.topUp({ customerId, amount: plan.price, idempotencyKey: 'tg-apps-topup' });
    await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'tg-apps-buy' });
    await s.t.drain();

    const details = await buyer.press(await buyer.press(menu, 'subs'), 's:');
    const offer = await buyer.press(details, 'ap');
    expect(offer.ok).toBe(true);
    expect(textOf(offer)).toContain('one tap');
    const token = await shop.kit.links.tokenFor(customerId);
    const link = `${SHOP}/s/${token}`;
    const withImport = CLIENT_APPS.filter((a) => a.importLink !== null);
    const urlButtons = buttonsOf(offer).filter((b) => b.url !== undefined);
    expect(urlButtons.map((b) => [b.text, b.url])).toEqual(withImport.map((a) => [a.name, `${link}/open/${a.id}`]));
    for (const app of withImport) {
      const hop = await supertest(s.t.app)
        .get(new URL(`${link}/open/${app.id}`).pathname)
        .expect(200);
      // The plan counts devices: Karing's link asks for the device id.
      const expected = importLinkOf(app, { url: link, title: 'Demo', deviceLimited: true })!.replaceAll('&', '&amp;');
      expect(hop.text, app.id).toContain(`href="${expected}" data-testid="open-app"`);
    }
  });

  it('are on the Mini App’s dashboard too: every importable app, each through the hop', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 6302);
    await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · unlimited');
    await shop.kit.topUp({ customerId, amount: plan.price, idempotencyKey: 'tg-apps-topup-2' });
    await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'tg-apps-buy-2' });
    await s.t.drain();
    const session = await supertest(s.t.app)
      .post('/tg/app/session')
      .set('origin', SHOP)
      .send({ initData: launchData(s.fake.token, { id: buyer.id }, clock.now()) })
      .expect(200);
    const cookie = ((session.headers['set-cookie'] as unknown as string[]) ?? []).map((c) => c.split(';')[0]).join('; ');
    const dashboard = await supertest(s.t.app).get('/dashboard').set('cookie', cookie).expect(200);
    const link = `${SHOP}/s/${await shop.kit.links.tokenFor(customerId)}`;
    const withImport = CLIENT_APPS.filter((a) => a.importLink !== null);
    expect(
      [...dashboard.text.matchAll(/href="([^"]+)" target="_blank" rel="noopener" data-testid="open-([a-z0-9-]+)"/g)].map((m) => [
        m[2],
        m[1],
      ]),
    ).toEqual(withImport.map((a) => [a.id, `${link}/open/${a.id}`]));
  });
});
