/**
 * The shop's bots run only the registrations an update can reach (`telegram/filtering-bot.ts`: a tap meets the
 * handlers of its button's action, a command those of its name), with predicates called directly, not through
 * grammY's per-update `branch`/`lazy`: the same handlers must run, in the same order, with the same fall-through, as
 * on grammY's own `Bot`, for every kind of filter the shop registers (commands, buttons by string, pattern and list,
 * text, update kinds, nested filters such as the admins' composer, async predicates and `drop`), and a failing
 * predicate must still fail the update.
 */
import { Bot, Composer, type Context } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FilteringBot } from '../src/telegram/filtering-bot.js';
import { literalPrefixes } from '../src/telegram/update-keys.js';

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
  bot.callbackQuery(/^(tsq|tsv:|af$)/, () => void ran.push('queue or view'));
  bot.callbackQuery(['ref', 'gft', /^xs:/], () => void ran.push('owner only'));
  bot.callbackQuery(/^lang:(en|ru)$/, (ctx) => void ran.push(`language ${ctx.match[1]}`));
  bot.callbackQuery(/^CAT$/i, () => void ran.push('catalog, any case'));
  bot.callbackQuery(/^ab?c:/, () => void ran.push('ac or abc'));
  bot
    .use(async (_ctx, next) => {
      ran.push('a used composer');
      await next();
    })
    .callbackQuery('nested', () => void ran.push('nested in a used composer'));
  bot.on('pre_checkout_query', () => void ran.push('pre-checkout'));
  bot.on(':caption', () => void ran.push('a caption'));
  bot.on('callback_query', () => void ran.push('stale button'));
  bot.on('message', () => void ran.push('menu hint'));
  bot.use(() => void ran.push('last'));
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
  ["an admin's queue by a prefix alone", tap(ADMIN, 'tsq')],
  ['a button past that prefix', tap(ADMIN, 'tsqx:1')],
  ['an exact alternative', tap(2, 'af')],
  ['past an exact alternative', tap(2, 'afx')],
  ['a button from a list', tap(2, 'gft')],
  ['a pattern from a list', tap(2, 'xs:100')],
  ['a language', tap(2, 'lang:ru')],
  ['a case-insensitive pattern', tap(2, 'cAt')],
  ['a quantified literal, without', tap(2, 'ac:1')],
  ['a quantified literal, with', tap(2, 'abc:1')],
  ['a button in a used composer', tap(2, 'nested')],
  ['a game button (no data)', { update_id: 3, callback_query: { id: 'g', from: from(2), chat_instance: 'c', game_short_name: 'g' } }],
  ['a command to this bot by name', message(ADMIN, '/stats@shop_bot now')],
  ['a command to another bot', message(ADMIN, '/stats@other_bot')],
  [
    'a command in a channel post',
    { update_id: 4, channel_post: { ...message(2, '/start').message!, chat: { id: -1, type: 'channel', title: 'c' } } } as Update,
  ],
  ['a command not registered', message(2, '/nothing')],
  [
    'a photo with a caption',
    { update_id: 5, message: { message_id: 1, date: 0, chat: chat(2), from: from(2), photo: [], caption: 'hi' } } as Update,
  ],
  [
    'a pre-checkout query',
    { update_id: 6, pre_checkout_query: { id: 'p', from: from(2), currency: 'XTR', total_amount: 1, invoice_payload: 'x' } },
  ],
  ['an edited message', { update_id: 7, edited_message: { ...message(2, 'hello').message!, edit_date: 1 } } as Update],
];

describe("the shop's filtering bot", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(UPDATES)('runs what grammY runs: %s', async (_name, update) => {
    const expected = await handled(new Bot<Context>('1:t', { botInfo: ME }), update);
    const actual = await handled(new FilteringBot<Context>('1:t', { botInfo: ME }), update);
    expect(expected.length).toBeGreaterThan(1);
    expect(actual).toEqual(expected);
    // And again on the same bot: the second update of a key runs from the list kept for it.
    const bot = new FilteringBot<Context>('1:t', { botInfo: ME });
    const ran: string[] = [];
    register(bot, ran);
    await bot.handleUpdate(update);
    ran.length = 0;
    await bot.handleUpdate(update);
    expect(ran).toEqual(expected);
  });

  it("tries a tap on its action's patterns only, and asks no filter with nothing for it", async () => {
    const tried: string[] = [];
    const counted = (source: string): RegExp => {
      const pattern = new RegExp(source);
      const match = pattern[Symbol.match].bind(pattern);
      Object.defineProperty(pattern, Symbol.match, { value: (text: string) => (tried.push(source), match(text)) });
      return pattern;
    };
    const bot = new FilteringBot<Context>('1:t', { botInfo: ME });
    const asked = vi.fn((ctx: Context) => ctx.from?.id === ADMIN);
    const admins = bot.filter(asked);
    for (let i = 0; i < 5; i++) admins.callbackQuery(counted(`^adm${i}:(\\w+)$`), () => undefined);
    for (let i = 0; i < 20; i++) bot.callbackQuery(counted(`^x${i}:(\\w+)$`), () => undefined);
    const plan = vi.fn();
    bot.callbackQuery(counted('^p:(\\w+)$'), plan);
    await bot.handleUpdate(tap(2, 'p:basic'));
    expect(plan).toHaveBeenCalledOnce();
    expect(tried).toEqual(['^p:(\\w+)$']);
    expect(asked).not.toHaveBeenCalled();
    await bot.handleUpdate(tap(ADMIN, 'adm3:x'));
    expect(asked).toHaveBeenCalledOnce();
    expect(tried.slice(1)).toEqual(['^adm3:(\\w+)$']);
  });

  it('takes registrations made after an update into the lists it kept', async () => {
    const bot = new FilteringBot<Context>('1:t', { botInfo: ME });
    const admins = bot.filter((ctx) => ctx.from?.id === ADMIN);
    const stale = vi.fn();
    bot.on('callback_query', stale);
    await bot.handleUpdate(tap(ADMIN, 'late:1'));
    expect(stale).toHaveBeenCalledOnce();
    // Registered into a composer already in the bot's list: the bot's kept list for `late` must see it.
    const late = vi.fn();
    admins.callbackQuery(/^late:/, late);
    await bot.handleUpdate(tap(ADMIN, 'late:1'));
    expect(late).toHaveBeenCalledOnce();
    expect(stale).toHaveBeenCalledOnce();
  });

  it('refuses a second call of next, as grammY does', async () => {
    for (const bot of [new Bot<Context>('1:t', { botInfo: ME }), new FilteringBot<Context>('1:t', { botInfo: ME })]) {
      const after = vi.fn();
      bot.use(async (_ctx, next) => {
        await next();
        await next();
      });
      bot.use(after);
      await expect(bot.handleUpdate(tap(2, 'cat'))).rejects.toThrow(/next. already called/);
      expect(after).toHaveBeenCalledOnce();
    }
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

describe("a button pattern's literal prefixes", () => {
  it.each<[RegExp, string[] | null]>([
    [/^loc:(\d{1,3})$/, ['loc:']],
    [/^(adv|adr):/, ['adv', 'adr']],
    [/^(?:tsq|tsv:|af$)/, ['tsq', 'tsv:', 'af']],
    [/^ab?c:/, ['a']],
    [/^(ab|cd)?:/, null],
    [/^ab|cd/, null],
    [/^a[|]b/, ['a']],
    [/^cat$/i, null],
    [/^cat$/m, null],
    [/cat/, null],
    [/^\d+/, null],
  ])('%s', (pattern, prefixes) => {
    expect(literalPrefixes(pattern)).toEqual(prefixes);
  });
});
