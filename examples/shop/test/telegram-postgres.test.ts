import { ManualClock } from '@panelkit/sdk/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { createShopBot, type ShopBot } from '../src/telegram/bot.js';
import { TelegramUpdateLog, UPDATE_CLAIM_LEASE_MS } from '../src/db/telegram-updates.js';
import { TelegramSentStore } from '../src/db/telegram-sent.js';
import { TelegramUnreachableChats } from '../src/db/telegram-unreachable.js';
import { FakeTelegram } from './support/fake-telegram.js';
import { TEST_SECRET_KEYS, TEST_START } from './support/shop-under-test.js';
import type { TakenSchema } from '../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './support/pooled-shop-schema.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];

/** Two shop replicas on one PostgreSQL schema, each with its own bot on one fake Telegram: what they share is the database. */
describe.skipIf(DATABASE_URL === undefined)(
  `the Telegram bot on two replicas over PostgreSQL${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let taken: TakenSchema | undefined;
    const clock = new ManualClock(TEST_START);
    const logger = pino({ level: 'silent' });
    let fake: FakeTelegram;
    let replicas: Array<{ shop: RunningShop; bot: ShopBot }>;

    beforeAll(async () => {
      taken = await takeShopSchema(DATABASE_URL as string);
      fake = await FakeTelegram.start();
      const env = {
        DATABASE_URL: DATABASE_URL as string,
        DATABASE_SCHEMA: taken.schema,
        SHOP_SECRET: 'pg-test-secret-pg-test-secret-pg-test',
        SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
        DEMO_PANEL: 'off',
        LOG_LEVEL: 'silent',
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        TELEGRAM_ADMIN_IDS: '9001',
        PUBLIC_URL: 'http://shop.test',
        TELEGRAM_WEBHOOK: 'off',
      };
      const shops = await Promise.all([0, 1].map(() => openShop(loadConfig(env), { clock, logger })));
      replicas = shops.map((shop) => ({
        shop,
        bot: createShopBot(shop, shop.config.telegram as NonNullable<typeof shop.config.telegram>),
      }));
    });

    afterAll(async () => {
      for (const r of replicas ?? []) await r.shop.close();
      await fake?.close();
      await taken?.giveBack();
    });

    it('hands an update delivered to both replicas at once to exactly one of them, and one left unfinished past its lease to one', async () => {
      const logs = replicas.map((r) => new TelegramUpdateLog(r.shop.db, r.shop.shopSchema, clock));
      for (let updateId = 1; updateId <= 20; updateId++) {
        const claims = await Promise.all(logs.map((log) => log.claim(updateId)));
        expect(claims.sort()).toEqual(['claimed', 'running']);
      }
      // Finished: every later delivery finds it handled.
      await logs[0]?.finish(1);
      expect(await Promise.all(logs.map((log) => log.claim(1)))).toEqual(['handled', 'handled']);
      // Unfinished past the lease (the replica handling it died): one of two deliveries at once takes it over.
      clock.advance(UPDATE_CLAIM_LEASE_MS + 1000);
      for (let updateId = 2; updateId <= 20; updateId++) {
        const claims = await Promise.all(logs.map((log) => log.claim(updateId)));
        expect(claims.sort()).toEqual(['claimed', 'running']);
      }
      expect(await Promise.all(logs.map((log) => log.claim(1)))).toEqual(['handled', 'handled']);
    });

    it("writes a finish riding on another update's claim: a later delivery on either replica finds it handled", async () => {
      const logs = replicas.map((r) => new TelegramUpdateLog(r.shop.db, r.shop.shopSchema, clock));
      for (const updateId of [101, 102]) expect(await logs[0]!.claim(updateId)).toBe('claimed');
      const finished = logs[0]!.finish(101);
      expect(await logs[0]!.claim(103)).toBe('claimed');
      await finished;
      expect(await Promise.all(logs.map((log) => log.claim(101)))).toEqual(['handled', 'handled']);
      expect(await Promise.all(logs.map((log) => log.claim(102)))).toEqual(['running', 'running']);
    });

    it("claims a batch's send keys in one statement on both replicas at once: each key once, none to a chat marked unreachable", async () => {
      const stores = replicas.map((r) => new TelegramSentStore(r.shop.db, r.shop.shopSchema, clock));
      await new TelegramUnreachableChats(replicas[0]!.shop.db, replicas[0]!.shop.shopSchema, clock).mark('7002', 'blocked');
      await stores[0]!.claimMany([{ idempotencyKey: 'k:before', chatId: '7001' }]);
      const sends = [
        { idempotencyKey: 'k:before', chatId: '7001' },
        { idempotencyKey: 'k:blocked', chatId: '7002' },
        ...Array.from({ length: 30 }, (_, i) => ({ idempotencyKey: `k:${i}`, chatId: String(7100 + i) })),
        { idempotencyKey: 'k:0', chatId: '7100' },
      ];
      // Each replica asks in its own order, so the two statements meet on the same keys in both orders.
      const [one, two] = await Promise.all([stores[0]!.claimMany(sends), stores[1]!.claimMany([...sends].reverse())]);
      const both = [one, [...two].reverse()];
      for (const claims of both) {
        expect(claims[0]).toEqual({ claimed: false });
        expect(claims[1]).toEqual({ marked: 'blocked' });
      }
      const claimedAt = (i: number) =>
        both.filter((claims) => {
          const c = claims[i]!;
          return 'claimed' in c && c.claimed;
        }).length;
      for (let i = 3; i < sends.length - 1; i++) expect(claimedAt(i)).toBe(1);
      // `k:0` is asked twice in each call: of the four asks exactly one claims it.
      expect(claimedAt(2) + claimedAt(sends.length - 1)).toBe(1);
      const { rows } = await replicas[0]!.shop.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${replicas[0]!.shop.shopSchema}.telegram_sent WHERE idempotency_key LIKE 'k:%'`,
      );
      expect(rows[0]!.n).toBe(31);
      expect(await stores[0]!.claimMany([])).toEqual([]);
    });

    it('sends a broadcast created twice at once to each buyer exactly once, with both replicas sending at the same time', async () => {
      const [a, b] = replicas as [{ shop: RunningShop; bot: ShopBot }, { shop: RunningShop; bot: ShopBot }];
      for (let i = 1; i <= 40; i++)
        await a.bot.links.linkIfNew({ telegramUserId: String(i), chatId: String(10_000 + i), customerId: `cus_pg_${i}` });
      await a.bot.links.linkIfNew({ telegramUserId: '9001', chatId: '9001', customerId: 'cus_pg_admin' });
      const input = { key: 'pg:broadcast:1', text: 'Maintenance tonight', createdBy: 'test', exceptUsers: ['9001'] };
      const [one, two] = await Promise.all([a.bot.broadcasts.create(input), b.bot.broadcasts.create(input)]);
      expect(one.id).toBe(two.id);
      expect([one.created, two.created].filter(Boolean)).toHaveLength(1);
      expect(one.recipients).toBe(40);

      const sent = await Promise.all([a.bot.sendBroadcasts(), b.bot.sendBroadcasts()]);
      expect(sent[0] + sent[1]).toBe(40);
      const chats = fake.calls.filter((c) => c.ok && c.params['text'] === 'Maintenance tonight').map((c) => String(c.params['chat_id']));
      expect(chats).toHaveLength(40);
      expect(new Set(chats).size).toBe(40);
      expect(chats).not.toContain('9001');
      expect(await a.bot.broadcasts.store.progress(one.id)).toEqual({ sent: 40 });
    });
  },
);
