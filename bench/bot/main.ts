/**
 * bench/bot: the handler chain every tap passes in a shop's bot, beside grammY's own, in one run and one process.
 *
 * On grammY's `Bot` a tap passes the bot's handlers one after another until its own (40 to 90 in the shop); the shop's
 * `FilteringBot` (`telegram/filtering-bot.ts`) runs only those its button's action can reach. The same registrations
 * (an admins' filter holding 20 button handlers, 60 buttons and 12 commands, then the tapped button's handler) on
 * grammY's `Bot` and on `FilteringBot`, alternated round by round; CPU an update
 * inside an `AsyncLocalStorage` scope, as the shop's transaction scopes keep one enabled (its promise hooks are part
 * of what a chain of promises costs on Node 20).
 *
 *   node --conditions=@panelkit/source --import tsx bench/bot/main.ts [--rounds 6] [--updates 10000]
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { parseArgs } from 'node:util';
import { Bot, Context, type Composer } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { FilteringBot } from '../../examples/shop/src/telegram/filtering-bot.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '6' }, updates: { type: 'string', default: '10000' } } });
const ROUNDS = Number(values.rounds);
const N = Number(values.updates);

const ME = { id: 1, is_bot: true, first_name: 'shop', username: 'shop_bot' } as UserFromGetMe;
const TAP: Update = {
  update_id: 1,
  callback_query: {
    id: 'q',
    from: { id: 2, is_bot: false, first_name: 'u' },
    chat_instance: 'c',
    data: 'p:basic',
    message: { message_id: 1, date: 0, chat: { id: 2, type: 'private', first_name: 'u' }, text: 'plans' },
  } as Update['callback_query'],
};

function registered(bot: Composer<Context>, hit: () => void): void {
  const admins = bot.filter((ctx) => ctx.from?.id === 7);
  for (let i = 0; i < 20; i++) admins.callbackQuery(new RegExp(`^adm${i}:(\\w+)$`), () => undefined);
  for (let i = 0; i < 60; i++) {
    bot.callbackQuery(new RegExp(`^x${i}:(\\w+)$`), () => undefined);
    if (i % 5 === 0) bot.command(`c${i}`, () => undefined);
  }
  bot.callbackQuery(/^p:(\w+)$/, hit);
}

/**
 * One scope for the whole run: on Node 20 every `AsyncLocalStorage` ever run stays in the promise hooks' list, so one a
 * figure would make each figure dearer than the last.
 */
const scope = new AsyncLocalStorage<number>();

/** CPU µs an update through `make()`'s chain, {@link N} updates in a row. */
async function chainCpu(make: () => Bot<Context>): Promise<number> {
  const bot = make();
  let hits = 0;
  registered(bot, () => void hits++);
  const chain = bot.middleware();
  const before = process.cpuUsage();
  for (let i = 0; i < N; i++) await scope.run(i, () => chain(new Context(TAP, bot.api, ME), () => Promise.resolve()));
  const used = process.cpuUsage(before);
  if (hits !== N) throw new Error(`the tapped handler ran ${hits} times of ${N}`);
  return (used.user + used.system) / N;
}

const grammy = () => new Bot<Context>('1:t', { botInfo: ME });
const filtering = () => new FilteringBot<Context>('1:t', { botInfo: ME });
// The first round of each is the JIT's.
await chainCpu(grammy);
await chainCpu(filtering);
console.log(`CPU µs an update, ${N} updates a figure; node ${process.version}`);
console.log('round | grammY Bot | FilteringBot | ratio');
for (let round = 1; round <= ROUNDS; round++) {
  const [a, b] = [await chainCpu(grammy), await chainCpu(filtering)];
  console.log(`${round} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)}`);
}
