/**
 * A Telegram buyer's notice is sent by the event's notices job itself, right after the transaction that writes it and
 * its delivery commits (issue 93: no send job, its claim, read and completion for the usual case), and still at most
 * once and never lost: a send Telegram did not take is queued as a send job (a 429 due at its `retry_after`), and a job
 * that dies after its commit, before or after Telegram took the message, leaves its notice to its next run, which
 * queues the delivery's send job (the `telegram_sent` claim keeps a message taken from going twice).
 */
import type { HostJobContext } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { shopChannels, type ShopChannels } from '../src/stack/notification-channels.js';
import { EVENT_NOTICES_TYPE, eventNoticesJob } from '../src/app/notifications/event-notices.js';
import { fanOutTargets } from '../src/app/notifications/fan-out-targets.js';
import type { Deliverer } from '../src/app/notifications/deliver.js';
import { deliveriesOf, type Delivery } from '../src/db/notification-deliveries.js';
import { deliveryJobType } from '../src/db/notification-outbox.js';
import { notificationsOf } from '../src/db/notifications.js';
import { TelegramUnreachableChats } from '../src/db/telegram-unreachable.js';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';
import { planNamed } from './support/buying.js';
import { startBotShop, TelegramUser, type BotShop } from './support/telegram-driver.js';

