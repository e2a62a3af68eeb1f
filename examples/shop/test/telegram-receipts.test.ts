/**
 * Card receipts in the bot, as the admins meet them: an image sent as a file counts like a photo, the admins
 * are alerted in Telegram when one arrives (once, through the notification jobs), and the receipt card names
 * the buyer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { paymentsOf } from '../src/app/payments/records.js';
import { signedInAdmin, signedUpBuyer } from './support/shop-under-test.js';
import { ADMIN_TELEGRAM_ID, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

describe('a card receipt sent in the bot', () => {
  let s: BotShop;
  const t = translator('en');
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  const alertsToAdmin = () =>
    s.fake.calls.filter(
      (c) =>
        c.ok &&
        c.method === 'sendMessage' &&
        Number(c.params['chat_id']) === ADMIN_TELEGRAM_ID &&
        String(c.params['text']).includes('waits for review'),
    );

  it('as an image file is taken like a photo; the admins are alerted once, by name; the card shows the name and the file', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 6101);
    const admin = new TelegramUser(s.fake, clock, ADMIN_TELEGRAM_ID);
    const menu = await buyer.send(buyer.message('/start'));
    await buyer.press(menu, 'tu');
    const before = alertsToAdmin().length;
    const received = await buyer.send(buyer.file('20 AB12345670 1234', 'receipt-file-6101'));
    expect(textOf(received)).toBe(t('wallet.notices.pending'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    const [payment] = (await paymentsOf(shop).listByCustomer(customerId, { limit: 5 })).items;
    expect(payment).toMatchObject({ status: 'pending', amount: { amount: 2000, currency: 'USD' } });

    await s.t.drain();
    await s.t.drain();
    const alerts = alertsToAdmin().slice(before);
    expect(alerts).toHaveLength(1);
    expect(String(alerts[0]!.params['text'])).toContain('User 6101');
    expect(String(alerts[0]!.params['text'])).toContain('$20.00');

    const adminMenu = await admin.send(admin.message('/start'));
    const card = await admin.press(adminMenu, 'rq', (c) => c.method === 'sendDocument');
    expect(card.params['document']).toBe('receipt-file-6101');
    expect(String(card.params['caption'])).toContain('User 6101');
    expect(String(card.params['caption'])).not.toContain(customerId);
  });

  it('as a photo is shown to admins on the web queue too: fetched from Telegram, for staff only', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 6103);
    await buyer.send(buyer.message('/start'));
    const bytes = Buffer.from('a receipt photo, as Telegram keeps it');
    s.fake.files.set('receipt-photo-6103', { bytes, path: 'photos/file_6103.jpg' });
    await buyer.send(buyer.photo('20 AB12345672 1234', 'receipt-photo-6103'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    const [payment] = (await paymentsOf(shop).listByCustomer(customerId, { limit: 5 })).items;

    const admin = await signedInAdmin(s.t.app);
    const queue = await admin.agent.get('/admin/receipts').expect(200);
    expect(queue.text).toContain(`href="/admin/receipts/${payment!.id}/image"`);
    const image = await admin.agent.get(`/admin/receipts/${payment!.id}/image`).expect(200);
    expect(image.headers['content-type']).toBe('image/jpeg');
    expect(image.headers['cache-control']).toBe('private, no-store');
    expect(Buffer.from(image.body as Buffer)).toEqual(bytes);
    await admin.agent.get('/admin/receipts/pay_none/image').expect(404);
    const someone = await signedUpBuyer(s.t.app);
    expect((await someone.agent.get(`/admin/receipts/${payment!.id}/image`)).status).toBeGreaterThanOrEqual(400);
  });

  it('as a file that is no image is not a receipt: the buyer is told how to send one, and nothing is recorded', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 6102);
    await buyer.send(buyer.message('/start'));
    const answer = await buyer.send(buyer.file('20 AB12345671 1234', 'statement-6102', 'application/pdf'));
    expect(textOf(answer)).toBe(t('telegram.topUp.captionHelp'));
    const customerId = (await s.t.shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    expect((await paymentsOf(s.t.shop).listByCustomer(customerId, { limit: 5 })).items).toEqual([]);
  });
});
