import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapacityExhaustedError, InsufficientFundsError, createPanelkit, withAuditOutbox } from '@panelkit/sdk';
import type { Panelkit, Plan, Target } from '@panelkit/sdk';
import type { StoragePort, StorageRepositories } from '@panelkit/sdk/storage';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import { SKIP_REAL_SERVER, newPool, recordStatements } from './helpers.js';
import { type TakenSchema, takeMigratedSchema } from './support/schema-pool.js';

const CONTEXT = /^SELECT \(SELECT row_to_json\(o\)/;
const PLACEMENT = /^WITH cust AS MATERIALIZED/;

/**
 * A wallet checkout (no storefront, no code) tells `orders.place` that nothing follows it (`PlaceOptions.last`): on
 * `fromPgPool` the placement carries the `COMMIT`, two statements a checkout. A checkout whose targets as read say it
 * goes on after the placement (a target it takes across 90 %, audited after) does not give the hint. Where it goes on
 * all the same (a refusal it reads, a crossing its read did not show) the placement fails instead, nothing is
 * committed, and the transaction runs again as before the hint: the same outcome, typed refusals, balanced books.
 */
describe.skipIf(SKIP_REAL_SERVER)('a checkout whose COMMIT rides on its placement (real PostgreSQL)', () => {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  let pool: pg.Pool;
  let other: pg.Pool;
  let sent: string[];
  let taken: TakenSchema;
  let storage: StoragePort;
  let plan: Plan;
  let target: Target;

  beforeAll(async () => {
    pool = newPool(1);
    other = newPool(1);
    sent = recordStatements(pool);
    taken = await takeMigratedSchema(fromPgPool(other), { clock });
    storage = createPostgresStorage({ client: fromPgPool(pool), schema: taken.schema, clock });
    const panel = await storage.panels.create({
      kind: 'fake',
      name: 'panel',
      baseUrl: 'https://panel.example.com/',
      credentials: { type: 'token', token: 't' },
      locationTags: ['de'],
    });
    target = await storage.targets.create({
      panelId: panel.id,
      remoteRef: '1',
      name: 'vless',
      protocol: 'vless',
      capacity: 10,
      isDefault: true,
    });
    plan = await storage.plans.create({
      name: 'monthly',
      family: 'standard',
      price: { amount: 100, currency: 'USD' },
      durationDays: 30,
      trafficBytes: 1024 ** 3,
    });
  });
  afterAll(async () => {
    await storage.close();
    await taken.giveBack();
    await Promise.all([pool.end(), other.end()]);
  });

  function kitOn(on: StoragePort): Panelkit {
    return createPanelkit({
      storage: on,
      clock,
      panels: () => new FakePanelAdapter({ clock }),
      policy: { identity: { secret: 'commit-rides-secret-0123456789', prefix: 'pk' } },
    });
  }

  async function fundedBuyer(email: string, amount: number) {
    const customer = await storage.customers.create({ email });
    if (amount > 0)
      await storage.ledger.append({
        customerId: customer.id,
        kind: 'top_up',
        amount,
        currency: 'USD',
        idempotencyKey: `top-up-${email}`,
        actor: { type: 'system' },
      });
    return customer;
  }

  /** What another connection sees: the order under the key, the buyer's balance, the target's slots taken. */
  async function committed(customerId: string, key: string) {
    const schema = taken.schema;
    const order = await other.query(`SELECT id, total_amount FROM ${schema}.orders WHERE customer_id = $1 AND idempotency_key = $2`, [
      customerId,
      key,
    ]);
    const balance = await other.query(`SELECT amount::int AS amount FROM ${schema}.ledger_balances WHERE customer_id = $1`, [customerId]);
    const slots = await other.query(`SELECT allocated FROM ${schema}.targets WHERE id = $1`, [target.id]);
    return { orders: order.rows.length, balance: balance.rows[0]?.amount ?? 0, allocated: slots.rows[0]!.allocated as number };
  }

  it('sends the context read and the placement, with BEGIN and COMMIT riding on them; committed once', async () => {
    const buyer = await fundedBuyer('one@example.com', 1000);
    const before = (await committed(buyer.id, 'one')).allocated;
    sent.length = 0;
    const result = await kitOn(storage).checkout({ customerId: buyer.id, items: [{ planId: plan.id }], idempotencyKey: 'one' });
    expect(result.replayed).toBe(false);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(CONTEXT);
    expect(sent[1]).toMatch(PLACEMENT);
    expect(await committed(buyer.id, 'one')).toEqual({ orders: 1, balance: 900, allocated: before + 1 });
    // The job and the ledger entry with it.
    expect(
      (await storage.jobs.list({ type: 'subscription.provision' }, { limit: 10 })).items.map((j) => j.payload['subscriptionId']),
    ).toContain(result.subscriptions[0]!.id);
    // The same key again: a replay, nothing new.
    const again = await kitOn(storage).checkout({ customerId: buyer.id, items: [{ planId: plan.id }], idempotencyKey: 'one' });
    expect(again).toMatchObject({ replayed: true, order: { id: result.order.id } });
    expect(await committed(buyer.id, 'one')).toEqual({ orders: 1, balance: 900, allocated: before + 1 });
  });

  it('through an audit outbox: the COMMIT rides when no hooked action is among the placement’s events, not otherwise', async () => {
    const hooked: string[] = [];
    const hook = async (_tx: unknown, event: { action: string }) => {
      hooked.push(event.action);
    };
    const buyer = await fundedBuyer('outbox@example.com', 1000);
    const quiet = withAuditOutbox(storage, hook, { actions: ['target.nearly_full'] });
    sent.length = 0;
    await kitOn(quiet).checkout({ customerId: buyer.id, items: [{ planId: plan.id }], idempotencyKey: 'quiet' });
    expect(sent).toHaveLength(2);
    expect(hooked).toEqual([]);
    // Every event reaches this one's hook: the placement leaves the COMMIT to the transaction.
    const all = withAuditOutbox(storage, hook);
    sent.length = 0;
    await kitOn(all).checkout({ customerId: buyer.id, items: [{ planId: plan.id }], idempotencyKey: 'all' });
    expect(sent).toEqual([expect.stringMatching(CONTEXT), expect.stringMatching(PLACEMENT), 'COMMIT']);
    expect(hooked).toEqual(['order.placed', 'subscription.ordered']);
    expect(await committed(buyer.id, 'all')).toMatchObject({ orders: 1, balance: 800 });
  });

  it('a wallet that cannot pay: the typed refusal, nothing written, after the transaction ran again without the hint', async () => {
    const buyer = await fundedBuyer('poor@example.com', 50);
    const before = await committed(buyer.id, 'poor');
    sent.length = 0;
    await expect(
      kitOn(storage).checkout({ customerId: buyer.id, items: [{ planId: plan.id }], idempotencyKey: 'poor' }),
    ).rejects.toBeInstanceOf(InsufficientFundsError);
    expect(await committed(buyer.id, 'poor')).toEqual({ ...before, orders: 0, balance: 50 });
    // The hinted placement failed (rolled back), then the context and the placement again, the refusal's reads, ROLLBACK.
    expect(sent.filter((text) => PLACEMENT.test(text))).toHaveLength(2);
    expect(sent).toContain('ROLLBACK');
    expect(sent).not.toContain('COMMIT');
  });

  /** The storage with each checkout's context read showing the targets `behind` slots emptier than they are. */
  function staleBy(behind: number): StoragePort {
    const staleContext = (tx: StorageRepositories): StorageRepositories => {
      const orders = Object.create(tx.orders) as StorageRepositories['orders'];
      orders.checkoutContext = async (request) => {
        const context = await tx.orders.checkoutContext(request);
        return { ...context, targets: context.targets.map((t) => ({ ...t, allocated: t.allocated - behind })) };
      };
      return Object.assign(Object.create(tx) as StorageRepositories, { orders });
    };
    return Object.assign(Object.create(storage) as StoragePort, {
      transaction: <T>(fn: (tx: StorageRepositories) => Promise<T>) => storage.transaction((tx) => fn(staleContext(tx))),
    });
  }

  it('a checkout its read shows taking its target across 90 %: no hint, audited once, no statement run twice', async () => {
    const buyer = await fundedBuyer('fill@example.com', 100_000);
    const { allocated } = await committed(buyer.id, 'fill');
    // Up to one below the threshold (9 of 10), with the COMMIT riding: no crossing yet.
    sent.length = 0;
    await kitOn(storage).checkout({ customerId: buyer.id, items: [{ planId: plan.id, quantity: 8 - allocated }], idempotencyKey: 'to-8' });
    expect(sent).toHaveLength(2);
    expect((await committed(buyer.id, 'to-8')).allocated).toBe(8);
    sent.length = 0;
    const crossing = await kitOn(storage).checkout({ customerId: buyer.id, items: [{ planId: plan.id }], idempotencyKey: 'to-9' });
    // The context, the placement (not hinted) and the audit's insert with the COMMIT: nothing ran twice.
    expect(sent).toEqual([
      expect.stringMatching(CONTEXT),
      expect.stringMatching(PLACEMENT),
      expect.stringMatching(/^INSERT INTO \S+\.audit_events /),
    ]);
    expect(await committed(buyer.id, 'to-9')).toMatchObject({ orders: 1, allocated: 9 });
    const audited = await storage.audit.list({ subjectType: 'target', subjectId: target.id }, { limit: 10 });
    expect(audited.items.map((e) => [e.action, e.data['allocated']])).toEqual([['target.nearly_full', 9]]);
    expect(crossing.replayed).toBe(false);
    // Past the threshold: no crossing, the COMMIT rides again.
    sent.length = 0;
    await kitOn(storage).checkout({ customerId: buyer.id, items: [{ planId: plan.id }], idempotencyKey: 'to-10' });
    expect(sent).toHaveLength(2);
    expect((await storage.audit.list({ subjectType: 'target', subjectId: target.id }, { limit: 10 })).items).toHaveLength(1);
  });

  it('a crossing its read did not show: the hinted placement holds its COMMIT back, the replay audits it once', async () => {
    const buyer = await fundedBuyer('stale@example.com', 100_000);
    await storage.targets.update(target.id, { capacity: 20 });
    const { allocated } = await committed(buyer.id, 'stale');
    // Up to one below the threshold (18 of 20), then the crossing with a read one slot behind (17: no crossing seen).
    await kitOn(storage).checkout({
      customerId: buyer.id,
      items: [{ planId: plan.id, quantity: 17 - allocated }],
      idempotencyKey: 'to-17',
    });
    sent.length = 0;
    const crossing = await kitOn(staleBy(1)).checkout({ customerId: buyer.id, items: [{ planId: plan.id }], idempotencyKey: 'to-18' });
    expect(crossing.replayed).toBe(false);
    expect(sent.filter((text) => PLACEMENT.test(text))).toHaveLength(2);
    expect(sent).toContain('ROLLBACK');
    expect(sent.at(-1)).toBe('COMMIT');
    expect(await committed(buyer.id, 'to-18')).toMatchObject({ orders: 1, allocated: 18 });
    const audited = await storage.audit.list({ subjectType: 'target', subjectId: target.id }, { limit: 50 });
    expect(audited.items.filter((e) => e.action === 'target.nearly_full' && e.data['allocated'] === 18)).toHaveLength(1);
  });

  it('a plan its read shows full: refused without the hint, the placement sent once', async () => {
    const scarce = await storage.plans.create({
      name: 'scarce',
      family: 'scarce',
      price: { amount: 100, currency: 'USD' },
      durationDays: 30,
      trafficBytes: 1024 ** 3,
      maxClients: 1,
    });
    const first = await fundedBuyer('scarce-1@example.com', 1000);
    const second = await fundedBuyer('scarce-2@example.com', 1000);
    await kitOn(storage).checkout({ customerId: first.id, items: [{ planId: scarce.id }], idempotencyKey: 'scarce-1' });
    sent.length = 0;
    await expect(
      kitOn(storage).checkout({ customerId: second.id, items: [{ planId: scarce.id }], idempotencyKey: 'scarce-2' }),
    ).rejects.toBeInstanceOf(CapacityExhaustedError);
    expect(sent.filter((text) => PLACEMENT.test(text))).toHaveLength(1);
    expect(sent.filter((text) => CONTEXT.test(text))).toHaveLength(1);
    expect(await committed(second.id, 'scarce-2')).toMatchObject({ orders: 0, balance: 1000 });
  });
});
