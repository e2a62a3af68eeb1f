import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Plan } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledEntry } from '../../../scripts/test-support/bundled-entry.js';
import { loadConfig } from '../src/config/config.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import type { GiftAction } from './support/gift-replica.js';
import { TEST_SECRET_KEYS } from './support/shop-under-test.js';
import type { TakenSchema } from '../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './support/pooled-shop-schema.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SHOP_DIR = resolve(import.meta.dirname, '..');
const PROCESSES = 4;
const DAY = 86_400_000;

interface Result {
  type: 'result';
  claimed?: boolean;
  refusal?: string;
  subscriptions?: number;
  expired?: number;
}

/** A shop process (`support/gift-replica.ts`) armed with one action at a time and let go on a signal. */
class GiftProcess {
  readonly ready: Promise<void>;
  #next: ((message: { type: string; message?: string }) => void) | null = null;
  constructor(readonly child: ChildProcess) {
    this.ready = this.#reply().then(() => undefined);
    child.on('message', (message: { type: string }) => {
      const next = this.#next;
      this.#next = null;
      next?.(message);
    });
  }
  #reply<T>(): Promise<T> {
    return new Promise<T>((done, fail) => {
      this.#next = (m) => (m.type === 'error' ? fail(new Error(m.message)) : done(m as T));
    });
  }
  async arm(now: Date, action: GiftAction): Promise<void> {
    const armed = this.#reply();
    this.child.send({ type: 'arm', now: now.toISOString(), action });
    await armed;
  }
  go(): Promise<Result> {
    const result = this.#reply<Result>();
    this.child.send({ type: 'go' });
    return result;
  }
  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((done) => {
      this.child.once('exit', () => done());
      this.child.send({ type: 'stop' });
    });
  }
}

