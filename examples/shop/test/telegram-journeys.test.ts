import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsOf } from '../src/app/payments/records.js';
import { LOCALES, translator, type Locale } from '../src/i18n/translate.js';
import { notificationJobs } from '../src/app/notifications/notification-jobs.js';
import { shopChannels } from '../src/stack/notification-channels.js';
import { CALLBACK_DATA_MAX_BYTES, callbackData } from '../src/telegram/callback-data.js';
import { MESSAGE_MAX, splitMessage } from '../src/telegram/message-text.js';
import { englishWordsIn } from './support/english-words.js';
import { buttonsOf } from './support/fake-telegram.js';
import {
  ADMIN_TELEGRAM_ID,
  buttonLabelled,
  messageIdOf,
  startBotShop,
  TelegramUser,
  textOf,
  type BotShop,
} from './support/telegram-driver.js';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';

/** Each language's buyer: a Telegram `language_code` as the apps send it, the demo plan's name in it. */
const BUYERS: Record<Locale, { id: number; languageCode: string; plan: string }> = {
  en: { id: 5001, languageCode: 'en', plan: 'Frankfurt · 1 month · 50 GiB' },
  fa: { id: 5002, languageCode: 'fa', plan: 'فرانکفورت · یک ماه · ۵۰ گیگابایت' },
  ru: { id: 5003, languageCode: 'ru', plan: 'Франкфурт · 1 месяц · 50 GiB' },
  zh: { id: 5004, languageCode: 'zh-hans', plan: '法兰克福 · 1 个月 · 50 GiB' },
};

describe.each<Locale>([...LOCALES])('the Telegram bot, a buyer in %s', (lang) => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  it('starts, tops up with a receipt photo the admin approves in the bot, buys, gets the link and QR, and extends (refused, then paid)', async () => {
    const t = translator(lang);
    const { shop, clock } = s.t;
    const { id, languageCode, plan: planName } = BUYERS[lang];
    const buyer = new TelegramUser(s.fake, clock, id, languageCode);
    const deliver = shop.kit.createWorker({ hostJobs: [...shop.hostJobs, ...notificationJobs(shop, shopChannels(shop).list)] }).drain;
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
    // The demo's plans have names in each language; days are counted in the buyer's plural forms.
    const quote = await buyer.send(buyer.tap(buttonLabelled(plans, planName), messageIdOf(plans)));
    expect(textOf(quote)).toContain(planName);
    expect(textOf(quote)).toContain(t('plans.days', { count: 30 }));
    expect(buttonsOf(quote).map((b) => b.text)).toContain(t('telegram.catalog.trial', { days: t('plans.days', { count: 1 }) }));
    const ordered = await buyer.press(quote, 'b:');
    expect(textOf(ordered)).toBe(t('telegram.catalog.ordered'));
    expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(1500);
    await s.t.drain();
    // The notice that it is ready comes in the buyer's language, with the plan's name in it.
    await deliver();
    const ready = s.fake.calls.filter((c) => c.ok && c.method === 'sendMessage' && Number(c.params['chat_id']) === id).map(textOf);
    expect(
      ready.some((text) =>
        text.includes(t('notifications.kinds.subscription_provisioned.text', { plan: planName, link: '\u0000' }).split('\u0000')[0]!),
      ),
    ).toBe(true);

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
    expect(textOf(early).startsWith(t('extension.reasons.too_early').split('{')[0] as string)).toBe(true);
    clock.advanceDays(28);
    const extQuote = await buyer.press(details, 'x:');
    const paid = await buyer.press(extQuote, 'xc:');
    expect(textOf(paid)).toBe(t('telegram.extension.done'));
    expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(1000);
    const kinds = (await shop.storage.ledger.list(customerId, { limit: 10 })).items.map((e) => e.kind).sort();
    expect(kinds).toEqual(['extension', 'purchase', 'top_up']);

    // Nothing the buyer read on the way was left in English (product names aside).
    if (lang !== 'en') {
      const toBuyer = s.fake.calls.filter((c) => Number(c.params['chat_id']) === id);
      const read = toBuyer.flatMap((c) => [textOf(c), ...buttonsOf(c).map((b) => b.text)]).join('\n');
      // The card holder's name is the demo's, as the bank writes it.
      expect(englishWordsIn(read, [shop.config.shopName, 'Demo Shop'])).toEqual([]);
    }

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
