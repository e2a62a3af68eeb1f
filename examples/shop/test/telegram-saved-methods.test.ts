import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { buttonsOf } from './support/fake-telegram.js';
import { startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

describe('saved payment methods in the bot', () => {
  let s: BotShop;
  const t = translator('en');
  beforeAll(async () => {
    s = await startBotShop();
  }, 300_000);
  afterAll(async () => {
    await s.close();
  });

  it('the buyer sees a saved card from the wallet, stops it paying renewals and removes it', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 7301, 'en');
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    const paid = await shop.kit.payments.start({
      customerId,
      providerId: 'test',
      amount: { amount: 300, currency: shop.config.currency },
      requestKey: 'bot-saved-card',
      saveMethod: true,
      allowRenewal: true,
    });
    expect(paid.ok).toBe(true);
    const [method] = await shop.kit.payments.savedMethods(customerId);
    const wallet = await buyer.press(menu, 'w');
    expect(buttonsOf(wallet).some((b) => b.callback_data === 'pm')).toBe(true);
    const list = await buyer.press(wallet, 'pm');
    expect(textOf(list)).toContain('Test card •••• 4242');
    expect(textOf(list)).toContain(t('wallet.methods.renewalOn'));
    const off = await buyer.press(list, `pma:${method!.id}:n`);
    expect(textOf(off)).toContain(t('wallet.methods.renewalOff'));
    expect((await shop.kit.payments.savedMethods(customerId))[0]!.allowRenewal).toBe(false);
    const removed = await buyer.press(off, `pmr:${method!.id}`);
    expect(textOf(removed)).toContain(t('wallet.methods.none'));
    expect(await shop.kit.payments.savedMethods(customerId)).toEqual([]);
  });
});
