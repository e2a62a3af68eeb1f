import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsOf } from '../src/app/payments/records.js';
import { translator } from '../src/i18n/translate.js';
import { saveGatewaySettings } from '../src/app/payments/crypto/gateway-settings.js';
import { NowPaymentsSimulator as CryptoGatewaySimulator } from '@panelkit/payment-providers/simulators';
import { buttonsOf } from './support/fake-telegram.js';
import { messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

describe('a crypto top-up from the Telegram bot', () => {
  let s: BotShop;
  let server: Server;
  let sim: CryptoGatewaySimulator;
  const t = translator('en');

  beforeAll(async () => {
    // The gateway calls the shop back at PUBLIC_URL: the shop's app listens there.
    server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    s = await startBotShop({ env: { PUBLIC_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, TELEGRAM_WEBHOOK: 'off' } });
    server.on('request', s.t.app);
    sim = await new CryptoGatewaySimulator().start();
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await sim.close();
    await s.close();
  });

  it('is offered only with the gateway on; an amount becomes one invoice however often it is tapped, credited once when paid', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 7001, 'en');
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;

    const cardOnly = await buyer.press(menu, 'tu');
    expect(buttonsOf(cardOnly).some((b) => b.callback_data?.startsWith('cg:'))).toBe(false);

    await saveGatewaySettings(shop, { enabled: true, baseUrl: sim.url, apiKey: sim.apiKey, ipnSecret: sim.ipnSecret }, clock.now(), null);
    const offer = await buyer.press(menu, 'tu');
    expect(textOf(offer)).toContain('6037-9900-0000-0000');
    expect(textOf(offer)).toContain(t('telegram.crypto.offer'));
    const cheapest = Math.min(...(await shop.storage.plans.list({ onSale: true })).map((p) => p.price.amount));
    const amounts = buttonsOf(offer)
      .map((b) => b.callback_data ?? '')
      .filter((d) => d.startsWith('cg:'))
      .map((d) => Number(d.slice(3)));
    expect(amounts).toEqual([cheapest, 2 * cheapest, 5 * cheapest]);

    // A double tap on one button (and a forged amount) make one invoice.
    const tap = `cg:${2 * cheapest}`;
    const first = await buyer.send(buyer.tap(tap, messageIdOf(offer)));
    const again = await buyer.send(buyer.tap(tap, messageIdOf(offer)));
    const payUrl = buttonsOf(first).find((b) => b.url !== undefined)?.url;
    expect(payUrl).toMatch(/\/pay\/\w+$/);
    expect(buttonsOf(again).find((b) => b.url !== undefined)?.url).toBe(payUrl);
    const forged = await buyer.send(buyer.tap('cg:1', messageIdOf(offer)));
    expect(textOf(forged)).toBe(t('wallet.noProviders'));
    const payments = (await paymentsOf(shop).listByCustomer(customerId, { limit: 10 })).items;
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ provider: 'crypto', status: 'pending', amount: { amount: 2 * cheapest } });

    // Paid on the gateway: its callback reaches the shop at PUBLIC_URL and credits the wallet once.
    const invoiceId = /\/pay\/(\w+)$/.exec(payUrl!)![1]!;
    sim.next = { deliveries: 2 };
    const gatewayPaymentId = await sim.pay(invoiceId);
    expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(2 * cheapest);
    expect((await paymentsOf(shop).get(payments[0]!.id))!.status).toBe('approved');

    // The buyer hears of it in the bot, once, however often the worker runs.
    await s.t.drain();
    await s.t.drain();
    const told = s.fake.calls.filter(
      (c) =>
        c.ok &&
        c.method === 'sendMessage' &&
        Number(c.params['chat_id']) === buyer.id &&
        String(c.params['text']).includes('was added to your wallet'),
    );
    expect(told).toHaveLength(1);

    // The gateway sends a bot buyer back to a page that needs no sign-in (they may have no web account) and points to the bot.
    const invoice = sim.invoices.get(invoiceId)!;
    expect(invoice.successUrl).toMatch(new RegExp(`/wallet/crypto/${payments[0]!.id}/back-to-bot$`));
    const back = await supertest(s.t.app)
      .get(`${new URL(invoice.successUrl).pathname}?NP_id=${gatewayPaymentId}`)
      .expect(200);
    expect(back.text).toContain(t('wallet.notices.crypto_credited'));
    expect(back.text).toContain(t('wallet.crypto.backToBot'));
    expect(back.text).not.toContain('name="password"');
  });

  it('tells a Farsi buyer of a crypto top-up in Farsi: no gateway words in the notice or the wallet history', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 7002, 'fa');
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    expect((await shop.storage.customers.get(customerId))!.locale).toBe('fa');
    await saveGatewaySettings(shop, { enabled: true, baseUrl: sim.url, apiKey: sim.apiKey, ipnSecret: sim.ipnSecret }, clock.now(), null);
    const offer = await buyer.press(menu, 'tu');
    const tap = buttonsOf(offer).find((b) => b.callback_data?.startsWith('cg:'))!.callback_data!;
    const invoiceUrl = buttonsOf(await buyer.send(buyer.tap(tap, messageIdOf(offer)))).find((b) => b.url !== undefined)!.url!;
    const since = s.fake.calls.length;
    await sim.pay(/\/pay\/(\w+)$/.exec(invoiceUrl)![1]!);
    await s.t.drain();
    const notice = s.fake.callsSince(since, 'sendMessage').find((c) => c.ok && Number(c.params['chat_id']) === buyer.id);
    expect(notice).toBeDefined();
    const history = await buyer.press(menu, 'w');
    const fa = translator('fa');
    expect(textOf(history)).toContain(fa('wallet.paymentNotes.finished'));
    // Latin words left once the product names (the shop's) are taken out: none.
    const latin = (text: string) => text.replaceAll(shop.config.shopName, '').match(/[A-Za-z]{2,}/g) ?? [];
    expect(latin(textOf(notice!))).toEqual([]);
    expect(latin(textOf(history))).toEqual([]);
  });
});
