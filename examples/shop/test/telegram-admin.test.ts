import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/stack/web-app.js';
import { translator } from '../src/i18n/translate.js';
import type { TelegramConfig } from '../src/config/config.js';
import { enqueueHostJob, type HostJobDefinition, type Job, type NewJob } from '@panelkit/sdk';
import type { Api } from 'grammy';
import type { Shop } from '../src/app/shop.js';
import { telegramApi } from '../src/app/telegram-api.js';
import { BroadcastStore } from '../src/db/telegram-broadcasts.js';
import { fanOutBroadcast } from '../src/app/notifications/broadcast-fan-out.js';
import { BROADCAST_JOB_TYPES, adoptPendingBroadcasts, createBroadcastJobs } from '../src/telegram/broadcast-jobs.js';
import { createTelegramChannel, telegramChannelsFor } from '../src/telegram/channel.js';
import { planNamed } from './support/buying.js';
import { signedUpBuyer } from './support/shop-under-test.js';
import { ADMIN_TELEGRAM_ID, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';
import { DeliveryRefusedError } from '../src/app/notifications/channel.js';

const en = translator('en');

describe('the Telegram bot for admins, notifications and linking', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  /** The chats a broadcast goes to now: every linked user's but the admin's. */
  async function buyerChats(): Promise<number[]> {
    const { rows } = await s.t.shop.db.query<{ chat_id: string }>(
      `SELECT chat_id FROM ${s.t.shop.shopSchema}.telegram_links WHERE telegram_user_id <> $1`,
      [String(ADMIN_TELEGRAM_ID)],
    );
    return rows.map((r) => Number(r.chat_id)).sort();
  }

  it('broadcasts to every linked buyer once (not to admins), and a redelivered command queues nothing more', async () => {
    const buyers = [8001, 8002, 8003].map((id) => new TelegramUser(s.fake, s.t.clock, id));
    for (const b of buyers) await b.send(b.message('/start'));
    const admin = new TelegramUser(s.fake, s.t.clock, ADMIN_TELEGRAM_ID);
    await admin.send(admin.message('/start'));
    const chats = await buyerChats();
    expect(chats).toEqual(expect.arrayContaining([8001, 8002, 8003]));
    const command = admin.message('/broadcast New servers in Amsterdam!');
    const queued = await admin.send(command);
    expect(textOf(queued)).toBe(en('telegram.broadcast.queued', { count: chats.length }));
    const delivered = () =>
      s.fake.calls.filter((c) => c.ok && c.params['text'] === 'New servers in Amsterdam!').map((c) => Number(c.params['chat_id']));
    await s.fake.waitFor(0, () => delivered().length === chats.length, 'one broadcast message per buyer');
    s.fake.push(command);
    await admin.send(admin.message('/menu'));
    await s.shopBot.sendBroadcasts(); // joins the run the command started, if it is still finishing
    expect(await s.shopBot.sendBroadcasts()).toBe(0);
    expect(delivered().sort()).toEqual(chats);
  });

  it('keeps a buyer’s broadcast that Telegram refused as failed, and one a crash left mid-send as unknown, never resending either', async () => {
    for (const id of [8011, 8012, 8013]) {
      const buyer = new TelegramUser(s.fake, s.t.clock, id);
      await buyer.send(buyer.message('/start'));
    }
    const jobs = s.shopBot.broadcasts;
    const created = await jobs.create({
      key: 'test:broadcast:2',
      text: 'Second notice',
      createdBy: 'test',
      exceptUsers: [String(ADMIN_TELEGRAM_ID)],
    });
    expect(created.recipients).toBe((await buyerChats()).length);
    // A replica runs the fan-out, claims one copy, marks it `sending` and dies before Telegram answers.
    const replica = s.t.shop.kit.createWorker({ hostJobs: jobs.definitions, engineJobs: false });
    const fanOut = await s.t.shop.storage.jobs.claim({
      workerId: 'fan-out',
      limit: 1,
      leaseMs: 60_000,
      types: [BROADCAST_JOB_TYPES.fanOut],
    });
    expect(fanOut).toHaveLength(1);
    await s.t.shop.storage.jobs.release(fanOut[0]!.lease);
    await replica.runOnce();
    const [claimed] = await s.t.shop.storage.jobs.claim({
      workerId: 'dies',
      limit: 1,
      leaseMs: 60_000,
      types: [BROADCAST_JOB_TYPES.copies],
    });
    const run = claimed!.job.payload as { broadcastId: string; chatIds: string[] };
    expect(run.chatIds).toHaveLength(created.recipients);
    const abandoned = { broadcastId: run.broadcastId, chatId: run.chatIds[0]! };
    expect(await jobs.store.beginSend(abandoned, claimed!.job.attempts)).toBe(true);
    // Its lease runs out and the scheduler's reaper hands the copy back (until then it holds the copies' serial key).
    s.t.clock.advance(2 * 60_000);
    expect(await s.t.shop.storage.jobs.reapExpired()).toBe(1);
    s.fake.failNext('sendMessage', { code: 403, description: 'Forbidden: bot was blocked by the user' });
    expect(await s.shopBot.sendBroadcasts()).toBe(created.recipients - 2);
    s.t.clock.advance(10 * 60_000);
    expect(await s.shopBot.sendBroadcasts()).toBe(0);
    expect(await jobs.store.progress(created.id)).toEqual({ sent: created.recipients - 2, failed: 1, unknown: 1 });
    const toAbandoned = s.fake.calls.filter(
      (c) => c.params['text'] === 'Second notice' && String(c.params['chat_id']) === abandoned.chatId,
    );
    expect(toAbandoned).toHaveLength(0);
  });

  it('on a 429 with retry_after 70 sends nothing until it has passed, then every copy exactly once (none left sending or unknown)', async () => {
    for (const id of [8021, 8022, 8023, 8024, 8025]) {
      const buyer = new TelegramUser(s.fake, s.t.clock, id);
      await buyer.send(buyer.message('/start'));
    }
    const jobs = s.shopBot.broadcasts;
    const created = await jobs.create({
      key: 'test:broadcast:429',
      text: 'Third notice',
      createdBy: 'test',
      exceptUsers: [String(ADMIN_TELEGRAM_ID)],
    });
    const attempts = () => s.fake.calls.filter((c) => c.params['text'] === 'Third notice');
    s.fake.failNext('sendMessage', { code: 429, description: 'Too Many Requests: retry after 70', retryAfter: 70 });
    expect(await s.shopBot.sendBroadcasts()).toBe(0);
    expect(attempts()).toHaveLength(1);
    expect(await jobs.store.progress(created.id)).toEqual({ pending: created.recipients });
    s.t.clock.advance(69_000);
    expect(await s.shopBot.sendBroadcasts()).toBe(0);
    expect(attempts()).toHaveLength(1);
    s.t.clock.advance(1_000);
    expect(await s.shopBot.sendBroadcasts()).toBe(created.recipients);
    expect(await jobs.store.progress(created.id)).toEqual({ sent: created.recipients });
    const delivered = attempts()
      .filter((c) => c.ok)
      .map((c) => String(c.params['chat_id']));
    expect(delivered).toHaveLength(created.recipients);
    expect(new Set(delivered).size).toBe(created.recipients);
  });

  it('waits out a 429 with retry_after 1 within the run, holding the lane, and sends that copy once after it', async () => {
    for (const id of [8061, 8062, 8063]) {
      const buyer = new TelegramUser(s.fake, s.t.clock, id);
      await buyer.send(buyer.message('/start'));
    }
    const jobs = s.shopBot.broadcasts;
    const created = await jobs.create({
      key: 'test:broadcast:429-short',
      text: 'Short wait notice',
      createdBy: 'test',
      exceptUsers: [String(ADMIN_TELEGRAM_ID)],
    });
    const attempts = () => s.fake.calls.filter((c) => c.params['text'] === 'Short wait notice');
    s.fake.failNext('sendMessage', { code: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 });
    // No clock moved: the run waited the second itself rather than going back to the queue.
    expect(await s.shopBot.sendBroadcasts()).toBe(created.recipients);
    expect(await jobs.store.progress(created.id)).toEqual({ sent: created.recipients });
    const refused = attempts().find((c) => !c.ok);
    const delivered = attempts()
      .filter((c) => c.ok)
      .map((c) => String(c.params['chat_id']));
    expect(delivered.filter((chat) => chat === String(refused?.params['chat_id']))).toHaveLength(1);
    expect(new Set(delivered).size).toBe(created.recipients);
    expect(delivered).toHaveLength(created.recipients);
  });

  it('queues a broadcast in runs, one copies job a run, and a fan-out that died midway queues each run once when run again', async () => {
    for (const id of [8041, 8042, 8043, 8044, 8045]) {
      const buyer = new TelegramUser(s.fake, s.t.clock, id);
      await buyer.send(buyer.message('/start'));
    }
    const shop = s.t.shop;
    const jobs = createBroadcastJobs(shop, telegramApi(s.t.config.telegram as TelegramConfig), { copiesPerJob: 2 });
    const copiesJob = jobs.definitions.find((d) => d.type === BROADCAST_JOB_TYPES.copies) as HostJobDefinition;
    const input = {
      id: BroadcastStore.idOf('test:broadcast:runs'),
      text: 'Runs notice',
      createdBy: 'test',
      exceptUsers: [String(ADMIN_TELEGRAM_ID)],
    };
    // A replica's fan-out dies after queueing its first run (alone), at the call queueing the runs after it.
    let enqueues = 0;
    const dying = {
      ...shop,
      storage: {
        transaction: shop.storage.transaction.bind(shop.storage),
        jobs: {
          enqueue: (job: NewJob) => {
            enqueues++;
            return shop.storage.jobs.enqueue(job);
          },
          enqueueMany: () => {
            throw new Error('the replica died');
          },
        },
      },
    } as unknown as Shop;
    await expect(fanOutBroadcast(dying, jobs.store, copiesJob, input, 2)).rejects.toThrow('the replica died');
    expect(enqueues).toBe(1);
    const recipients = (await jobs.store.progress(input.id))['pending'] ?? 0;
    expect(recipients).toBeGreaterThanOrEqual(5);
    await fanOutBroadcast(shop, jobs.store, copiesJob, input, 2);
    await fanOutBroadcast(shop, jobs.store, copiesJob, input, 2);
    const queued = (await shop.storage.jobs.list({ type: BROADCAST_JOB_TYPES.copies }, { limit: 1000 })).items
      .map((j) => j.payload as { broadcastId: string; chatIds: string[] })
      .filter((p) => p.broadcastId === input.id);
    expect(queued).toHaveLength(Math.ceil(recipients / 2));
    for (const run of queued) expect(run.chatIds.length).toBeLessThanOrEqual(2);
    const chats = queued.flatMap((run) => run.chatIds);
    expect(new Set(chats).size).toBe(recipients);
    expect(chats).toHaveLength(recipients);

    expect(await s.shopBot.sendBroadcasts()).toBe(recipients);
    expect(await jobs.store.progress(input.id)).toEqual({ sent: recipients });
    const delivered = s.fake.calls.filter((c) => c.ok && c.params['text'] === 'Runs notice').map((c) => String(c.params['chat_id']));
    expect(delivered.sort()).toEqual([...chats].sort());
  });

  it('stops a run of copies between two copies when its worker stops: the copies not begun stay pending for the next claim', async () => {
    for (const id of [8051, 8052]) {
      const buyer = new TelegramUser(s.fake, s.t.clock, id);
      await buyer.send(buyer.message('/start'));
    }
    const shop = s.t.shop;
    const stopping = new AbortController();
    const sentTo: string[] = [];
    // Telegram accepts the first copy, and the worker is told to stop meanwhile.
    const api = {
      sendMessage: async (chatId: string) => {
        sentTo.push(chatId);
        stopping.abort(new Error('the worker is stopping'));
        return {};
      },
    } as unknown as Api;
    const jobs = createBroadcastJobs(shop, api);
    const copiesJob = jobs.definitions.find((d) => d.type === BROADCAST_JOB_TYPES.copies) as HostJobDefinition;
    const input = {
      id: BroadcastStore.idOf('test:broadcast:stop'),
      text: 'Stop notice',
      createdBy: 'test',
      exceptUsers: [String(ADMIN_TELEGRAM_ID)],
    };
    await shop.storage.transaction((tx) => jobs.store.writeRecipients(tx, input));
    const chatIds = (await jobs.store.copiesAfter(input.id, null, 100)).map((c) => c.chatId);
    expect(chatIds.length).toBeGreaterThanOrEqual(2);
    const context = { job: { attempts: 1 } as Job, signal: stopping.signal, clock: shop.clock, logger: shop.logger };
    await expect(copiesJob.run({ broadcastId: input.id, chatIds }, context)).rejects.toThrow('the worker is stopping');
    expect(sentTo).toEqual([chatIds[0]]);
    expect(await jobs.store.progress(input.id)).toEqual({ sent: 1, pending: chatIds.length - 1 });
    // Settled, so that no later test adopts it.
    await jobs.store.finishMany(input.id, chatIds, 'failed', 'test over');
  });

  it('adopts the broadcast an older release left half sent: its pending copies go out once, one its sender held is unknown', async () => {
    const { db, shopSchema: schema, clock } = s.t.shop;
    const at = new Date(clock.now().getTime() - 60 * 60_000);
    await db.query(
      `INSERT INTO ${schema}.telegram_broadcasts (id, text, created_by, created_at) VALUES ('bc_legacy', 'Legacy notice', 'old', $1)`,
      [at],
    );
    for (const [chat, status] of [
      ['8031', 'sent'],
      ['8032', 'sending'],
      ['8033', 'pending'],
      ['8034', 'pending'],
    ] as const) {
      await db.query(
        `INSERT INTO ${schema}.telegram_broadcast_deliveries (broadcast_id, chat_id, status, attempts, claimed_at) VALUES ('bc_legacy', $1, $2, 1, $3)`,
        [chat, status, status === 'pending' ? null : at],
      );
    }
    expect(await adoptPendingBroadcasts(s.t.shop, s.shopBot.broadcasts)).toBe(1);
    expect(await adoptPendingBroadcasts(s.t.shop, s.shopBot.broadcasts)).toBe(0);
    expect(await s.shopBot.sendBroadcasts()).toBe(2);
    expect(await s.shopBot.broadcasts.store.progress('bc_legacy')).toEqual({ sent: 3, unknown: 1 });
    const chats = s.fake.calls.filter((c) => c.ok && c.params['text'] === 'Legacy notice').map((c) => String(c.params['chat_id']));
    expect(chats.sort()).toEqual(['8033', '8034']);
  });

  it('still sends a copy job of one chat an older release queued (before runs), once', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 8071);
    await buyer.send(buyer.message('/start'));
    const shop = s.t.shop;
    const jobs = s.shopBot.broadcasts;
    const input = {
      id: BroadcastStore.idOf('test:broadcast:one-copy'),
      text: 'One copy notice',
      createdBy: 'old',
      exceptUsers: [String(ADMIN_TELEGRAM_ID)],
    };
    await shop.storage.transaction((tx) => jobs.store.writeRecipients(tx, input));
    const chats = (await jobs.store.copiesAfter(input.id, null, 1000)).map((c) => c.chatId);
    const copyJob = jobs.definitions.find((d) => d.type === BROADCAST_JOB_TYPES.copy) as HostJobDefinition;
    for (const chatId of chats)
      await enqueueHostJob(shop.storage, copyJob, { broadcastId: input.id, chatId }, { key: `${input.id}:${chatId}` });
    expect(await s.shopBot.sendBroadcasts()).toBe(chats.length);
    expect(await jobs.store.progress(input.id)).toEqual({ sent: chats.length });
    const delivered = s.fake.calls.filter((c) => c.ok && c.params['text'] === 'One copy notice').map((c) => String(c.params['chat_id']));
    expect(delivered.sort()).toEqual([...chats].sort());
  });

  it('reaches buyers and admins as a notification channel (as a worker replica builds it, with no bot running), each key once', async () => {
    const channel = createTelegramChannel({ shop: s.t.shop, config: s.t.config.telegram as TelegramConfig });
    expect(telegramChannelsFor(s.t.shop).map((c) => c.name)).toEqual(['telegram']);
    expect(telegramChannelsFor({ ...s.t.shop, config: { ...s.t.config, telegram: null } })).toEqual([]);
    expect(channel.name).toBe('telegram');
    const buyer = new TelegramUser(s.fake, s.t.clock, 8301);
    await buyer.send(buyer.message('/start'));
    const link = await s.shopBot.links.byTelegramUser('8301');
    expect(await channel.addressesOf({ kind: 'staff' })).toEqual([String(ADMIN_TELEGRAM_ID)]);
    expect(await channel.addressesOf({ kind: 'customer', customerId: link?.customerId as string })).toEqual(['8301']);
    expect(await channel.addressesOf({ kind: 'customer', customerId: 'cus_nobody' })).toEqual([]);
    // Several buyers at once (a claim's notices): one read, the unreachable and unknown left out.
    const other = new TelegramUser(s.fake, s.t.clock, 8302);
    await other.send(other.message('/start'));
    const otherLink = await s.shopBot.links.byTelegramUser('8302');
    const both = [link?.customerId as string, otherLink?.customerId as string];
    expect(await channel.addressesOfCustomers!([...both, 'cus_nobody'])).toEqual(
      new Map([
        [both[0], ['8301']],
        [both[1], ['8302']],
      ]),
    );

    const message = { subject: 'Expiring soon', text: 'Your subscription ends in 3 days.' };
    // Telegram's 400 is final: refused with its reason, and the chat gets nothing more until it writes (issue 44).
    s.fake.failNext('sendMessage', { code: 400, description: 'Bad Request: chat not found' });
    await expect(channel.send('8301', message, 'notice:1:telegram')).rejects.toThrow(DeliveryRefusedError);
    await expect(channel.send('8301', message, 'notice:1:telegram')).rejects.toThrow('400 Bad Request: chat not found');
    expect(await channel.addressesOf({ kind: 'customer', customerId: link?.customerId as string })).toEqual([]);
    expect(await channel.addressesOfCustomers!(both)).toEqual(new Map([[both[1], ['8302']]]));
    await buyer.send(buyer.message('/menu'));
    await channel.send('8301', message, 'notice:1:telegram');
    await channel.send('8301', message, 'notice:1:telegram');
    const arrived = s.fake.calls.filter((c) => c.ok && c.params['text'] === 'Expiring soon\n\nYour subscription ends in 3 days.');
    expect(arrived).toHaveLength(1);
  });

  it('links a web account through the deep link on the dashboard, once', async () => {
    const app = createApp(s.t.shop, { telegram: s.shopBot });
    const web = await signedUpBuyer(app);
    const dashboard = await web.agent.get('/dashboard').expect(200);
    expect(dashboard.text).toContain('action="/account/telegram"');
    const res = await web.agent.post('/account/telegram').type('form').send({ _csrf: web.csrf }).expect(303);
    const token = /^https:\/\/t\.me\/panelkit_test_bot\?start=([A-Za-z0-9_-]{32})$/.exec(res.headers['location'] ?? '')?.[1];
    expect(token).toBeDefined();

    const user = new TelegramUser(s.fake, s.t.clock, 8101);
    const linked = await user.send(user.message(`/start ${token}`));
    expect(textOf(linked)).toContain(en('telegram.start.link.linked'));
    const account = await s.t.shop.accounts.getByEmail(web.email);
    expect((await s.shopBot.links.byTelegramUser('8101'))?.customerId).toBe(account?.customerId);
    const again = await user.send(user.message(`/start ${token}`));
    expect(textOf(again)).toContain(en('telegram.start.link.expired'));

    // A Telegram user with purchases of their own is not moved onto another account.
    const other = await signedUpBuyer(app);
    const second = await other.agent.post('/account/telegram').type('form').send({ _csrf: other.csrf }).expect(303);
    const buyer = new TelegramUser(s.fake, s.t.clock, 8102);
    await buyer.send(buyer.message('/start'));
    const own = await s.t.shop.storage.customers.getByExternalRef('telegram:8102');
    await s.t.shop.kit.topUp({ customerId: own?.id as string, amount: { amount: 100, currency: 'USD' }, idempotencyKey: 'own-money' });
    const refused = await buyer.send(buyer.message(`/start ${(second.headers['location'] as string).split('start=')[1]}`));
    expect(textOf(refused)).toContain(en('telegram.start.link.has_own_purchases'));
    expect((await s.shopBot.links.byTelegramUser('8102'))?.customerId).toBe(own?.id);
  });

  it('sends the admins the summary of the day that ended, once per day', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 8201);
    await buyer.send(buyer.message('/start'));
    const customer = await s.t.shop.storage.customers.getByExternalRef('telegram:8201');
    const plan = await planNamed(s.t, 'Amsterdam · 1 month');
    await s.t.shop.kit.topUp({ customerId: customer?.id as string, amount: plan.price, idempotencyKey: 'summary-topup' });
    await s.t.shop.kit.checkout({ customerId: customer?.id as string, items: [{ planId: plan.id }], idempotencyKey: 'summary-order' });
    s.t.clock.advanceDays(1);

    const since = s.fake.calls.length;
    expect(await s.shopBot.queueDailySummary()).toBe(true);
    expect(await s.shopBot.queueDailySummary()).toBe(false);
    await s.shopBot.sendBroadcasts(); // the bot's jobs, the summary among them
    await s.shopBot.sendBroadcasts();
    const sent = s.fake.callsSince(since, 'sendMessage');
    expect(sent).toHaveLength(1);
    expect(Number(sent[0]?.params['chat_id'])).toBe(ADMIN_TELEGRAM_ID);
    expect(textOf(sent[0] as never)).toContain(en('telegram.summary.sales', { count: 1 }));
    expect(textOf(sent[0] as never)).toContain(en('telegram.summary.revenue', { revenue: '$6.00' }));
  });
});
