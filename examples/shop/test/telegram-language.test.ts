/** The bot's language buttons: the buyer's language is stored by the use case the web's `/lang/…` calls too. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

describe('the language switch in the bot', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop({ env: { TELEGRAM_WEBHOOK: 'off' } });
  });
  afterAll(() => s.close());

  it('stores the chosen language on the customer, answers in it, and keeps it for the next update', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 6301, 'en');
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    expect((await shop.storage.customers.get(customerId))?.locale).toBe('en');

    const choose = await buyer.press(menu, 'lang');
    const changed = await buyer.press(choose, 'lang:fa');
    expect(textOf(changed)).toContain(translator('fa')('telegram.language.changed'));
    expect((await shop.storage.customers.get(customerId))?.locale).toBe('fa');

    const again = await buyer.send(buyer.message('/menu'));
    expect(textOf(again)).toContain(translator('fa')('telegram.menu.title', { shop: shop.config.shopName }));
  });
});