/**
 * Gifts across OS processes on one PostgreSQL: every process runs the shop's claim use case (or the expiry sweep the
 * scheduler runs) against the same gift at once, on clocks that each make its own action valid. One claim wins;
 * a gift expires and refunds once; a claim and an expiry racing on one gift: exactly one of them happens.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `gifts claimed and expired from ${PROCESSES} processes at once${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let taken: TakenSchema | undefined;
    const env = {
      DATABASE_URL: DATABASE_URL as string,
      DATABASE_SCHEMA: '',
      SHOP_SECRET: 'gift-replicas-secret-gift-replicas-secret',
      SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
      SHOP_CURRENCY: 'USD',
      LOG_LEVEL: 'silent',
    };
    const clock = new ManualClock('2026-11-01T00:00:00.000Z');
    let shop: RunningShop;
    let plan: Plan;
    const processes: GiftProcess[] = [];

    beforeAll(async () => {
      taken = await takeShopSchema(DATABASE_URL as string);
      env.DATABASE_SCHEMA = taken.schema;
      shop = await openShop(loadConfig({ ...env, DEMO_PANEL: 'off' }), { clock, logger: pino({ level: 'silent' }) });
      const panel = await shop.storage.panels.create({
        kind: 'marzban',
        name: 'gifts',
        baseUrl: 'https://panel.example.com/secret-path',
        credentials: { type: 'password', username: 'admin', password: 'gifts-password' },
      });
      await shop.storage.targets.create({ panelId: panel.id, remoteRef: 'inbound-1', name: 'inbound 1', protocol: 'vless' });
      plan = await shop.storage.plans.create({
        name: 'One month',
        family: 'standard',
        price: { amount: 500, currency: 'USD' },
        durationDays: 30,
        trafficBytes: 50 * 1024 ** 3,
      });
      const entry = await bundledEntry(resolve(SHOP_DIR, 'test/support/gift-replica.ts'));
      for (let i = 0; i < PROCESSES; i++) {
        const child = fork(entry, [], {
          cwd: SHOP_DIR,
          execArgv: [],
          env: { ...process.env, ...env },
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        processes.push(new GiftProcess(child));
      }
      await Promise.all(processes.map((p) => p.ready));
    }, 120_000);

    afterAll(async () => {
      await Promise.all(processes.map((p) => p.stop()));
      await shop?.close();
      await taken?.giveBack();
    });

    let n = 0;
    const customer = async (balance: number) => {
      const c = await shop.storage.customers.create({ email: `gift-${++n}@example.com` });
      if (balance > 0)
        await shop.kit.topUp({ customerId: c.id, amount: { amount: balance, currency: 'USD' }, idempotencyKey: `gift-top-up:${c.id}` });
      return c.id;
    };
    const subscriptionsOf = async (ids: readonly string[]) =>
      (await Promise.all(ids.map(async (id) => (await shop.storage.subscriptions.listByCustomer(id, { limit: 10 })).items))).flat();
    const refundsOf = async (giverId: string, giftId: string) =>
      (await shop.storage.ledger.list(giverId, { limit: 20 })).items.filter((e) => e.kind === 'refund' && e.reference === giftId);
    /** Arms every process (each with its action and clock), then lets them all go at once. */
    const race = async (armings: readonly { now: Date; action: GiftAction }[]) => {
      await Promise.all(armings.map((a, i) => processes[i]!.arm(a.now, a.action)));
      return Promise.all(armings.map((_a, i) => processes[i]!.go()));
    };

    it('one gift claimed by four accounts from four processes at once: one claim, one subscription, every other refused', async () => {
      for (let round = 0; round < 8; round++) {
        clock.advance(DAY);
        const giver = await customer(500);
        const { gift } = await shop.kit.gifts.buy({ customerId: giver, planId: plan.id, validDays: 30, idempotencyKey: `claims-${round}` });
        const claimers = await Promise.all(processes.map(() => customer(0)));
        const results = await race(
          claimers.map((customerId) => ({ now: clock.now(), action: { kind: 'claim', code: gift.code, customerId } })),
        );
        expect(results.filter((r) => r.claimed === true)).toEqual([expect.objectContaining({ subscriptions: 1, claimed: true })]);
        expect(results.filter((r) => r.claimed === false).map((r) => r.refusal)).toEqual(
          Array(PROCESSES - 1).fill('gifts.refused.gift_claimed'),
        );
        const winner = claimers[results.findIndex((r) => r.claimed === true)]!;
        expect((await shop.kit.gifts.byCode(gift.code))!.claimedBy).toBe(winner);
        const subs = await subscriptionsOf(claimers);
        expect(subs.map((s) => s.customerId)).toEqual([winner]);
        expect(await refundsOf(giver, gift.id)).toEqual([]);
      }
    }, 180_000);

    it('due gifts swept by four processes at once: each expires once and its giver gets the price back once', async () => {
      clock.advance(DAY);
      const givers = await Promise.all([1, 2, 3, 4, 5].map(() => customer(500)));
      const gifts = await Promise.all(
        givers.map((g, i) => shop.kit.gifts.buy({ customerId: g, planId: plan.id, validDays: 1, idempotencyKey: `sweep-${i}` })),
      );
      const after = new Date(clock.now().getTime() + 2 * DAY);
      const results = await race(processes.map(() => ({ now: after, action: { kind: 'expire' } as const })));
      expect(results.reduce((sum, r) => sum + (r.expired ?? 0), 0)).toBe(gifts.length);
      for (const [i, { gift }] of gifts.entries()) {
        expect(await refundsOf(givers[i]!, gift.id)).toHaveLength(1);
        expect(await shop.storage.ledger.balance(givers[i]!, 'USD')).toBe(500);
        expect((await shop.kit.gifts.byCode(gift.code))!.status).toBe('expired');
      }
    }, 120_000);

    it('claims and an expiry racing on one gift, each valid by its own clock: exactly one of them happens', async () => {
      const outcomes: string[] = [];
      for (let round = 0; round < 8; round++) {
        clock.advance(3 * DAY);
        const giver = await customer(500);
        const { gift } = await shop.kit.gifts.buy({ customerId: giver, planId: plan.id, validDays: 1, idempotencyKey: `edge-${round}` });
        const claimers = await Promise.all([0, 1].map(() => customer(0)));
        const justBefore = new Date(gift.expiresAt.getTime() - 1);
        const justAfter = new Date(gift.expiresAt.getTime() + 1);
        const results = await race([
          { now: justBefore, action: { kind: 'claim', code: gift.code, customerId: claimers[0]! } },
          { now: justAfter, action: { kind: 'expire' } },
          { now: justBefore, action: { kind: 'claim', code: gift.code, customerId: claimers[1]! } },
          { now: justAfter, action: { kind: 'expire' } },
        ]);
        const claims = results.filter((r) => r.claimed === true).length;
        const expiries = results.reduce((sum, r) => sum + (r.expired ?? 0), 0);
        const subs = await subscriptionsOf(claimers);
        const refunds = await refundsOf(giver, gift.id);
        const stored = (await shop.kit.gifts.byCode(gift.code))!;
        if (stored.status === 'claimed') {
          expect({ claims, expiries, subs: subs.length, refunds: refunds.length }).toEqual({ claims: 1, expiries: 0, subs: 1, refunds: 0 });
          expect(await shop.storage.ledger.balance(giver, 'USD')).toBe(0);
        } else {
          expect(stored.status).toBe('expired');
          expect({ claims, expiries, subs: subs.length, refunds: refunds.length }).toEqual({ claims: 0, expiries: 1, subs: 0, refunds: 1 });
          expect(await shop.storage.ledger.balance(giver, 'USD')).toBe(500);
        }
        outcomes.push(stored.status);
      }
      expect(outcomes).toHaveLength(8);
    }, 180_000);
  },
);
