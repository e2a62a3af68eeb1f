/**
 * Refunds owned by their order, and referral rewards on net money, through the engine on the memory
 * storage and on PostgreSQL (PGlite): a refund names an order of its own customer, never passes what
 * was paid for it, and frees the code use and the slots only when it returns all of it; a referral
 * reward is computed on what the order finally cost and taken back, by a ledger entry, when the order
 * is refunded within the program's window.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PanelRejectedError, RefundRefusedError, createPanelkit } from '@panelkit/sdk';
import type { Panelkit, Plan } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { storagesInTurn } from '../../../packages/storage-postgres/test/helpers.js';

const DAY = 86_400_000;
// One PGlite database and one migrated schema, emptied for each test's world (a test is done with its world by the next).
const pglite = storagesInTurn();
afterAll(() => pglite.close());

const STORAGES: [string, (clock: ManualClock) => Promise<StoragePort>][] = [
  ['memory', async (clock) => createMemoryStorage({ clock })],
  ['PGlite', async (clock) => (await pglite.storage(clock)).storage],
];

interface World {
  clock: ManualClock;
  storage: StoragePort;
  kit: Panelkit;
  fake: FakePanelAdapter;
  plan: Plan;
  customer(balance?: number): Promise<string>;
  balance(id: string): Promise<number>;
  drain(): Promise<void>;
}

async function world(make: (clock: ManualClock) => Promise<StoragePort>): Promise<World> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const storage = await make(clock);
  // One client a call, so one unit of an order can fail alone.
  const fake = new FakePanelAdapter({ clock, capabilities: { batchCreate: false } });
  const kit = createPanelkit({
    storage,
    clock,
    panels: () => fake,
    policy: { identity: { secret: 'refund-test-secret-0123456789', prefix: 'pk' } },
    random: () => 0.5,
  });
  const panel = await storage.panels.create({
    kind: 'fake',
    name: 'frankfurt',
    baseUrl: 'https://p.example.com/',
    credentials: { type: 'token', token: 't' },
    locationTags: ['de'],
  });
  await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity: null });
  const plan = await storage.plans.create({
    name: 'monthly',
    family: 'standard',
    price: { amount: 1000, currency: 'USD' },
    durationDays: 30,
    trafficBytes: 50 * 1024 ** 3,
  });
  let n = 0;
  return {
    clock,
    storage,
    kit,
    fake,
    plan,
    async customer(balance = 0) {
      const c = await storage.customers.create({ email: `c${++n}@example.com` });
      if (balance > 0) await kit.topUp({ customerId: c.id, amount: { amount: balance, currency: 'USD' }, idempotencyKey: `seed-${c.id}` });
      return c.id;
    },
    balance: (id) => storage.ledger.balance(id, 'USD'),
    drain: async () => void (await kit.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain()),
  };
}

const usd = (amount: number) => ({ amount, currency: 'USD' });

/** The refusal's reason, or `allowed`. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (RefundRefusedError.is(error)) return error.reason;
    throw error;
  }
  return 'allowed';
}

describe.each(STORAGES)('refunds owned by their order (%s)', (_name, make) => {
  it("refuses another customer's order: the stranger gets nothing and the owner's code use stays", async () => {
    const w = await world(make);
    const code = await w.kit.createDiscountCode({ code: 'ONCE', value: { type: 'percent', percent: 10 }, maxUses: 1 });
    const owner = await w.customer(5000);
    const stranger = await w.customer();
    const { order } = await w.kit.checkout({
      customerId: owner,
      items: [{ planId: w.plan.id }],
      idempotencyKey: 'o',
      discountCode: 'ONCE',
    });
    await w.drain();
    const attempt = w.kit.refund({ customerId: stranger, orderId: order.id, amount: usd(900), idempotencyKey: 'r1' });
    await expect(attempt).rejects.toSatisfy((e: unknown) => RefundRefusedError.is(e) && e.reason === 'not_customers_order');
    expect(await w.balance(stranger)).toBe(0);
    expect((await w.storage.discounts.get(code.id))!.uses).toBe(1);
    expect(await w.storage.ledger.getByIdempotencyKey('r1')).toBeNull();
  });

  it('never refunds more than was paid, counted over every refund of the order; typed refusals change nothing', async () => {
    const w = await world(make);
    const buyer = await w.customer(5000);
    const { order } = await w.kit.checkout({ customerId: buyer, items: [{ planId: w.plan.id }], idempotencyKey: 'o' });
    expect(await refusal(w.kit.refund({ customerId: buyer, orderId: order.id, amount: usd(100), idempotencyKey: 'early' }))).toBe(
      'order_provisioning',
    );
    await w.drain();
    const first = await w.kit.refund({ customerId: buyer, orderId: order.id, amount: usd(600), idempotencyKey: 'r1', note: 'outage' });
    expect(first).toMatchObject({ created: true, full: false, refundable: 400, ended: [] });
    // The same key again is the same refund, not a second one.
    expect(await w.kit.refund({ customerId: buyer, orderId: order.id, amount: usd(600), idempotencyKey: 'r1' })).toMatchObject({
      created: false,
      refundable: 400,
    });
    const over = w.kit.refund({ customerId: buyer, orderId: order.id, amount: usd(500), idempotencyKey: 'r2' });
    await expect(over).rejects.toSatisfy((e: unknown) => RefundRefusedError.is(e) && e.reason === 'exceeds_paid' && e.refundable === 400);
    expect(
      await refusal(w.kit.refund({ customerId: buyer, orderId: order.id, amount: { amount: 10, currency: 'EUR' }, idempotencyKey: 'r3' })),
    ).toBe('wrong_currency');
    expect(await w.balance(buyer)).toBe(4000 + 600);
    expect((await w.kit.refund({ customerId: buyer, orderId: order.id, amount: usd(400), idempotencyKey: 'r4' })).full).toBe(true);
    expect(await refusal(w.kit.refund({ customerId: buyer, orderId: order.id, amount: usd(1), idempotencyKey: 'r5' }))).toBe(
      'nothing_to_refund',
    );
    expect(await w.balance(buyer)).toBe(5000);
    const audit = await w.storage.audit.list({ subjectType: 'order', subjectId: order.id }, { limit: 20 });
    const refunds = audit.items.filter((a) => a.action === 'order.refunded').map((a) => [a.data['amount'], a.data['note']]);
    expect(refunds.sort()).toEqual([
      [400, null],
      [600, 'outage'],
    ]);
  });

  it("a goodwill 0.01 keeps the code's last use and the slot; the refund of the rest frees both and ends the subscription", async () => {
    const w = await world(make);
    const code = await w.kit.createDiscountCode({ code: 'LAST', value: { type: 'percent', percent: 10 }, maxUses: 1 });
    const buyer = await w.customer(5000);
    const { order, subscriptions } = await w.kit.checkout({
      customerId: buyer,
      items: [{ planId: w.plan.id }],
      idempotencyKey: 'o',
      discountCode: 'LAST',
    });
    await w.drain();
    expect((await w.storage.plans.get(w.plan.id))!.allocated).toBe(1);
    await w.kit.refund({ customerId: buyer, orderId: order.id, amount: usd(1), idempotencyKey: 'goodwill' });
    expect((await w.storage.discounts.get(code.id))!.uses).toBe(1);
    expect((await w.storage.plans.get(w.plan.id))!.allocated).toBe(1);
    expect((await w.storage.subscriptions.get(subscriptions[0]!.id))!.status).toBe('active');
    const rest = await w.kit.refund({ customerId: buyer, orderId: order.id, amount: usd(899), idempotencyKey: 'rest' });
    expect(rest.full).toBe(true);
    expect(rest.ended.map((s) => s.status)).toEqual(['terminated']);
    expect((await w.storage.discounts.get(code.id))!.uses).toBe(0);
    expect((await w.storage.plans.get(w.plan.id))!.allocated).toBe(0);
    await w.drain();
    expect(w.fake.clientCount()).toBe(0);
    expect(await w.balance(buyer)).toBe(5000);
  });
});

describe.each(STORAGES)('referral rewards on net money (%s)', (_name, make) => {
  async function referred(w: World) {
    await w.kit.setReferralProgram({ enabled: true, reward: { type: 'share', percent: 10 } });
    const referrer = await w.customer();
    const buyer = await w.customer(5000);
    expect((await w.kit.recordReferral({ referrerId: referrer, referredId: buyer })).recorded).toBe(true);
    return { referrer, buyer };
  }
  const credit = async (w: World) => {
    w.clock.advance(60_000);
    return (await w.kit.createScheduler().tick()).referralsCredited;
  };

  it('rewards what the first order finally cost: 2000 with a unit failed and refunded pays 10% of 1000', async () => {
    const w = await world(make);
    const { referrer, buyer } = await referred(w);
    w.fake.failNext('createClients', () => new PanelRejectedError('bad inbound', { panelKind: 'fake' }));
    const { order } = await w.kit.checkout({ customerId: buyer, items: [{ planId: w.plan.id, quantity: 2 }], idempotencyKey: 'o' });
    await w.drain();
    expect((await w.storage.orders.get(order.id))!.status).toBe('partially_failed');
    expect(await w.balance(buyer)).toBe(4000);
    expect(await credit(w)).toBe(1);
    expect(await w.balance(referrer)).toBe(100);
  });

  it('a full refund of the rewarding order in the window reverses the reward by a ledger entry; it no longer counts as rewarded', async () => {
    const w = await world(make);
    const { referrer, buyer } = await referred(w);
    const { order } = await w.kit.checkout({ customerId: buyer, items: [{ planId: w.plan.id }], idempotencyKey: 'o' });
    await w.drain();
    expect(await credit(w)).toBe(1);
    expect(await w.balance(referrer)).toBe(100);
    w.clock.advance(60_000);
    const done = await w.kit.refund({ customerId: buyer, orderId: order.id, amount: usd(1000), idempotencyKey: 'r' });
    expect(done.referral).toMatchObject({ referral: { status: 'reversed', reward: usd(0) }, reversal: { kind: 'referral', amount: -100 } });
    expect(await w.balance(referrer)).toBe(0);
    const entries = (await w.storage.ledger.list(referrer, { limit: 10 })).items;
    expect(entries.map((e) => [e.kind, e.amount])).toEqual([
      ['referral', -100],
      ['referral', 100],
    ]);
    expect(await w.kit.referralStats(referrer)).toEqual({ referred: 1, rewarded: 0, earned: [] });
    expect(await credit(w)).toBe(0);
    expect(await w.balance(referrer)).toBe(0);
  });

  it('a part refund takes back the same part of the reward; after the window nothing is taken back', async () => {
    const w = await world(make);
    const { referrer, buyer } = await referred(w);
    const { order } = await w.kit.checkout({ customerId: buyer, items: [{ planId: w.plan.id }], idempotencyKey: 'o' });
    await w.drain();
    await credit(w);
    await w.kit.refund({ customerId: buyer, orderId: order.id, amount: usd(250), idempotencyKey: 'r1' });
    expect(await w.balance(referrer)).toBe(75);
    expect(await w.kit.referralStats(referrer)).toEqual({ referred: 1, rewarded: 1, earned: [usd(75)] });
    w.clock.advance(31 * DAY);
    await w.kit.refund({ customerId: buyer, orderId: order.id, amount: usd(750), idempotencyKey: 'r2' });
    expect(await w.balance(referrer)).toBe(75);
    expect((await w.storage.referrals.get(buyer))!.status).toBe('rewarded');
  });

  it('a refund before the reward is credited lowers what will be credited; a reward already spent is taken back as far as the wallet goes', async () => {
    const w = await world(make);
    const { referrer, buyer } = await referred(w);
    const { order } = await w.kit.checkout({ customerId: buyer, items: [{ planId: w.plan.id }], idempotencyKey: 'o' });
    await w.drain();
    await w.kit.refund({ customerId: buyer, orderId: order.id, amount: usd(500), idempotencyKey: 'r1' });
    expect((await w.storage.referrals.get(buyer))!).toMatchObject({ status: 'qualified', reward: usd(50) });
    expect(await credit(w)).toBe(1);
    expect(await w.balance(referrer)).toBe(50);
    await w.kit.adjust({ customerId: referrer, amount: -30, currency: 'USD', idempotencyKey: 'spent', note: 'spent elsewhere' });
    await w.kit.refund({ customerId: buyer, orderId: order.id, amount: usd(500), idempotencyKey: 'r2' });
    expect(await w.balance(referrer)).toBe(0);
    expect((await w.storage.referrals.get(buyer))!.status).toBe('reversed');
    const audit = await w.storage.audit.list({ subjectType: 'customer', subjectId: buyer }, { limit: 20 });
    expect(audit.items.find((a) => a.action === 'referral.reversed')?.data).toMatchObject({ taken: 50, collected: 20, uncollected: 30 });
  });
});
