import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InsufficientFundsError, createPanelkit, withAuditOutbox } from '@panelkit/sdk';
import type { Panelkit, Plan, Target } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import { SKIP_REAL_SERVER, newPool, recordStatements } from './helpers.js';
import { type TakenSchema, takeMigratedSchema } from './support/schema-pool.js';

const CONTEXT = /^SELECT \(SELECT row_to_json\(o\)/;
const PLACEMENT = /^WITH cust AS MATERIALIZED/;

/**
 * A wallet checkout (no storefront, no code) tells `orders.place` that nothing follows it (`PlaceOptions.last`): on
 * `fromPgPool` the placement carries the `COMMIT`, two statements a checkout. Where the checkout goes on after the
 * placement (a refusal it reads, a target taken across 90 % that it audits) the placement fails instead, nothing is
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

  it('a checkout taking its target across 90 %: audited once, in the transaction that ran again without the hint', async () => {
    const buyer = await fundedBuyer('fill@example.com', 100_000);
    const { allocated } = await committed(buyer.id, 'fill');
    // Up to one below the threshold (9 of 10), with the COMMIT riding: no crossing yet.
    sent.length = 0;
    await kitOn(storage).checkout({ customerId: buyer.id, items: [{ planId: plan.id, quantity: 8 - allocated }], idempotencyKey: 'to-8' });
    expect(sent).toHaveLength(2);
    expect((await committed(buyer.id, 'to-8')).allocated).toBe(8);
    sent.length = 0;
    const crossing = await kitOn(storage).checkout({ customerId: buyer.id, items: [{ planId: plan.id }], idempotencyKey: 'to-9' });
    expect(sent.filter((text) => PLACEMENT.test(text))).toHaveLength(2);
    expect(sent.at(-1)).toBe('COMMIT');
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
});
