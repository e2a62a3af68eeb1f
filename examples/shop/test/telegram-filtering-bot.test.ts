/**
 * The shop's bots filter updates with the predicate called directly (`telegram/filtering-bot.ts`), not through
 * grammY's per-update `branch`/`lazy`: the same handlers must run, in the same order, with the same fall-through, as
 * on grammY's own `Bot`, for every kind of filter the shop registers (commands, buttons by string and pattern, text,
 * update kinds, nested filters such as the admins' composer, async predicates and `drop`), and a failing predicate
 * must still fail the update.
 */
import { Bot, Composer, type Context } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FilteringBot } from '../src/telegram/filtering-bot.js';

const ME: UserFromGetMe = {
  id: 1,
  is_bot: true,
  first_name: 'shop',
  username: 'shop_bot',
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
} as UserFromGetMe;

const ADMIN = 7;
const chat = (id: number) => ({ id, type: 'private' as const, first_name: 'u' });
const from = (id: number) => ({ id, is_bot: false, first_name: 'u' });
const message = (userId: number, text: string): Update => ({
  update_id: 1,
  message: {
    message_id: 1,
    date: 0,
    chat: chat(userId),
    from: from(userId),
    text,
    ...(text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] } : {}),
  },
});
const tap = (userId: number, data: string): Update => ({
  update_id: 2,
  callback_query: {
    id: 'q',
    from: from(userId),
    chat_instance: 'c',
    data,
    message: { message_id: 1, date: 0, chat: chat(userId), text: 'menu' },
  } as Update['callback_query'],
});

/** The shop's shapes of registration, each handler recording its name; some pass the update on with `next`. */
function register(bot: Composer<Context>, ran: string[]): void {
  bot.use(async (_ctx, next) => {
    ran.push('first');
    await next();
  });
  const admins = bot.filter((ctx) => ctx.from?.id === ADMIN);
  admins.command('stats', () => void ran.push('admin /stats'));
  admins.callbackQuery(/^as:(\w+)$/, () => void ran.push('admin as'));
  admins.on('message:text', async (_ctx, next) => {
    ran.push('admin text, passes on');
    await next();
  });
  bot.callbackQuery(/^(as|ad):/, () => void ran.push('not yours'));
  bot.command('start', () => void ran.push('/start'));
  bot.callbackQuery('cat', () => void ran.push('catalog'));
  bot.callbackQuery(/^p:(\w+)$/, (ctx) => void ran.push(`plan ${ctx.match[1]}`));
  bot.filter(
    async (ctx) => (await Promise.resolve(ctx.callbackQuery?.data)) === 'slow',
    () => void ran.push('async predicate'),
  );
  bot.drop(
    (ctx) => ctx.callbackQuery?.data !== 'kept',
    () => void ran.push('drop kept'),
  );
  bot.hears(/^hello/i, async (_ctx, next) => {
    ran.push('hears hello, passes on');
    await next();
  });
  bot.on('callback_query', () => void ran.push('stale button'));
  bot.on('message', () => void ran.push('menu hint'));
}

async function handled(bot: Bot<Context>, update: Update): Promise<string[]> {
  const ran: string[] = [];
  register(bot, ran);
  await bot.handleUpdate(update);
  return ran;
}

const UPDATES: Array<[string, Update]> = [
  ['a buyer taps a plan', tap(2, 'p:basic')],
  ['a buyer taps the catalog', tap(2, 'cat')],
  ["a buyer taps an admin's button", tap(2, 'as:x')],
  ["an admin taps an admin's button", tap(ADMIN, 'as:x')],
  ['a button answered by an async predicate', tap(2, 'slow')],
  ['a button answered through drop', tap(2, 'kept')],
  ['an unknown button', tap(2, 'zzz')],
  ['a buyer sends /start', message(2, '/start')],
  ['a buyer sends /stats', message(2, '/stats')],
  ['an admin sends /stats', message(ADMIN, '/stats')],
  ['an admin says hello', message(ADMIN, 'Hello there')],
  ['a buyer says hello', message(2, 'hello')],
];

describe("the shop's filtering bot", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(UPDATES)('runs what grammY runs: %s', async (_name, update) => {
    const expected = await handled(new Bot<Context>('1:t', { botInfo: ME }), update);
    const actual = await handled(new FilteringBot<Context>('1:t', { botInfo: ME }), update);
    expect(expected.length).toBeGreaterThan(1);
    expect(actual).toEqual(expected);
  });

  it('registers its filters without grammY’s per-update branch', () => {
    const branch = vi.spyOn(Composer.prototype, 'branch');
    register(new FilteringBot<Context>('1:t', { botInfo: ME }), []);
    expect(branch).not.toHaveBeenCalled();
    register(new Bot<Context>('1:t', { botInfo: ME }), []);
    expect(branch).toHaveBeenCalled();
  });

  it('fails the update when a predicate throws, sync or async', async () => {
    for (const predicate of [
      () => {
        throw new Error('sync refusal');
      },
      () => Promise.reject(new Error('async refusal')),
    ]) {
      const bot = new FilteringBot<Context>('1:t', { botInfo: ME });
      const after = vi.fn();
      bot.filter(predicate, () => undefined);
      bot.use(after);
      await expect(bot.handleUpdate(tap(2, 'cat'))).rejects.toThrow(/refusal/);
      expect(after).not.toHaveBeenCalled();
    }
  });
});
