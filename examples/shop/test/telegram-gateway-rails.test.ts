import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCryptoBotSettings } from '../src/app/payments/cryptobot/settings.js';
import { translator } from '../src/i18n/translate.js';
import { CryptoBotSimulator, EpaySimulator, ZarinpalSimulator } from '@panelkit/payment-providers/simulators';
import { saveZarinpalSettings } from '../src/app/payments/zarinpal/settings.js';
import { saveEpaySettings } from '../src/app/payments/epay/settings.js';
import { buttonsOf } from './support/fake-telegram.js';
import { messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

describe('a CryptoBot top-up from the Telegram bot', () => {
  let s: BotShop;
  let server: Server;
  let sim: CryptoBotSimulator;
  const t = translator('en');

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    s = await startBotShop({ env: { PUBLIC_URL: base, TELEGRAM_WEBHOOK: 'off' } });
    server.on('request', s.t.app);
    sim = await new CryptoBotSimulator().start();
    sim.webhookUrl = `${base}/payments/cryptobot/webhook`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await sim.close();
    await s.close();
  });

  it('offers CryptoBot amounts once it is on; a tap makes one invoice; its webhook credits once and the buyer is told once', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 7401, 'en');
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    expect(buttonsOf(await buyer.press(menu, 'tu')).some((b) => b.callback_data?.startsWith('gp:'))).toBe(false);

    await saveCryptoBotSettings(shop, { enabled: true, baseUrl: sim.url, token: sim.token }, clock.now(), null);
    const offer = await buyer.press(menu, 'tu');
    expect(textOf(offer)).toContain(t('payRails.rails.cryptobot.offer'));
    const cheapest = Math.min(...(await shop.storage.plans.list({ onSale: true })).map((p) => p.price.amount));
    const tap = `gp:cryptobot:${cheapest}`;
    expect(buttonsOf(offer).some((b) => b.callback_data === tap)).toBe(true);
    const first = await buyer.send(buyer.tap(tap, messageIdOf(offer)));
    const again = await buyer.send(buyer.tap(tap, messageIdOf(offer)));
    const payUrl = buttonsOf(first).find((b) => b.url !== undefined)?.url;
    expect(payUrl).toContain(sim.url);
    expect(buttonsOf(again).find((b) => b.url !== undefined)?.url).toBe(payUrl);
    expect(textOf(await buyer.send(buyer.tap('gp:cryptobot:1', messageIdOf(offer))))).toBe(t('wallet.noProviders'));
    expect(textOf(await buyer.send(buyer.tap(`gp:zarinpal:${cheapest}`, messageIdOf(offer))))).toBe(t('wallet.noProviders'));

    const [payment] = (await shop.kit.payments.list({ customerId }, { limit: 10 })).items;
    expect(payment).toMatchObject({ providerId: 'cryptobot', status: 'pending', amount: cheapest });
    expect(await sim.pay(payment!.externalRef!, { deliveries: 2 })).toEqual([200, 200]);
    expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(cheapest);
    await s.t.drain();
    await s.t.drain();
    const told = s.fake.calls.filter(
      (c) =>
        c.ok && c.method === 'sendMessage' && Number(c.params['chat_id']) === buyer.id && textOf(c).includes('was added to your wallet'),
    );
    expect(told).toHaveLength(1);
    // The way back from CryptoBot for a bot buyer needs no sign-in.
    const back = await supertest(s.t.app).get(`/wallet/pay/cryptobot/${payment!.id}/back-to-bot`).expect(200);
    expect(back.text).toContain(t('payRails.notices.credited'));
  });
});

