/**
 * The Telegram webhook under overload (issue 50's `bench/rush` at 5 000 buyers a minute): an update that outlives the
 * webhook's wait and then fails must not end the process (grammY's `webhookCallback` left that rejection unhandled);
 * a replica handling as many updates as it may answers one more 503 at once, storing nothing; and a redelivery of
 * an update whose first delivery finished late doubles no purchase and no message.
 */
import type { Update } from 'grammy/types';
import supertest from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { createLogger } from '../src/logging/logger.js';
import { handleUpdate, type ShopBot } from '../src/telegram/bot.js';
import { createApp } from '../src/stack/web-app.js';
import { webhookRouter, type WebhookOptions } from '../src/telegram/webhook.js';
import { planNamed } from './support/buying.js';
import { messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

const SECRET = 'webhook-secret-for-tests-0123';
const en = translator('en');

describe('the Telegram webhook under overload', () => {
  let s: BotShop;
  const logLines: Array<Record<string, unknown>> = [];
  // The shop's own logger (it blanks the secrets the bot registers with it), writing here.
  const logger = createLogger('info', { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
  const unhandled: unknown[] = [];
  const recordUnhandled = (reason: unknown) => void unhandled.push(reason);

  beforeAll(async () => {
    s = await startBotShop({ webhook: true, logger });
  });
  afterAll(() => s.close());
  beforeEach(() => {
    unhandled.length = 0;
    logLines.length = 0;
    process.on('unhandledRejection', recordUnhandled);
  });
  afterEach(() => void process.off('unhandledRejection', recordUnhandled));

  /** The shop's web app with the webhook route built with these options (a short wait, a small bound). */
  const appWith = (options: WebhookOptions) => {
    const telegram: ShopBot = {
      ...s.shopBot,
      webhookRoutes: () => webhookRouter(s.shopBot.bot, '/telegram/webhook', SECRET, s.t.shop.logger, options),
    };
    return createApp(s.t.shop, { telegram });
  };
  /**
   * The webhook as deployed, waiting far longer than any update here takes on a busy machine: the posts that must be
   * handled go here, so only the posts a test holds on purpose outlive a wait (no outcome rests on the machine's speed).
   */
  const patientApp = () => appWith({ maxUpdates: 10, timeoutMs: 120_000 });
  const post = (app: ReturnType<typeof createApp>, update: Update) =>
    supertest(app).post('/telegram/webhook').set('X-Telegram-Bot-Api-Secret-Token', SECRET).send(update);
  const claimed = async (updateId: number) =>
    (await s.t.shop.db.query(`SELECT 1 FROM ${s.t.shop.shopSchema}.telegram_updates WHERE update_id = $1`, [updateId])).rows.length > 0;
  const lateFailures = () => logLines.filter((l) => l['msg'] === 'a Telegram update failed after its webhook request was answered');
  /** Lets every settled promise's handlers run, so an unhandled rejection would have been reported. */
  const settle = async () => {
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  };
  /** Waits for `done`, failing after a minute (a bound for a stuck test, not a measure of speed). */
  const waitUntil = async (what: string, done: () => boolean) => {
    const deadline = Date.now() + 60_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`never: ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('lives through an update that outlives the wait and then fails: logged once, without the token, and the next update served', async () => {
    const app = appWith({ maxUpdates: 10, timeoutMs: 200 });
    const first = new TelegramUser(s.fake, s.t.clock, 8101);
    const update = first.message('/start');
    const held = s.fake.holdNext('sendMessage');
    // The welcome is held past the wait: the request is answered 503 (Telegram delivers it again later).
    const answer = await post(app, update);
    expect(answer.status).toBe(503);
    // Then the Bot API drops the connection: the update fails after its request was answered.
    held.release('hangUp');
    await waitUntil('the late failure is logged', () => lateFailures().length > 0);
    await settle();
    expect(unhandled).toEqual([]);
    expect(lateFailures()).toHaveLength(1);
    expect(lateFailures()[0]?.['updateId']).toBe(update.update_id);
    expect(JSON.stringify(logLines)).not.toContain(s.fake.token);

    // The welcome may have reached the user: the redelivery finds the update handled, and sends nothing again.
    const sentBefore = s.fake.calls.filter((c) => c.method === 'sendMessage').length;
    const patient = patientApp();
    expect((await post(patient, update)).status).toBe(200);
    expect(s.fake.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(sentBefore);

    // The process goes on: the next update is handled.
    const next = new TelegramUser(s.fake, s.t.clock, 8102);
    expect((await post(patient, next.message('/start'))).status).toBe(200);
    expect(s.fake.calls.some((c) => c.ok && c.method === 'sendMessage' && Number(c.params['chat_id']) === next.id)).toBe(true);
  });

  it('answers a redelivery of an update still running 503, and hands it over once the first delivery gave it back', async () => {
    const app = appWith({ maxUpdates: 10, timeoutMs: 200 });
    const user = new TelegramUser(s.fake, s.t.clock, 8151);
    const update = user.message('/start');
    const held = s.fake.holdNext('sendMessage');
    expect((await post(app, update)).status).toBe(503);
    // Still running: the redelivery waits (503), doing nothing.
    const callsBefore = s.fake.calls.length;
    expect((await post(app, update)).status).toBe(503);
    expect(s.fake.calls.length).toBe(callsBefore);
    // Telegram refuses the welcome (`ok: false`: nothing was shown): the update fails late and is given back.
    held.release({ code: 400, description: "Bad Request: can't parse entities" });
    await waitUntil('the late failure is logged', () => lateFailures().length > 0);
    expect(await claimed(update.update_id)).toBe(false);
    const patient = patientApp();
    expect((await post(patient, update)).status).toBe(200);
    // Nothing lost, nothing doubled: the one welcome sent is the redelivery's.
    const welcomes = s.fake.calls.filter((c) => c.method === 'sendMessage' && Number(c.params['chat_id']) === user.id);
    expect(welcomes.map((c) => c.ok)).toEqual([false, true]);
    expect((await post(patient, update)).status).toBe(200);
    expect(s.fake.calls.filter((c) => c.method === 'sendMessage' && Number(c.params['chat_id']) === user.id)).toHaveLength(2);
  });

  it('answers one update more than it may handle at once 503 at once, storing nothing, and handles it when delivered again', async () => {
    const app = appWith({ maxUpdates: 2 });
    const busy = [new TelegramUser(s.fake, s.t.clock, 8201), new TelegramUser(s.fake, s.t.clock, 8202)];
    const holds = busy.map(() => s.fake.holdNext('sendMessage'));
    const running = busy.map((user) => post(app, user.message('/start')).then((r) => r.status));
    await Promise.all(holds.map((h) => h.arrived));

    const extra = new TelegramUser(s.fake, s.t.clock, 8203);
    const update = extra.message('/start');
    const callsBefore = s.fake.calls.length;
    const shed = await post(app, update);
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBe('1');
    // Nothing changed by it: no claim, no customer, no Bot API call.
    expect(await claimed(update.update_id)).toBe(false);
    expect(await s.t.shop.storage.customers.getByExternalRef(`telegram:${extra.id}`)).toBeNull();
    expect(s.fake.calls.length).toBe(callsBefore);
    // Said once in aggregate, not as an error line per shed request (that would be load of its own).
    expect(logLines.filter((l) => l['msg'] === 'the Telegram webhook is overloaded: updates answered 503')).toHaveLength(1);
    expect(logLines.filter((l) => (l['res'] as { statusCode?: number } | undefined)?.statusCode === 503 && l['level'] !== 20)).toEqual([]);

    for (const h of holds) h.release();
    expect(await Promise.all(running)).toEqual([200, 200]);
    // Delivered again with room: handled.
    expect((await post(app, update)).status).toBe(200);
    expect(await s.t.shop.storage.customers.getByExternalRef(`telegram:${extra.id}`)).not.toBeNull();
    expect(s.fake.calls.filter((c) => c.method === 'sendMessage' && Number(c.params['chat_id']) === extra.id)).toHaveLength(1);
  });

  it('charges and answers once when a buy tap finishes late and fails, and Telegram delivers it again', async () => {
    const app = appWith({ maxUpdates: 10, timeoutMs: 200 });
    const patient = patientApp();
    const buyer = new TelegramUser(s.fake, s.t.clock, 8301);
    expect((await post(patient, buyer.message('/start'))).status).toBe(200);
    const customer = await s.t.shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`);
    if (customer === null) throw new Error('no customer for the Telegram user');
    await s.t.shop.kit.topUp({ customerId: customer.id, amount: { amount: 2000, currency: 'USD' }, idempotencyKey: `t:${customer.id}` });
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    let since = s.fake.calls.length;
    expect((await post(patient, buyer.tap(`p:${plan.id}`, 1))).status).toBe(200);
    const quote = s.fake.callsSince(since, 'sendMessage')[0];
    if (quote === undefined) throw new Error('no quote');

    since = s.fake.calls.length;
    const tap = buyer.tap(`b:${plan.id}`, messageIdOf(quote));
    const held = s.fake.holdNext('sendMessage');
    // The checkout commits, "ordered" is held past the wait (503), then lost on the way (it may have arrived).
    expect((await post(app, tap)).status).toBe(503);
    held.release('hangUp');
    await waitUntil('the late failure is logged', () => lateFailures().length > 0);
    expect((await post(patient, tap)).status).toBe(200);
    await settle();

    const orders = await s.t.shop.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${s.t.config.schema}".orders WHERE customer_id = $1`,
      [customer.id],
    );
    expect(orders.rows[0]?.n).toBe(1);
    expect(await s.t.shop.storage.ledger.balance(customer.id, 'USD')).toBe(2000 - plan.price.amount);
    // One "ordered" attempted (the one lost on the way), no "already ordered" after it, the button answered once: at
    // the Bot API, since the request was answered 503 (no webhook reply rides on that).
    expect(s.fake.callsSince(since, 'sendMessage').map(textOf)).toEqual([en('telegram.catalog.ordered')]);
    const answered = s.fake
      .callsSince(since, 'answerCallbackQuery')
      .filter((c) => c.params['callback_query_id'] === tap.callback_query?.id);
    expect(answered).toHaveLength(1);
    expect(unhandled).toEqual([]);
  });

  it('answers a button in the webhook reply: no Bot API call for it, and the reply comes once', async () => {
    const app = appWith({ maxUpdates: 10 });
    const buyer = new TelegramUser(s.fake, s.t.clock, 8502);
    expect((await post(app, buyer.message('/start'))).status).toBe(200);
    const since = s.fake.calls.length;
    const tap = buyer.tap('cat', 1);
    const answer = await post(app, tap);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('application/json');
    expect(JSON.parse(answer.text)).toEqual({ method: 'answerCallbackQuery', callback_query_id: tap.callback_query?.id });
    expect(s.fake.callsSince(since, 'answerCallbackQuery')).toEqual([]);
    expect(s.fake.callsSince(since, 'sendMessage').map(textOf)).toEqual([en('telegram.catalog.chooseLocation')]);
    // An update with no button to answer is answered with an empty 200.
    const message = await post(app, buyer.message('hello'));
    expect(message.status).toBe(200);
    expect(message.text).toBe('');
  });

  it('goes on when the answer to a button is lost on the way: the reply still comes, once', async () => {
    // Outside a webhook request (long polling; or the request answered 503 first) the answer is a Bot API call.
    const buyer = new TelegramUser(s.fake, s.t.clock, 8501);
    await handleUpdate(s.shopBot, buyer.message('/start'));
    const since = s.fake.calls.length;
    const held = s.fake.holdNext('answerCallbackQuery');
    const handled = handleUpdate(s.shopBot, buyer.tap('cat', 1));
    await held.arrived;
    held.release('hangUp');
    await handled;
    expect(s.fake.callsSince(since, 'sendMessage').map(textOf)).toEqual([en('telegram.catalog.chooseLocation')]);
  });

  it('gives back an update that failed before anything reached the user: its redelivery is handled', async () => {
    const app = appWith({ maxUpdates: 10 });
    const user = new TelegramUser(s.fake, s.t.clock, 8401);
    const update = user.message('/start');
    // Refused by Telegram (`ok: false`): nothing was sent.
    s.fake.failNext('sendMessage', { code: 400, description: "Bad Request: can't parse entities" });
    expect((await post(app, update)).status).toBe(500);
    expect(await claimed(update.update_id)).toBe(false);
    expect((await post(app, update)).status).toBe(200);
    expect(s.fake.calls.filter((c) => c.ok && c.method === 'sendMessage' && Number(c.params['chat_id']) === user.id)).toHaveLength(1);
  });
});
