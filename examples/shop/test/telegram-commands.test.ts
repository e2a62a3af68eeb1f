/**
 * The bot's command lists (issue 44): Telegram is given the buyer's commands for everyone and the staff's only in
 * the staff's chats, in every catalog language, once per change across restarts and replicas; every command a
 * text names exists and does what the text says (`/receipts` lists the receipts queue).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCALES, loadCatalog, translator, type Locale } from '../src/i18n/translate.js';
import { BUYER_COMMANDS, STAFF_COMMANDS, syncBotCommands } from '../src/telegram/commands.js';
import { ADMIN_TELEGRAM_ID, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

describe('the bot’s command lists', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s?.close());

  const listed = async (scope: object, language?: Locale) =>
    (await s.shopBot.bot.api.getMyCommands({ scope: scope as never, ...(language === undefined ? {} : { language_code: language }) })).map(
      (c) => c.command,
    );

  it('gives buyers their commands and staff theirs only in staff chats, in every language, at start', async () => {
    const staffChat = { type: 'chat', chat_id: ADMIN_TELEGRAM_ID };
    expect(await listed({ type: 'default' })).toEqual([...BUYER_COMMANDS]);
    expect(await listed(staffChat)).toEqual([...BUYER_COMMANDS, ...STAFF_COMMANDS]);
    for (const locale of LOCALES) {
      expect(await listed({ type: 'default' }, locale)).toEqual([...BUYER_COMMANDS]);
      expect(await listed(staffChat, locale)).toContain('receipts');
      const fa = await s.shopBot.bot.api.getMyCommands({ scope: { type: 'default' }, language_code: locale });
      expect(fa[0]?.description).toBe(translator(locale)('telegram.commands.start'));
    }
  });

  it('names in its texts only commands it has', () => {
    const offered = new Set<string>([...BUYER_COMMANDS, ...STAFF_COMMANDS]);
    for (const locale of LOCALES) {
      const named = JSON.stringify(loadCatalog(locale)).match(/(?<![\w/.:])\/[a-z_]{3,}\b/g) ?? [];
      for (const command of named) expect(offered, `${locale}: ${command}`).toContain(command.slice(1));
    }
  });

  it('answers /receipts in a staff chat with the receipts queue', async () => {
    const admin = new TelegramUser(s.fake, s.t.clock, ADMIN_TELEGRAM_ID);
    const reply = await admin.send(admin.message('/receipts'));
    expect(textOf(reply)).toBe(translator('en')('telegram.receipts.none'));
  });

  it('calls Telegram again only when the lists change, and takes a former admin’s lists away', async () => {
    const { shop, clock } = s.t;
    const log = shop.logger;
    const since = s.fake.calls.length;
    expect(await syncBotCommands(shop, s.shopBot.bot.api, [String(ADMIN_TELEGRAM_ID)], clock.now(), log)).toBe(false);
    expect(s.fake.callsSince(since)).toHaveLength(0);
    expect(await syncBotCommands(shop, s.shopBot.bot.api, ['9002'], clock.now(), log)).toBe(true);
    expect(await listed({ type: 'chat', chat_id: ADMIN_TELEGRAM_ID })).toEqual([]);
    expect(await listed({ type: 'chat', chat_id: 9002 })).toContain('receipts');
    const again = s.fake.calls.length;
    expect(await syncBotCommands(shop, s.shopBot.bot.api, ['9002'], clock.now(), log)).toBe(false);
    expect(s.fake.callsSince(again)).toHaveLength(0);
  });
});