describe("a Telegram notice sent by its event's notices job", () => {
  let s: BotShop;
  let channels: ShopChannels;
  let users = 7700;
  beforeAll(async () => {
    s = await startBotShop();
    channels = shopChannels(s.t.shop);
  });
  afterAll(() => {
    channels?.close();
    return s?.close();
  });

  /** Whether each message to the buyer's chat since their purchase went through. */
  const sendsTo = (b: { chatId: number; since: number }) =>
    s.fake.callsSince(b.since, 'sendMessage').filter((c) => Number(c.params['chat_id']) === b.chatId);
  const textsTo = (b: { chatId: number; since: number }) => sendsTo(b).map((c) => c.ok);
  const sendJobsOf = async (delivery: Delivery) =>
    (await s.t.shop.storage.jobs.list({ type: deliveryJobType('telegram') }, { limit: 500 })).items.filter(
      (j) => j.payload['deliveryId'] === delivery.id,
    );
  const later = async (ms: number) => {
    s.t.clock.advance(ms);
    await s.t.shop.kit.createScheduler().tick(); // reaps expired leases
    await s.t.drain();
  };

  /**
   * A Telegram buyer who bought a plan; provisioned (by `drain`) with its notices job run or left queued; `failNext`
   * scripts Telegram's answer to the next message sent after the purchase; `locale`: the buyer's language.
   */
  async function boughtOnTelegram(drain: () => Promise<number>, failNext?: Parameters<BotShop['fake']['failNext']>[1], locale?: string) {
    const chatId = ++users;
    const user = new TelegramUser(s.fake, s.t.clock, chatId);
    await user.send(user.message('/start'));
    const customerId = (await s.shopBot.links.byTelegramUser(String(chatId)))!.customerId;
    if (locale !== undefined) await s.t.shop.storage.customers.update(customerId, { locale });
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    await s.t.shop.kit.topUp({ customerId, amount: plan.price, idempotencyKey: `sent-now-topup-${chatId}` });
    const since = s.fake.calls.length;
    if (failNext !== undefined) s.fake.failNext('sendMessage', failNext);
    await s.t.shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: `sent-now-buy-${chatId}` });
    await drain();
    const delivery = async () => {
      const [notification] = (await notificationsOf(s.t.shop).history(customerId, { limit: 1 })).items;
      return (await deliveriesOf(s.t.shop).ofNotification(notification!.id))[0]!;
    };
    return { chatId, customerId, since, delivery };
  }

  it('sends it once, right after its commit, with no send job', async () => {
    const b = await boughtOnTelegram(() => s.t.drain());
    expect(textsTo(b)).toEqual([true]);
    expect(String(sendsTo(b)[0]!.params['text'])).toContain(await buyerLinkOf(s.t.shop, b.customerId));
    const delivery = await b.delivery();
    expect([delivery.channel, delivery.status, delivery.attempts]).toEqual(['telegram', 'sent', 1]);
    expect(await sendJobsOf(delivery)).toEqual([]);
    await later(3_600_000);
    expect(textsTo(b)).toEqual([true]);
  });

  it("reads the buyer with the subscription, not again to send, and writes in the buyer's language", async () => {
    const getMany = vi.spyOn(s.t.shop.storage.customers, 'getMany');
    try {
      const drained = () => (getMany.mockClear(), s.t.drain());
      const b = await boughtOnTelegram(drained, undefined, 'ru');
      expect(textsTo(b)).toEqual([true]);
      expect(String(sendsTo(b)[0]!.params['text'])).toMatch(/[а-яё]/i);
      expect(getMany).not.toHaveBeenCalled();
    } finally {
      getMany.mockRestore();
    }
  });

  it('writes a notice with only Telegram deliveries in one statement on its own, no transaction around it', async () => {
    const query = vi.spyOn(s.t.shop.db, 'query');
    try {
      const b = await boughtOnTelegram(() => (query.mockClear(), s.t.drain()));
      expect(textsTo(b)).toEqual([true]);
      const texts = query.mock.calls.map(([text]) => String(text));
      expect(texts.filter((text) => text.includes(`INSERT INTO ${s.t.shop.shopSchema}.notifications `))).toHaveLength(1);
      expect((await b.delivery()).status).toBe('sent');
    } finally {
      query.mockRestore();
    }
  });

  it("makes the buyer's link token in the statement that writes the notice, not in a call of its own", async () => {
    const query = vi.spyOn(s.t.shop.db, 'query');
    const tokensFor = vi.spyOn(s.t.shop.kit.links, 'tokensFor');
    const tokenFor = vi.spyOn(s.t.shop.kit.links, 'tokenFor');
    try {
      const b = await boughtOnTelegram(() => (query.mockClear(), tokensFor.mockClear(), tokenFor.mockClear(), s.t.drain()));
      expect(textsTo(b)).toEqual([true]);
      expect(tokensFor).not.toHaveBeenCalled();
      expect(tokenFor).not.toHaveBeenCalled();
      const texts = query.mock.calls.map(([text]) => String(text));
      expect(texts.filter((text) => text.includes('.link_tokens'))).toEqual([
        expect.stringContaining(`INSERT INTO ${s.t.shop.shopSchema}.notifications `),
      ]);
    } finally {
      for (const spy of [query, tokensFor, tokenFor]) spy.mockRestore();
    }
    // The link it carries is the buyer's, as read now.
    const b = await boughtOnTelegram(() => s.t.drain());
    expect(String(sendsTo(b)[0]!.params['text'])).toContain(await buyerLinkOf(s.t.shop, b.customerId));
  });

  it('marks the delivery sent in the transaction that completes its job: no statement of its own, no completion after', async () => {
    // The storage runs a statement outside a transaction (a worker's completion) through the shop's client too.
    const query = vi.spyOn(s.t.shop.db, 'query');
    try {
      const b = await boughtOnTelegram(() => (query.mockClear(), s.t.drain()));
      expect(textsTo(b)).toEqual([true]);
      const delivery = await b.delivery();
      expect([delivery.status, delivery.attempts]).toEqual(['sent', 1]);
      const texts = query.mock.calls.map(([text]) => String(text).replace(/\s+/g, ' '));
      expect(texts.filter((text) => text.includes("SET status = 'sent'"))).toEqual([]);
      expect(texts.filter((text) => /DELETE FROM \S+\.jobs AS j/.test(text))).toEqual([]);
      // The spy sees the storage's statements outside a transaction: the notice's write, one of them.
      expect(texts.filter((text) => text.includes(`INSERT INTO ${s.t.shop.shopSchema}.notifications `))).toHaveLength(1);
    } finally {
      query.mockRestore();
    }
  });

  it('queues a send Telegram answered with 429 as a send job due at its retry_after, which sends it once', async () => {
    const b = await boughtOnTelegram(() => s.t.drain(), {
      code: 429,
      description: 'Too Many Requests: retry after 120',
      retryAfter: 120,
    });
    expect(textsTo(b)).toEqual([false]);
    const delivery = await b.delivery();
    expect([delivery.status, delivery.attempts]).toEqual(['pending', 1]);
    const [job] = await sendJobsOf(delivery);
    expect([job?.state, job?.runAt.getTime()]).toEqual(['queued', s.t.clock.now().getTime() + 120_000]);
    await later(60_000);
    expect(textsTo(b)).toEqual([false]); // not before retry_after
    await later(61_000);
    expect(textsTo(b)).toEqual([false, true]);
    expect((await b.delivery()).status).toBe('sent');
    await later(3_600_000);
    expect(textsTo(b)).toEqual([false, true]);
  });

  it('fails a send to a chat that blocked the bot at once, marks the chat, and queues nothing', async () => {
    const b = await boughtOnTelegram(() => s.t.drain(), { code: 403, description: 'Forbidden: bot was blocked by the user' });
    const delivery = await b.delivery();
    expect([delivery.status, delivery.lastError]).toEqual(['failed', expect.stringContaining('bot was blocked by the user')]);
    expect(await sendJobsOf(delivery)).toEqual([]);
    const unreachable = new TelegramUnreachableChats(s.t.shop.db, s.t.shop.shopSchema, s.t.clock);
    expect(await unreachable.reasonOf(String(b.chatId))).toContain('bot was blocked by the user');
    await later(3_600_000);
    expect(textsTo(b)).toEqual([false]);
  });

  /**
   * A notices job claimed by a worker that commits its notice and dies (its `send` throws, as a killed process stops):
   * before it sends (`telegramTook` false), or after Telegram took the message and before it was marked sent.
   */
  async function diesAfterCommit(telegramTook: boolean) {
    const withoutNotices = s.t.shop.kit.createWorker({ hostJobs: s.t.shop.hostJobs });
    const b = await boughtOnTelegram(() => withoutNotices.drain());
    const [claimed] = await s.t.shop.storage.jobs.claim({ workerId: 'dies', limit: 1, leaseMs: 60_000, types: [EVENT_NOTICES_TYPE] });
    expect(claimed?.job.payload['subjectType']).toBe('subscription');
    const dies: Deliverer = async (channel, due) => {
      if (telegramTook)
        await channel.sendMany!(
          due.map((d) => ({
            address: d.delivery.address,
            message: { subject: '', text: 'sent, then killed' },
            idempotencyKey: d.delivery.idempotencyKey,
          })),
        );
      throw new Error('the process was killed');
    };
    const dying = eventNoticesJob(s.t.shop, fanOutTargets(channels.list), { channels: channels.list, send: dies });
    await expect(dying.run(claimed!.job.payload as never, { job: claimed!.job } as HostJobContext)).rejects.toThrow('killed');
    const delivery = await b.delivery();
    expect(delivery.status).toBe('pending');
    expect(await sendJobsOf(delivery)).toEqual([]);
    expect(textsTo(b)).toEqual(telegramTook ? [true] : []);
    // While its lease holds, nobody runs it again.
    await s.t.drain();
    expect(await sendJobsOf(delivery)).toEqual([]);
    // Its lease expires and is reaped: the next run finds its notice written, and queues the delivery's send.
    await later(2 * 60_000);
    expect((await s.t.shop.storage.jobs.get(claimed!.job.id))?.state).toBe('succeeded');
    expect((await sendJobsOf(delivery)).map((j) => j.state)).toEqual(['queued']);
    await later(61_000);
    expect((await b.delivery()).status).toBe('sent');
    await later(3_600_000);
    return { b, delivery };
  }

  it('a notices job that dies after its commit, before sending: its next run queues the send, which sends it once', async () => {
    const { b } = await diesAfterCommit(false);
    expect(textsTo(b)).toEqual([true]);
  });

  it('a notices job that dies after Telegram took the message: its send job finds the key claimed and sends nothing again', async () => {
    const { b } = await diesAfterCommit(true);
    expect(textsTo(b)).toEqual([true]);
  });
});