describe('a Zarinpal top-up from the bot of a shop in rials', () => {
  let s: BotShop;
  let server: Server;
  let sim: ZarinpalSimulator;
  const t = translator('en');

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    s = await startBotShop({ env: { PUBLIC_URL: base, TELEGRAM_WEBHOOK: 'off', SHOP_CURRENCY: 'IRR' } });
    server.on('request', s.t.app);
    sim = await new ZarinpalSimulator().start();
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await sim.close();
    await s.close();
  });

  it('offers Zarinpal amounts; the buyer pays on its page and comes back to a page that needs no sign-in; credited once', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 7501, 'en');
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    await saveZarinpalSettings(shop, { enabled: true, baseUrl: sim.url, merchantId: sim.merchantId }, clock.now(), null);
    const offer = await buyer.press(menu, 'tu');
    expect(textOf(offer)).toContain(t('payRails.rails.zarinpal.offer'));
    const cheapest = Math.min(...(await shop.storage.plans.list({ onSale: true })).map((p) => p.price.amount));
    // Zarinpal takes 1,000 rials at least: the largest amount offered (five plans' worth).
    const amount = 5 * cheapest;
    const invoice = await buyer.send(buyer.tap(`gp:zarinpal:${amount}`, messageIdOf(offer)));
    const payUrl = buttonsOf(invoice).find((b) => b.url !== undefined)?.url;
    expect(payUrl).toContain(sim.url);
    const [payment] = (await shop.kit.payments.list({ customerId }, { limit: 10 })).items;
    expect(payment).toMatchObject({ providerId: 'zarinpal', status: 'pending', amount, currency: 'IRR' });
    const back = await sim.pay(payment!.externalRef!);
    expect(back.pathname).toBe(`/wallet/pay/zarinpal/${payment!.id}/back-to-bot`);
    for (let i = 0; i < 2; i++) {
      const page = await supertest(s.t.app).get(`${back.pathname}${back.search}`).expect(200);
      expect(page.text).toContain(t('payRails.notices.credited'));
    }
    expect(await shop.storage.ledger.balance(customerId, 'IRR')).toBe(amount);
    expect((await shop.storage.ledger.list(customerId, { limit: 10 })).items.filter((e) => e.kind === 'top_up')).toHaveLength(1);
  });
});

describe('EPay top-ups from the bot of a shop in yuan: one button per way to pay', () => {
  let s: BotShop;
  let server: Server;
  let epay: EpaySimulator;
  const t = translator('zh');

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    s = await startBotShop({ env: { PUBLIC_URL: base, TELEGRAM_WEBHOOK: 'off', SHOP_CURRENCY: 'CNY' } });
    server.on('request', s.t.app);
    epay = await new EpaySimulator().start();
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await epay.close();
    await s.close();
  });

  it('offers Alipay and WeChat Pay buttons; Alipay answers a pay link, WeChat Pay (mapi) the QR code as a photo; its notify credits once', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 7411, 'zh');
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    await saveEpaySettings(shop, { enabled: true, baseUrl: epay.url, pid: epay.pid, key: epay.key, mode: 'mapi' }, clock.now(), null);
    const offer = await buyer.press(menu, 'tu');
    expect(textOf(offer)).toContain(t('payRails.rails.epay.offer'));
    const cheapest = Math.min(...(await shop.storage.plans.list({ onSale: true })).map((p) => p.price.amount));
    const taps = buttonsOf(offer).map((b) => b.callback_data);
    expect(taps).toContain(`gp:epay.alipay:${cheapest}`);
    expect(taps).toContain(`gp:epay.wxpay:${cheapest}`);
    expect(textOf(await buyer.send(buyer.tap(`gp:epay.qqpay:${cheapest}`, messageIdOf(offer))))).toBe(t('wallet.noProviders'));

    const alipay = await buyer.send(buyer.tap(`gp:epay.alipay:${cheapest}`, messageIdOf(offer)));
    expect(buttonsOf(alipay).find((b) => b.url !== undefined)?.url).toContain(epay.url);
    await buyer.send(buyer.tap(`gp:epay.wxpay:${cheapest}`, messageIdOf(offer)));
    const photo = s.fake.calls.filter((c) => c.ok && c.method === 'sendPhoto' && Number(c.params['chat_id']) === buyer.id);
    expect(photo).toHaveLength(1);

    const payments = (await shop.kit.payments.list({ customerId }, { limit: 10 })).items;
    expect(payments.map((p) => p.details['method']).sort()).toEqual(['alipay', 'wxpay']);
    const wx = payments.find((p) => p.details['method'] === 'wxpay')!;
    await epay.pay(wx.id, { deliveries: 2 });
    expect(await shop.storage.ledger.balance(customerId, 'CNY')).toBe(cheapest);
  });
});
