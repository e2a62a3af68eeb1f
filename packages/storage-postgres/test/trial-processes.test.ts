import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPanelkit, type Panelkit } from '@panelkit/sdk';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import type { StoragePort } from '@panelkit/sdk/storage';
import type pg from 'pg';
import { bundledEntry } from '../../../scripts/test-support/bundled-entry.js';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import { DATABASE_URL, SKIP_REAL_SERVER, newPool } from './helpers.js';
import { takeMigratedSchema } from './support/schema-pool.js';

interface Done {
  type: 'done';
  given: number;
  refused: number;
  other: string[];
  orders: { id: string; replayed: boolean }[];
}

/** Three replicas (OS processes) on a fresh schema with one trial plan, and the test's own storage and kit there. */
interface Replicas {
  storage: StoragePort;
  kit: Panelkit;
  planId: string;
  /** Sends `go` to each replica (`customerIds` and `idempotencyKey` by its index) and gathers their answers. */
  go(message: (i: number) => { round: number; customerIds: string[]; idempotencyKey?: string }): Promise<Done[]>;
  stop(): Promise<void>;
}

async function startReplicas(pools: pg.Pool[]): Promise<Replicas> {
  const pool = newPool(3);
  pools.push(pool);
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const { schema, giveBack } = await takeMigratedSchema(fromPgPool(pool), { clock });
  const storage = createPostgresStorage({ client: fromPgPool(pool), schema, clock });
  const kit = createPanelkit({
    storage,
    clock,
    panels: () => new FakePanelAdapter({ clock }),
    policy: { identity: { secret: 'replica-test-secret-0123456789', prefix: 'pk' } },
  });
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children) if (child.exitCode === null) child.send({ type: 'stop' });
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((done) => c.once('exit', done)) : undefined)));
    await storage.close();
    await giveBack();
  };
  try {
    const panel = await storage.panels.create({
      kind: 'fake',
      name: 'panel',
      baseUrl: 'https://panel.example.com/',
      credentials: { type: 'token', token: 't' },
      locationTags: ['de'],
    });
    await storage.targets.create({
      panelId: panel.id,
      remoteRef: '1',
      name: 'vless',
      protocol: 'vless',
      capacity: null,
      isDefault: true,
    });
    const plan = await storage.plans.create({
      name: 'monthly',
      family: 'standard',
      price: { amount: 1000, currency: 'USD' },
      durationDays: 30,
      trafficBytes: 1024 ** 3,
      trial: { days: 1, trafficBytes: 1024 ** 2 },
    });
    const entry = await bundledEntry(resolve(import.meta.dirname, 'support/trial-replica.ts'));
    const env = { ...process.env, DATABASE_URL: DATABASE_URL!, SCHEMA: schema, NOW: clock.now().toISOString() };
    for (let i = 0; i < 3; i++) children.push(fork(entry, [], { env, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const next = <T>(child: ChildProcess, type: string) =>
      new Promise<T>((done, fail) => {
        const onMessage = (m: { type: string }) => {
          if (m.type === type) child.off('message', onMessage), done(m as T);
        };
        child.on('message', onMessage);
        child.once('exit', (code) => fail(new Error(`a replica exited with ${code}`)));
      });
    await Promise.all(children.map((c) => next(c, 'ready')));
    const go: Replicas['go'] = (message) => {
      const done = children.map((c) => next<Done>(c, 'done'));
      for (const [i, child] of children.entries()) child.send({ type: 'go', planId: plan.id, ...message(i) });
      return Promise.all(done);
    };
    return { storage, kit, planId: plan.id, go, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

describe.skipIf(SKIP_REAL_SERVER !== false)('one trial per person across OS processes (real PostgreSQL)', () => {
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  });

  it('three processes taking trials for several accounts of one person at once give exactly one', { timeout: 240_000 }, async () => {
    const { storage, kit, go, stop } = await startReplicas(pools);
    try {
      // Round 1: six accounts with one Telegram id. Round 2: six with aliases of one e-mail. Round 3: a third person.
      const people = [
        Array.from({ length: 6 }, () => ({ telegramId: '424242' })),
        Array.from({ length: 6 }, (_, i) => ({ email: `farmer+${i}@example.com` })),
        Array.from({ length: 6 }, (_, i) => ({ email: `f.a.r.m.e.r.2+${i}@gmail.com`.replace('+0', '') })),
      ];
      for (const [round, accounts] of people.entries()) {
        const ids: string[] = [];
        for (const fields of accounts) ids.push((await storage.customers.create(fields)).id);
        const results = await go((i) => ({ round, customerIds: ids.filter((_, j) => j % 3 === i) }));
        expect(results.flatMap((r) => r.other)).toEqual([]);
        expect(results.reduce((n, r) => n + r.given, 0)).toBe(1);
        expect(results.reduce((n, r) => n + r.refused, 0)).toBe(accounts.length - 1);
        const trials = (await Promise.all(ids.map((id) => storage.subscriptions.listByCustomer(id, { limit: 10 })))).flatMap(
          (p) => p.items,
        );
        expect(trials).toHaveLength(1);
      }
      // Every refusal is in the owner's view: 5 per person.
      const refusals = await kit.trials.refusals({ limit: 100 });
      expect(refusals.items).toHaveLength(15);
    } finally {
      await stop();
    }
  });

  it('one buyer asking each process at once, each under its own key, gets one trial; under one key, one order replayed', {
    timeout: 240_000,
  }, async () => {
    const { storage, go, stop } = await startReplicas(pools);
    try {
      // Three buyers of each kind: a Telegram id, an e-mail, a customer record alone. Each process takes the trial of
      // every one of them at once, under a key of its own.
      const kinds = [(n: number) => ({ telegramId: `77${n}` }), (n: number) => ({ email: `solo${n}@example.com` }), () => ({})];
      const buyers: string[] = [];
      for (const kind of kinds) for (let n = 0; n < 3; n++) buyers.push((await storage.customers.create(kind(n))).id);
      const own = await go((i) => ({ round: 1, customerIds: buyers, idempotencyKey: `own-${i}` }));
      expect(own.flatMap((r) => r.other)).toEqual([]);
      expect(own.reduce((n, r) => n + r.given, 0)).toBe(buyers.length);
      expect(own.reduce((n, r) => n + r.refused, 0)).toBe(2 * buyers.length);
      for (const id of buyers) expect((await storage.subscriptions.listByCustomer(id, { limit: 10 })).items, id).toHaveLength(1);

      // One key from every process at once: each answers with the one order, two of them as a replay.
      const fresh = (await storage.customers.create({})).id;
      const same = await go(() => ({ round: 2, customerIds: [fresh], idempotencyKey: 'same' }));
      const orders = same.flatMap((r) => r.orders);
      expect(same.flatMap((r) => r.other)).toEqual([]);
      expect(orders).toHaveLength(3);
      expect(new Set(orders.map((o) => o.id)).size).toBe(1);
      expect(orders.filter((o) => !o.replayed)).toHaveLength(1);
      expect((await storage.subscriptions.listByCustomer(fresh, { limit: 10 })).items).toHaveLength(1);
    } finally {
      await stop();
    }
  });
});
