import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ManualClock } from '@panelkit/sdk/testing';
import pino from 'pino';
import { bundledEntry } from '../../../../scripts/test-support/bundled-entry.js';
import { loadConfig } from '../../src/config/config.js';
import { openShop, type RunningShop } from '../../src/stack/shop.js';
import { createShopBot, type ShopBot } from '../../src/telegram/bot.js';
import { BotReplica } from './bot-replica-process.js';
import { FakeTelegram } from './fake-telegram.js';
import { takeShopSchema } from './pooled-shop-schema.js';
import { TEST_SECRET_KEYS, TEST_START } from './shop-under-test.js';

const SHOP_DIR = resolve(import.meta.dirname, '../..');

/**
 * A shop on PostgreSQL (the demo panel on) with its bot in this process, and `replicaCount` replica processes of it
 * with their bots over the same schema, all talking to one fake Telegram: a test hands one update to each replica at
 * once to race them. `close()` stops the replicas, the shop and the fake, and gives the schemas back to the pool.
 */
export interface BotReplicaShop {
  fake: FakeTelegram;
  clock: ManualClock;
  web: RunningShop;
  bot: ShopBot;
  replicas: BotReplica[];
  close(): Promise<void>;
}

/**
 * Starts a {@link BotReplicaShop} on an engine schema and the shop's from the pool of migrated schemas (`takeShopSchema`);
 * `extraEnv`: more settings for every process.
 */
export async function startBotReplicaShop(
  databaseUrl: string,
  replicaCount = 2,
  extraEnv: Record<string, string> = {},
): Promise<BotReplicaShop> {
  const taken = await takeShopSchema(databaseUrl);
  const clock = new ManualClock(TEST_START);
  const fake = await FakeTelegram.start();
  const env = {
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: taken.schema,
    SHOP_SECRET: randomBytes(24).toString('hex'),
    SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
    LOG_LEVEL: 'silent',
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    PUBLIC_URL: 'http://shop.test',
    TELEGRAM_WEBHOOK: 'off',
    ...extraEnv,
  };
  const web = await openShop(loadConfig({ ...env, DEMO_PANEL: 'on' }), { clock, logger: pino({ level: 'silent' }) });
  const bot = createShopBot(web, web.config.telegram as NonNullable<typeof web.config.telegram>);
  const entry = await bundledEntry(resolve(SHOP_DIR, 'test/support/bot-replica.ts'));
  const replicas: BotReplica[] = [];
  for (let i = 0; i < replicaCount; i++) {
    const child = fork(entry, [], {
      cwd: SHOP_DIR,
      execArgv: [],
      env: { ...process.env, ...env, REPLICA_START: TEST_START.toISOString() },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    replicas.push(new BotReplica(child));
  }
  await Promise.all(replicas.map((r) => r.ready));
  return {
    fake,
    clock,
    web,
    bot,
    replicas,
    async close() {
      await Promise.all(replicas.map((r) => r.stop()));
      await web.close();
      await fake.close();
      await taken.giveBack();
    },
  };
}
