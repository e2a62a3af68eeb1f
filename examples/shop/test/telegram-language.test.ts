/**
 * The bot's language (issue 48): a new buyer starts in their Telegram's language when the shop speaks it (`ru`,
 * `zh-hans` → zh, Belarusian → Russian), else English; the language buttons offer every language, and the choice is
 * stored by the use case the web's `/lang/…` calls too. Counted days follow each language's plural rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCALE_TABLE, LOCALES } from '../src/i18n/locales.js';
import { translator } from '../src/i18n/translate.js';
import { buttonsOf, type BotCall } from './support/fake-telegram.js';
import { messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

describe('the language switch in the bot', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop({ env: { TELEGRAM_WEBHOOK: 'off' } });
  });
  afterAll(() => s.close());

  const localeOfUser = async (id: number) => (await s.t.shop.storage.customers.getByExternalRef(`telegram:${id}`))?.locale;

  it('stores the chosen language on the customer, answers in it, and keeps it for the next update', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 6301, 'en');
    const menu = await buyer.send(buyer.message('/start'));
    expect(await localeOfUser(buyer.id)).toBe('en');

    const choose = await buyer.press(menu, 'lang');
    expect(buttonsOf(choose).map((b) => [b.text, b.callback_data])).toEqual(LOCALES.map((l) => [LOCALE_TABLE[l].name, `lang:${l}`]));
    const changed = await buyer.press(choose, 'lang:fa');
    expect(textOf(changed)).toContain(translator('fa')('telegram.language.changed'));
    expect(await localeOfUser(buyer.id)).toBe('fa');

    const again = await buyer.send(buyer.message('/menu'));
    expect(textOf(again)).toContain(translator('fa')('telegram.menu.title', { shop: shop.config.shopName }));

    const toRussian = await buyer.press(await buyer.press(again, 'lang'), 'lang:ru');
    expect(textOf(toRussian)).toContain(translator('ru')('telegram.language.changed'));
    expect(await localeOfUser(buyer.id)).toBe('ru');
  });

  it.each([
    [6311, 'ru', 'ru'],
    [6312, 'zh-hans', 'zh'],
    [6313, 'zh-CN', 'zh'],
    [6314, 'be', 'ru'],
    [6315, 'uk', 'en'],
    [6316, 'de', 'en'],
  ])('starts user %i with Telegram in %s in %s', async (id, languageCode, locale) => {
    const buyer = new TelegramUser(s.fake, s.t.clock, id, languageCode);
    const menu = await buyer.send(buyer.message('/start'));
    expect(await localeOfUser(id)).toBe(locale);
    expect(textOf(menu)).toContain(translator(locale as 'en')('telegram.menu.title', { shop: s.t.shop.config.shopName }));
  });
});

describe('counted days in the bot', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop({ env: { TELEGRAM_WEBHOOK: 'off' } });
    for (const days of [1, 2, 5, 21])
      await s.t.shop.storage.plans.create({
        name: `Plural ${days}`,
        family: `plural-${days}`,
        price: { amount: 100, currency: 'USD' },
        durationDays: days,
        trafficBytes: null,
        placement: { allowedLocations: ['de'] },
      });
  });
  afterAll(() => s.close());

  /** The quote the bot gives for the plan named `name`, found through the catalog's location and plan buttons. */
  async function quoteOf(buyer: TelegramUser, menu: BotCall, locale: string, name: string): Promise<string> {
    const locations = await buyer.press(menu, 'cat');
    const label = new Intl.DisplayNames([locale], { type: 'region' }).of('DE');
    const germany = buttonsOf(locations).find((b) => b.text === label);
    const plans = await buyer.send(buyer.tap(germany?.callback_data as string, messageIdOf(locations)));
    const plan = buttonsOf(plans).find((b) => b.text.startsWith(name));
    if (plan?.callback_data === undefined) throw new Error(`no plan ${name} in ${JSON.stringify(buttonsOf(plans))}`);
    return textOf(await buyer.send(buyer.tap(plan.callback_data, messageIdOf(plans))));
  }

  it.each([
    ['ru', 'ru', 7301, ['1 день', '2 дня', '5 дней', '21 день']],
    ['zh-hans', 'zh', 7302, ['1 天', '2 天', '5 天', '21 天']],
    ['en', 'en', 7303, ['1 day', '2 days', '5 days', '21 days']],
  ] as const)('in %s: 1, 2, 5 and 21 days', async (languageCode, locale, id, expected) => {
    const buyer = new TelegramUser(s.fake, s.t.clock, id, languageCode);
    const menu = await buyer.send(buyer.message('/start'));
    const quotes = [];
    for (const days of [1, 2, 5, 21]) quotes.push(await quoteOf(buyer, menu, locale, `Plural ${days}`));
    expect(quotes.map((quote, i) => quote.includes(expected[i] as string))).toEqual([true, true, true, true]);
  });
});
