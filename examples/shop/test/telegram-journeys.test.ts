import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsOf } from '../src/app/payments/records.js';
import { translator, type Locale } from '../src/i18n/translate.js';
import { CALLBACK_DATA_MAX_BYTES, callbackData } from '../src/telegram/callback-data.js';
import { MESSAGE_MAX, splitMessage } from '../src/telegram/message-text.js';
import { buttonsOf, type BotCall } from './support/fake-telegram.js';
import { ADMIN_TELEGRAM_ID, messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';

/** The data of the button whose label starts with `label`. */
function buttonLabelled(call: BotCall, label: string): string {
  const found = buttonsOf(call).find((b) => b.text.startsWith(label));
  if (found?.callback_data === undefined) throw new Error(`no button "${label}" in ${JSON.stringify(buttonsOf(call))}`);
  return found.callback_data;
}

describe.each<Locale>(['en', 'fa'])('the Telegram bot, a buyer in %s', (lang) => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  it('starts, tops up with a receipt photo the admin approves in the bot, buys, gets the link and QR, and extends (refused, then paid)', async () => {
    const t = translator(lang);
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, lang === 'en' ? 5001 : 5002, lang);
    const admin = new TelegramUser(s.fake, clock, ADMIN_TELEGRAM_ID);

    const menu = await buyer.send(buyer.message('/start'));
    expect(textOf(menu)).toContain(t('telegram.start.welcome', { shop: shop.config.shopName }));
    const customer = await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`);
    expect(customer?.locale).toBe(lang);
    const customerId = customer?.id as string;

    // Top-up by card-to-card: the card is shown, the receipt photo goes into the admins' queue.
    const howTo = await buyer.press(menu, 'tu');
    expect(textOf(howTo)).toContain('6037-9900-0000-0000');
    const caption = lang === 'fa' ? '۲۰ AB-12345678 ۱۲۳۴' : '20 AB12345679 1234';
    const received = await buyer.send(buyer.photo(caption, `receipt-${lang}`));
    expect(textOf(received)).toBe(t('wallet.notices.pending'));
    const [payment] = (await paymentsOf(shop).listByCustomer(customerId, { limit: 5 })).items;
    expect(payment).toMatchObject({ status: 'pending', amount: { amount: 2000, currency: 'USD' }, details: { cardLast4: '1234' } });

    const adminMenu = await admin.send(admin.message('/start'));
    const queued = await admin.press(adminMenu, 'rq', (c) => c.method === 'sendPhoto' && c.params['photo'] === `receipt-${lang}`);
    expect(textOf(queued)).toContain('1234');
    await admin.press(queued, `ra:${payment?.id}`, (c) => textOf(c) === translator('en')('telegram.receipts.approved'));
    expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(2000);
    expect((await paymentsOf(shop).get(payment?.id as string))?.reviewedBy).toBe(`telegram:${ADMIN_TELEGRAM_ID}`);

    // Buy from the wallet: catalog by location, a quote, confirm.
    const locations = await buyer.press(menu, 'cat');
    expect(textOf(locations)).toBe(t('telegram.catalog.chooseLocation'));
    const germany = new Intl.DisplayNames([lang], { type: 'region' }).of('DE') as string;
    const plans = await buyer.send(buyer.tap(buttonLabelled(locations, germany), messageIdOf(locations)));
    // The demo's plans have Farsi names.
    const planName = lang === 'fa' ? 'فرانکفورت · یک ماه · ۵۰ گیگابایت' : 'Frankfurt · 1 month · 50 GiB';
    const quote = await buyer.send(buyer.tap(buttonLabelled(plans, planName), messageIdOf(plans)));
    expect(textOf(quote)).toContain(planName);
    const ordered = await buyer.press(quote, 'b:');
    expect(textOf(ordered)).toBe(t('telegram.catalog.ordered'));
    expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(1500);
    await s.t.drain();

    // My subscriptions: status, usage, expiry in the buyer's calendar, the link, the QR code as a photo.
    const list = await buyer.press(menu, 'subs');
    const details = await buyer.press(list, 's:');
    const [sub] = (await shop.storage.subscriptions.listByCustomer(customerId, { limit: 5 })).items;
    expect(sub?.status).toBe('active');
    expect(sub?.subscriptionUrl).toBeTruthy();
    expect(textOf(details)).toContain(await buyerLinkOf(shop, customerId));
    expect(textOf(details)).not.toContain(sub?.subscriptionUrl as string);
    expect(textOf(details)).toContain(t('subscription.status.active'));
    if (lang === 'fa') expect(textOf(details)).toMatch(/[۰-۹]{4}/); // a Jalali year in Persian digits
    const qr = await buyer.press(details, 'q:');
    expect(qr.method).toBe('sendPhoto');
    expect(qr.upload?.bytes.subarray(0, 4).toString('latin1')).toBe('\x89PNG');

    // Extension: too early now, allowed near the end, then paid from the wallet.
    const early = await buyer.press(details, 'x:');
    expect(textOf(early).startsWith(t('extension.reasons.too_early').slice(0, 12))).toBe(true);
    clock.advanceDays(28);
    const extQuote = await buyer.press(details, 'x:');
    const paid = await buyer.press(extQuote, 'xc:');
    expect(textOf(paid)).toBe(t('telegram.extension.done'));
    expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(1000);
    const kinds = (await shop.storage.ledger.list(customerId, { limit: 10 })).items.map((e) => e.kind).sort();
    expect(kinds).toEqual(['extension', 'purchase', 'top_up']);

    // Every button the bot drew on the way fits Telegram's limit.
    const data = s.fake.calls.flatMap((c) => buttonsOf(c).map((b) => b.callback_data ?? ''));
    expect(data.length).toBeGreaterThan(20);
    for (const d of data) expect(Buffer.byteLength(d)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
  });
});

describe('the Telegram bot', () => {
  it('refuses to draw a button whose data would pass Telegram’s 64 bytes', () => {
    expect(() => callbackData('xc', 'sub_'.padEnd(62, 'x'))).toThrow(/too long/);
    expect(callbackData('xc', 'sub_'.padEnd(61, 'x'))).toHaveLength(CALLBACK_DATA_MAX_BYTES);
    expect(() => callbackData('l', 'ا'.repeat(32))).toThrow(/too long/); // bytes, not characters
  });

  it('splits long messages at line breaks within Telegram’s 4096 characters', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(20)}`);
    const parts = splitMessage(lines.join('\n'));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(MESSAGE_MAX);
    expect(parts.join('\n')).toBe(lines.join('\n'));
    expect(splitMessage('y'.repeat(9000)).map((p) => p.length)).toEqual([4096, 4096, 808]);
  });
});
