/**
 * One send policy for everything the bot sends from a job (issue 44): a 400 or 403 is final for the message (the
 * delivery fails at once with Telegram's reason, no retry, no dead job), a blocked or unknown chat gets nothing
 * more until it writes, and only a 429 (after `retry_after`) and a 5xx are retried, by the job.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopChannels } from '../src/stack/notification-channels.js';
import { notificationJobs } from '../src/app/notifications/notification-jobs.js';
import { writeNotification, type NewNotification } from '../src/db/notifications.js';
import { deliveriesOf } from '../src/db/notification-deliveries.js';
import { TelegramUnreachableChats } from '../src/db/telegram-unreachable.js';
import { ADMIN_TELEGRAM_ID, startBotShop, TelegramUser, type BotShop } from './support/telegram-driver.js';

describe('Telegram send policy', () => {
  let s: BotShop;
  let deliver: () => Promise<number>;
  let sources = 0;
  // The shop's log (pino's JSON lines), as an operator's log shipper reads it.
  const logLines: string[] = [];
  beforeAll(async () => {
    s = await startBotShop({ logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }) });
    const channels = shopChannels(s.t.shop);
    deliver = s.t.shop.kit.createWorker({ hostJobs: [...s.t.shop.hostJobs, ...notificationJobs(s.t.shop, channels.list)] }).drain;
  });
  afterAll(() => s?.close());

  async function notify(recipient: NewNotification['recipient']): Promise<string> {
    const source = `test:send-policy:${++sources}`;
    const n: NewNotification =
      recipient.kind === 'staff'
        ? { recipient, kind: 'panel_down', source, params: { panelId: 'pnl_x', panel: 'Frankfurt', error: 'timeout' } }
        : { recipient, kind: 'refund', source, params: { amount: 100, currency: 'USD', reason: 'by_shop', note: '' } };
    await s.t.shop.storage.transaction((tx) => writeNotification(tx, s.t.shop.shopSchema, s.t.clock.now(), n));
    const { rows } = await s.t.shop.db.query<{ id: string }>(`SELECT id FROM ${s.t.shop.shopSchema}.notifications WHERE source = $1`, [
      source,
    ]);
    return rows[0]!.id;
  }
  const sendsTo = (chatId: number, since: number) =>
    s.fake.callsSince(since, 'sendMessage').filter((c) => Number(c.params['chat_id']) === chatId);
  const deadJobs = async () => (await s.t.shop.storage.jobs.list({ state: 'dead' }, { limit: 100 })).items.length;
  const later = async (ms: number) => {
    s.t.clock.advance(ms);
    await deliver();
  };

  it('fails a staff alert to an unknown chat once: the reason kept, no retry, no dead job', async () => {
    const dead = await deadJobs();
    const since = s.fake.calls.length;
    s.fake.failNext('sendMessage', { code: 400, description: 'Bad Request: chat not found' });
    const id = await notify({ kind: 'staff' });
    await deliver();
    const [delivery] = await deliveriesOf(s.t.shop).ofNotification(id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastError: '400 Bad Request: chat not found' });
    await later(24 * 3_600_000);
    expect(sendsTo(ADMIN_TELEGRAM_ID, since)).toHaveLength(1);
    expect(await deadJobs()).toBe(dead);
    // The chat is marked: the next alert is not even addressed to it, until the admin writes to the bot.
    const next = await notify({ kind: 'staff' });
    await deliver();
    expect(await deliveriesOf(s.t.shop).ofNotification(next)).toHaveLength(0);
    const admin = new TelegramUser(s.fake, s.t.clock, ADMIN_TELEGRAM_ID);
    await admin.send(admin.message('/start'));
    const afterWrite = await notify({ kind: 'staff' });
    await deliver();
    expect((await deliveriesOf(s.t.shop).ofNotification(afterWrite))[0]?.status).toBe('sent');
  });

  it('sends a buyer who blocked the bot nothing more until they write to it', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 7601);
    await buyer.send(buyer.message('/start'));
    const customerId = (await s.shopBot.links.byTelegramUser('7601'))!.customerId;
    const since = s.fake.calls.length;
    s.fake.failNext('sendMessage', { code: 403, description: 'Forbidden: bot was blocked by the user' });
    const first = await notify({ kind: 'customer', customerId });
    await deliver();
    expect((await deliveriesOf(s.t.shop).ofNotification(first))[0]).toMatchObject({
      status: 'failed',
      lastError: '403 Forbidden: bot was blocked by the user',
    });
    await notify({ kind: 'customer', customerId });
    await later(3_600_000);
    expect(sendsTo(7601, since)).toHaveLength(1);
    // A broadcast skips the marked chat too.
    const before = s.fake.calls.length;
    await s.shopBot.broadcasts.create({
      key: 'policy-broadcast',
      text: 'News',
      createdBy: 'test',
      exceptUsers: [String(ADMIN_TELEGRAM_ID)],
    });
    await s.shopBot.sendBroadcasts();
    expect(sendsTo(7601, before)).toHaveLength(0);
    await buyer.send(buyer.message('hello'));
    const afterWrite = s.fake.calls.length;
    await notify({ kind: 'customer', customerId });
    await deliver();
    expect(sendsTo(7601, afterWrite)).toHaveLength(1);
  });

  it('refuses a delivery to a chat marked after it was written without a call, keeping its key free for a send again', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 7602);
    await buyer.send(buyer.message('/start'));
    const link = (await s.shopBot.links.byTelegramUser('7602'))!;
    const source = `test:send-policy:${++sources}`;
    const notice: NewNotification = {
      recipient: { kind: 'customer', customerId: link.customerId },
      kind: 'refund',
      source,
      params: { amount: 100, currency: 'USD', reason: 'by_shop', note: '' },
    };
    await s.t.shop.storage.transaction((tx) =>
      writeNotification(tx, s.t.shop.shopSchema, s.t.clock.now(), notice, [{ channel: 'telegram', address: link.chatId }]),
    );
    await new TelegramUnreachableChats(s.t.shop.db, s.t.shop.shopSchema, s.t.clock).mark(
      link.chatId,
      '403 Forbidden: bot was blocked by the user',
    );
    const since = s.fake.calls.length;
    await deliver();
    const { rows } = await s.t.shop.db.query<{ id: string }>(`SELECT id FROM ${s.t.shop.shopSchema}.notifications WHERE source = $1`, [
      source,
    ]);
    const [delivery] = await deliveriesOf(s.t.shop).ofNotification(rows[0]!.id);
    expect(delivery).toMatchObject({ status: 'failed', lastError: '403 Forbidden: bot was blocked by the user' });
    expect(sendsTo(7602, since)).toHaveLength(0);
    // The buyer writes again (the mark goes) and the admin sends it again: it goes out once, under the same key.
    await buyer.send(buyer.message('hello'));
    const afterWrite = s.fake.calls.length;
    expect(await deliveriesOf(s.t.shop).retry(delivery!.id)).toBe(true);
    await deliver();
    await deliver();
    expect(sendsTo(7602, afterWrite)).toHaveLength(1);
    expect((await deliveriesOf(s.t.shop).get(delivery!.id))?.status).toBe('sent');
  });

  it('logs a retried 429 as one info line, without a stack, and nothing at warn', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 7603);
    await buyer.send(buyer.message('/start'));
    const customerId = (await s.shopBot.links.byTelegramUser('7603'))!.customerId;
    const since = logLines.length;
    s.fake.failNext('sendMessage', { code: 429, description: 'Too Many Requests: retry after 30', retryAfter: 30 });
    const id = await notify({ kind: 'customer', customerId });
    await deliver();
    const [delivery] = await deliveriesOf(s.t.shop).ofNotification(id);
    expect(delivery?.status).toBe('pending');
    const written = logLines.slice(since);
    const lines = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line['deliveryId'] === delivery?.id)).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'delivery will be retried later',
        attempt: 1,
        retryAfterMs: 30_000,
        reason: 'Telegram answered 429 Too Many Requests: retry after 30',
      }),
    ]);
    expect(lines.filter((line) => Number(line['level']) >= 40)).toEqual([]);
    expect(written.join('')).not.toMatch(/"stack"|\bat .+:\d+:\d+/);
    // Sent by the retry (retry_after is a floor under the job's backoff).
    await later(3_600_000);
    expect((await deliveriesOf(s.t.shop).ofNotification(id))[0]?.status).toBe('sent');
  });

  /** What the log says from `since` on: the lines about one thing, and that nothing was written at warn or with a stack. */
  function loggedSince(since: number) {
    const written = logLines.slice(since);
    const lines = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => Number(line['level']) >= 40)).toEqual([]);
    expect(written.join('')).not.toMatch(/"stack"|\bat .+:\d+:\d+/);
    return lines;
  }

  it('logs a broadcast run that a 429 sends back to the queue as one info line, without a stack', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 7611);
    await buyer.send(buyer.message('/start'));
    const created = await s.shopBot.broadcasts.create({
      key: 'test:send-policy:broadcast-429',
      text: 'Policy notice',
      createdBy: 'test',
      exceptUsers: [String(ADMIN_TELEGRAM_ID)],
    });
    const since = logLines.length;
    s.fake.failNext('sendMessage', { code: 429, description: 'Too Many Requests: retry after 40', retryAfter: 40 });
    expect(await s.shopBot.sendBroadcasts()).toBe(0);
    expect(loggedSince(since).filter((line) => line['broadcastId'] === created.id)).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'broadcast copies will be retried later',
        retryAfterMs: 40_000,
        reason: 'Telegram answered 429 Too Many Requests: retry after 40',
      }),
    ]);
    s.t.clock.advance(40_000);
    expect(await s.shopBot.sendBroadcasts()).toBe(created.recipients);
  });

  it('logs a daily summary that a 429 sends back to the queue as one info line, without a stack', async () => {
    s.t.clock.advanceDays(1);
    const since = logLines.length;
    s.fake.failNext('sendMessage', { code: 429, description: 'Too Many Requests: retry after 20', retryAfter: 20 });
    expect(await s.shopBot.queueDailySummary()).toBe(true);
    await s.shopBot.sendBroadcasts();
    expect(loggedSince(since).filter((line) => line['msg'] === 'the daily summary will be retried later')).toEqual([
      expect.objectContaining({
        level: 30,
        adminId: String(ADMIN_TELEGRAM_ID),
        retryAfterMs: 20_000,
        reason: 'Telegram answered 429 Too Many Requests: retry after 20',
      }),
    ]);
    const before = s.fake.calls.length;
    s.t.clock.advance(3_600_000);
    await s.shopBot.sendBroadcasts();
    expect(sendsTo(ADMIN_TELEGRAM_ID, before)).toHaveLength(1);
  });

  it('retries a 429 after retry_after, by the job, and a 5xx', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 7602);
    await buyer.send(buyer.message('/start'));
    const customerId = (await s.shopBot.links.byTelegramUser('7602'))!.customerId;
    const since = s.fake.calls.length;
    s.fake.failNext('sendMessage', { code: 429, description: 'Too Many Requests: retry after 120', retryAfter: 120 });
    const id = await notify({ kind: 'customer', customerId });
    await deliver();
    expect(sendsTo(7602, since)).toHaveLength(1); // one call, no in-process wait and retry
    expect((await deliveriesOf(s.t.shop).ofNotification(id))[0]?.status).toBe('pending');
    await later(60_000);
    expect(sendsTo(7602, since)).toHaveLength(1); // not before retry_after
    s.fake.failNext('sendMessage', { code: 502, description: 'Bad Gateway' });
    await later(61_000);
    expect(sendsTo(7602, since)).toHaveLength(2);
    expect((await deliveriesOf(s.t.shop).ofNotification(id))[0]).toMatchObject({
      status: 'pending',
      lastError: expect.stringContaining('502'),
    });
    await later(3_600_000);
    expect(sendsTo(7602, since).map((c) => c.ok)).toEqual([false, false, true]);
    expect((await deliveriesOf(s.t.shop).ofNotification(id))[0]?.status).toBe('sent');
  });
});
