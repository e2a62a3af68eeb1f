import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPanelkit } from '@panelkit/sdk';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { bundledEntry } from '../../../scripts/test-support/bundled-entry.js';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import { DATABASE_URL, SKIP_REAL_SERVER, newPool } from './helpers.js';
import { takeMigratedSchema } from './support/schema-pool.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const REPLICAS = 4;
const BUYERS = 6;

interface Outcome {
  key: string;
  orderId?: string;
  refused?: string;
}

describe.skipIf(SKIP_REAL_SERVER !== false)('storefront sales and payouts across OS processes (real PostgreSQL)', () => {
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  });

  it('two storefronts’ buyers buying at once from four processes, twice: each sale once, split once, within quota and credit; one approval', {
    timeout: 240_000,
  }, async () => {
    const pool = newPool(3);
    pools.push(pool);
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const { schema, giveBack } = await takeMigratedSchema(fromPgPool(pool), { clock });
    const storage = createPostgresStorage({ client: fromPgPool(pool), schema, clock });
    const fake = new FakePanelAdapter({ clock });
    const kit = createPanelkit({
      storage,
      clock,
      panels: () => fake,
      policy: { identity: { secret: 'replica-test-secret-0123456789', prefix: 'pk' } },
      random: () => 0.5,
    });
    const children: ChildProcess[] = [];
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
        price: usd(1000),
        durationDays: 30,
        trafficBytes: 1024 ** 3,
      });
      // Storefront A: quota of 4 live subscriptions, plenty of money. Storefront B: its reseller's wallet and credit cover 3 sales.
      const shops = [];
      for (const [name, balance, quota] of [
        ['A', 100_000, 4],
        ['B', 1_000, null],
      ] as const) {
        const reseller = await storage.customers.create({ email: `reseller-${name}@example.com` });
        await kit.topUp({ customerId: reseller.id, amount: usd(balance), idempotencyKey: `seed-${name}` });
        await kit.resellers.setPrice({ customerId: reseller.id, planId: plan.id, price: usd(700) });
        if (name === 'B') await kit.resellers.setCreditLimit({ customerId: reseller.id, currency: 'USD', amount: 1_100 });
        const storefront = await kit.storefronts.create({ resellerId: reseller.id, name, quotas: { maxActiveSubscriptions: quota } });
        await kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: plan.id, retailPrice: usd(1200) });
        const buyers: string[] = [];
        for (let i = 0; i < BUYERS; i++) {
          const buyer = await storage.customers.create({ email: `buyer-${name}-${i}@example.com`, storefrontId: storefront.id });
          await kit.topUp({ customerId: buyer.id, amount: usd(1200), idempotencyKey: `seed-${name}-${i}` });
          buyers.push(buyer.id);
        }
        shops.push({ reseller, storefront, buyers });
      }
      // A withdrawal of reseller A's payout balance, asked before: the processes all approve it at once.
      await kit.payouts.credit({
        partnerId: shops[0]!.reseller.id,
        kind: 'adjustment',
        amount: usd(300),
        idempotencyKey: 'opening',
        note: 'opening balance',
      });
      const asked = await kit.payouts.request({
        partnerId: shops[0]!.reseller.id,
        amount: usd(300),
        destination: 'card',
        idempotencyKey: 'w',
      });

      const checkouts = shops.flatMap((s) => s.buyers.map((customerId) => ({ customerId, planId: plan.id, key: `buy-${customerId}` })));
      const entry = await bundledEntry(resolve(import.meta.dirname, 'support/storefront-replica.ts'));
      const env = { ...process.env, DATABASE_URL: DATABASE_URL!, SCHEMA: schema, NOW: clock.now().toISOString() };
      for (let i = 0; i < REPLICAS; i++)
        children.push(fork(entry, [], { env, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
      const next = <T>(child: ChildProcess, type: string) =>
        new Promise<T>((done, fail) => {
          const onMessage = (m: { type: string; error?: string }) => {
            if (m.type === 'failed') fail(new Error(m.error));
            if (m.type === type) child.off('message', onMessage), done(m as T);
          };
          child.on('message', onMessage);
          child.once('exit', (code) => fail(new Error(`a replica exited with ${code}`)));
        });
      await Promise.all(children.map((c) => next(c, 'ready')));
      const rounds: { outcomes: Outcome[]; approved: boolean }[][] = [];
      for (let round = 0; round < 2; round++) {
        const done = children.map((c) => next<{ outcomes: Outcome[]; approved: boolean }>(c, 'done'));
        for (const child of children) child.send({ type: 'go', checkouts, withdrawalId: asked.withdrawal.id });
        rounds.push(await Promise.all(done));
      }

      // Every process saw the same order for a key that sold (replays), and a refusal only where one was due.
      const all = rounds.flat().flatMap((r) => r.outcomes);
      const sold = new Map<string, Set<string>>();
      for (const o of all) if (o.orderId !== undefined) sold.set(o.key, new Set([...(sold.get(o.key) ?? []), o.orderId]));
      for (const ids of sold.values()) expect(ids.size).toBe(1);
      const refusedKeys = new Set(all.filter((o) => o.refused !== undefined).map((o) => o.key));
      for (const key of refusedKeys) expect(sold.has(key)).toBe(false);

      const [a, b] = shops;
      const soldBy = (shop: typeof a) => shop!.buyers.filter((id) => sold.has(`buy-${id}`)).length;
      expect(soldBy(a)).toBe(4);
      expect(soldBy(b)).toBe(3);
      expect(
        new Set(all.filter((o) => a!.buyers.some((id) => o.key === `buy-${id}`) && o.refused !== undefined).map((o) => o.refused)),
      ).toEqual(new Set(['quota_subscriptions']));
      expect(
        new Set(all.filter((o) => b!.buyers.some((id) => o.key === `buy-${id}`) && o.refused !== undefined).map((o) => o.refused)),
      ).toEqual(new Set(['reseller_credit']));

      // The books add up: one wholesale debit and one payout credit of the retail per sale, nothing for a refusal.
      expect(await storage.ledger.balance(a!.reseller.id, 'USD')).toBe(100_000 - 4 * 700);
      expect(await storage.ledger.balance(b!.reseller.id, 'USD')).toBe(1_000 - 3 * 700);
      expect(await storage.payouts.balance(a!.reseller.id, 'USD')).toBe(4 * 1200);
      expect(await storage.payouts.balance(b!.reseller.id, 'USD')).toBe(3 * 1200);
      for (const shop of [a!, b!]) {
        const wholesale = (await storage.ledger.list(shop.reseller.id, { limit: 100 })).items.filter((e) => e.kind === 'wholesale');
        expect(wholesale).toHaveLength(soldBy(shop));
        for (const buyer of shop.buyers) {
          const orders = (await storage.orders.list({ customerId: buyer }, { limit: 10 })).items;
          expect(orders).toHaveLength(sold.has(`buy-${buyer}`) ? 1 : 0);
          expect(await storage.ledger.balance(buyer, 'USD')).toBe(sold.has(`buy-${buyer}`) ? 0 : 1200);
          for (const order of orders) expect(await storage.storefronts.salesOfOrder(order.id)).toHaveLength(1);
        }
      }
      const figures = await kit.storefronts.figures({ from: '2026-03-01', to: '2026-03-01', timeZone: 'UTC' });
      expect(Object.fromEntries(figures.storefronts.map((s) => [s.name, [s.sales, s.margin, s.collected]]))).toEqual({
        A: [4, [usd(2000)], [usd(4800)]],
        B: [3, [usd(1500)], [usd(3600)]],
      });
      expect(figures.revenue).toEqual([usd(7 * 1200)]);

      // Eight approvals of one withdrawal from four processes: one of them moved it, one audit event.
      expect(rounds.flat().filter((r) => r.approved)).toHaveLength(1);
      const decided = await storage.audit.list({ subjectType: 'withdrawal', subjectId: asked.withdrawal.id }, { limit: 20 });
      expect(decided.items.map((e) => e.action).sort()).toEqual(['withdrawal.approved', 'withdrawal.requested']);
      expect((await storage.payouts.getWithdrawal(asked.withdrawal.id))!.status).toBe('approved');

      // One buyer's extension, the same key paid twice at once from each of the four processes: one charge, one split.
      await kit.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain();
      const buyer = a!.buyers.find((id) => sold.has(`buy-${id}`))!;
      const [sub] = (await storage.subscriptions.listByCustomer(buyer, { limit: 10 })).items;
      expect(sub?.status).toBe('active');
      await kit.topUp({ customerId: buyer, amount: usd(5_000), idempotencyKey: 'ext-seed' });
      const now = new Date(sub!.expiresAt!.getTime() - 86_400_000).toISOString();
      const extended = children.map((c) => next<{ replayed: boolean[] }>(c, 'extended'));
      for (const child of children) child.send({ type: 'extend', now, subscriptionId: sub!.id, key: 'ext-1', times: 2 });
      const replays = (await Promise.all(extended)).flatMap((r) => r.replayed);
      expect(replays).toHaveLength(REPLICAS * 2);
      expect(replays.filter((r) => !r)).toHaveLength(1);
      const charges = (await storage.ledger.list(buyer, { limit: 20 })).items.filter((e) => e.kind === 'extension');
      expect(charges).toHaveLength(1);
      const split = await storage.storefronts.salesOfCharge(`extension:${sub!.id}:ext-1`);
      expect(split).toHaveLength(1);
      expect(split[0]).toMatchObject({ kind: 'sale', source: 'extension', retail: usd(-charges[0]!.amount) });
      const wholesale = (await storage.ledger.list(a!.reseller.id, { limit: 100 })).items.filter((e) => e.kind === 'wholesale');
      expect(wholesale).toHaveLength(4 + 1);
      expect(await storage.payouts.balance(a!.reseller.id, 'USD')).toBe(4 * 1200 - charges[0]!.amount);
    } finally {
      for (const child of children) if (child.exitCode === null) child.send({ type: 'stop' });
      await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((done) => c.once('exit', done)) : undefined)));
      await storage.close();
      await giveBack();
    }
  });
});
