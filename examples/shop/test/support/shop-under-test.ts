import { emailCodeMailJob } from '../../src/app/auth/email-codes.js';
import { ManualClock } from '@panelkit/sdk/testing';
import pino, { type Logger } from 'pino';
import supertest from 'supertest';
import type { Express } from 'express';
import { loadConfig, type ShopConfig } from '../../src/config/config.js';
import { ensureFirstOwner } from '../../src/app/auth/accounts.js';
import { createApp, type AppOptions } from '../../src/stack/web-app.js';
import { shopChannels } from '../../src/stack/notification-channels.js';
import { notificationJobs } from '../../src/app/notifications/notification-jobs.js';
import type { OpenDatabase } from '../../src/stack/database.js';
import { openShop, type RunningShop } from '../../src/stack/shop.js';
import { pooledMemoryDatabase } from './pglite-pool.js';
import { csrfFrom } from './csrf.js';

export const TEST_START = new Date('2026-03-01T09:00:00Z');
export const ADMIN = { email: 'admin@example.com', password: 'admin-password-123' };
/** `SHOP_SECRET_KEYS` for a shop under test on PostgreSQL (which requires keys): one fixed test key. */
export const TEST_SECRET_KEYS = `t1:${Buffer.alloc(32, 7).toString('base64')}`;

/**
 * The scrypt cost of the passwords of a shop under test: 2^10 instead of 2^15 (2.5 ms a hash
 * instead of 105 on this machine). The test files sign up and sign in thousands of times; hashing, checking and the
 * stored format are the same, and `auth.test.ts` checks that a shop opened without it uses the full cost.
 */
export const TEST_PASSWORD_COST = { N: 2 ** 10, r: 8, p: 1 } as const;

/**
 * How a shop under test retries the engine's own panel reads (health checks, usage pages): the SDK's 4 attempts, 1 ms
 * apart instead of a backoff from 250 ms. The shop runs on a manual clock, so each of those backoffs was a real wait:
 * 0.9 s for every read of a panel that is down. Only the sleeps are shorter; the attempts and what they do are the same.
 */
export const TEST_PANEL_READ_RETRY = { baseDelayMs: 1, maxDelayMs: 1 } as const;

/** Rate limits roomy enough for a test file that signs up and buys many times from one address. */
export const ROOMY_RATE_LIMITS = {
  signIn: { limit: 50, windowMs: 60_000 },
  signUp: { limit: 100, windowMs: 60_000 },
  checkout: { limit: 100, windowMs: 60_000 },
} as const;

export interface ShopUnderTest {
  shop: RunningShop;
  app: Express;
  clock: ManualClock;
  config: ShopConfig;
  /** Runs the provisioning worker until no job is due. */
  drain(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The whole shop on in-memory PGlite with the demo's simulated panels (real HTTP on 127.0.0.1),
 * on a manual clock, with a known admin. Nothing runs in the background: tests drain the worker
 * or tick the scheduler themselves.
 */
export async function startShop(options: { env?: Record<string, string>; app?: AppOptions; logger?: Logger } = {}): Promise<ShopUnderTest> {
  const clock = new ManualClock(TEST_START);
  // Admins' second factor is optional here so tests of other areas sign in with a password; the staff sign-in tests turn it on.
  const config = loadConfig({
    SHOP_SECRET: 'test-secret-test-secret-test-secret',
    DEMO_PANEL: 'on',
    // The demo's WireGuard panel and plans only where a test asks for them (`DEMO_WIREGUARD: 'on'`): the others' demo is as it was.
    DEMO_WIREGUARD: 'off',
    LOG_LEVEL: 'silent',
    STAFF_TOTP: 'optional',
    // Test files make many Telegram users at one instant of the manual clock; the limit's own test turns it on.
    TELEGRAM_NEW_ACCOUNTS_PER_MINUTE: '0',
    ...options.env,
  });
  const shop = await openShop(config, {
    clock,
    logger: options.logger ?? pino({ level: 'silent' }),
    database: await pooledMemoryDatabase({ migrated: config.schema }),
    passwordCost: TEST_PASSWORD_COST,
    panelReadRetry: TEST_PANEL_READ_RETRY,
  });
  await ensureFirstOwner(shop, ADMIN.email, ADMIN.password);
  // The shop's own jobs as `startBackground` runs them: notifications on the configured channels among them.
  const channels = shopChannels(shop);
  const worker = shop.kit.createWorker({
    hostJobs: [...shop.hostJobs, ...notificationJobs(shop, channels.list), ...emailCodeMailJob(shop, channels.list)],
  });
  return {
    shop,
    app: createApp(shop, options.app),
    clock,
    config,
    drain: () => worker.drain(),
    close: async () => {
      channels.close();
      await shop.close();
    },
  };
}

/** An empty PGlite database in memory (a new one, or one a closed shop emptied and gave back). */
export function memoryDatabase(): Promise<OpenDatabase> {
  return pooledMemoryDatabase();
}

export { csrfFrom };

export type Agent = ReturnType<typeof supertest.agent>;

/** A browser-like client (keeps cookies) with the CSRF token of its session. */
export interface Visitor {
  agent: Agent;
  csrf: string;
}

export async function visitor(app: Express): Promise<Visitor> {
  const agent = supertest.agent(app);
  const page = await agent.get('/signin').expect(200);
  return { agent, csrf: csrfFrom(page.text) };
}

let counter = 0;

/** A new buyer, signed in. */
export async function signedUpBuyer(
  app: Express,
  email = `buyer${++counter}-${Date.now()}@example.com`,
): Promise<Visitor & { email: string }> {
  const v = await visitor(app);
  await v.agent.post('/signup').type('form').send({ _csrf: v.csrf, email, password: 'correct horse battery' }).expect(303);
  return { ...v, email };
}

export async function signedInAdmin(app: Express): Promise<Visitor> {
  const v = await visitor(app);
  await v.agent
    .post('/signin')
    .type('form')
    .send({ _csrf: v.csrf, ...ADMIN })
    .expect(303);
  return v;
}
