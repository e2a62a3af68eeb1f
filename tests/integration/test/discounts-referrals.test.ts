/**
 * Discount codes and referrals through the engine, on the memory storage and on PostgreSQL (PGlite):
 * a code lowers checkout and extension prices and is counted once; a refused code changes nothing; a
 * failed or refunded purchase gives its use back; a referred buyer's first paid order credits the
 * referrer once, from the scheduler.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { EligibilityError, PanelRejectedError, createPanelkit } from '@panelkit/sdk';
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
  const fake = new FakePanelAdapter({ clock });
  const kit = createPanelkit({
    storage,
    clock,
    panels: () => fake,
    policy: { identity: { secret: 'discount-test-secret-0123456789', prefix: 'pk' } },
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

const reasonOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    if (EligibilityError.is(error)) return String(error.details?.['discountReason'] ?? error.reasons[0]);
    throw error;
  }
  return 'allowed';
};

describe.each(STORAGES)('discount codes and referrals through the engine (%s)', (_name, make) => {
  it('a code lowers the checkout price, the quote shows it, and its use is counted', async () => {
    const w = await world(make);
    const code = await w.kit.createDiscountCode({ code: 'spring20', value: { type: 'percent', percent: 20 }, maxUses: 10 });
    const buyer = await w.customer(5000);
    const quote = await w.kit.quoteCheckout({ customerId: buyer, items: [{ planId: w.plan.id, quantity: 2 }], discountCode: 'Spring20' });
    expect(quote.subtotal.amount).toBe(2000);
    expect(quote.discount).toMatchObject({
      allowed: true,
      quote: { code: 'SPRING20', discount: { amount: 400 }, price: { amount: 1600 } },
    });
    expect(quote.total.amount).toBe(1600);
    const result = await w.kit.checkout({
      customerId: buyer,
      items: [{ planId: w.plan.id, quantity: 2 }],
      idempotencyKey: 'buy',
      discountCode: 'spring20',
    });
    expect(result.order.total.amount).toBe(1600);
    expect(result.discount?.discount.amount).toBe(400);
    expect(await w.balance(buyer)).toBe(3400);
    expect((await w.storage.discounts.get(code.id))!.uses).toBe(1);
    expect(await w.storage.discounts.getRedemption(`purchase:order:${result.order.id}`)).toMatchObject({
      customerId: buyer,
      use: 'purchase',
    });
    // A replay takes nothing more; the same key with another code is a conflict.
    const again = await w.kit.checkout({
      customerId: buyer,
      items: [{ planId: w.plan.id, quantity: 2 }],
      idempotencyKey: 'buy',
      discountCode: 'SPRING20',
    });
    expect(again.replayed).toBe(true);
    expect(await w.balance(buyer)).toBe(3400);
    expect((await w.storage.discounts.get(code.id))!.uses).toBe(1);
    await expect(
      w.kit.checkout({ customerId: buyer, items: [{ planId: w.plan.id, quantity: 2 }], idempotencyKey: 'buy' }),
    ).rejects.toThrow();
  });

  it('a refused code is a reason in the quote and an EligibilityError at checkout that charges nothing', async () => {
    const w = await world(make);
    const buyer = await w.customer(5000);
    await w.kit.createDiscountCode({ code: 'ONCE', value: { type: 'fixed', amount: { amount: 300, currency: 'USD' } }, maxUses: 1 });
    await w.kit.createDiscountCode({ code: 'OTHERPLAN', value: { type: 'percent', percent: 50 }, planIds: ['plan_other'] });
    await w.kit.createDiscountCode({
      code: 'LATER',
      value: { type: 'percent', percent: 50 },
      startsAt: new Date('2026-04-01T00:00:00.000Z'),
    });
    await w.kit.createDiscountCode({
      code: 'BIGSPEND',
      value: { type: 'percent', percent: 50 },
      minAmount: { amount: 5000, currency: 'USD' },
    });
    const buy = (code: string, key: string) =>
      w.kit.checkout({ customerId: buyer, items: [{ planId: w.plan.id }], idempotencyKey: key, discountCode: code });
    expect((await w.kit.quoteCheckout({ customerId: buyer, items: [{ planId: w.plan.id }], discountCode: 'NOPE' })).discount).toEqual({
      allowed: false,
      reason: 'unknown_code',
    });
    expect(await reasonOf(buy('NOPE', 'k1'))).toBe('unknown_code');
    expect(await reasonOf(buy('OTHERPLAN', 'k2'))).toBe('wrong_plan');
    expect(await reasonOf(buy('LATER', 'k3'))).toBe('not_started');
    expect(await reasonOf(buy('BIGSPEND', 'k4'))).toBe('below_minimum');
    expect(await w.balance(buyer)).toBe(5000);
    expect(await reasonOf(buy('ONCE', 'k5'))).toBe('allowed');
    expect(await w.balance(buyer)).toBe(4300);
    const other = await w.customer(5000);
    expect(
      await reasonOf(w.kit.checkout({ customerId: other, items: [{ planId: w.plan.id }], idempotencyKey: 'o1', discountCode: 'once' })),
    ).toBe('exhausted');
    expect(await w.balance(other)).toBe(5000);
  });

  it('first purchase only and per customer: a second order is refused', async () => {
    const w = await world(make);
    await w.kit.createDiscountCode({ code: 'WELCOME', value: { type: 'percent', percent: 10 }, firstPurchaseOnly: true });
    await w.kit.createDiscountCode({ code: 'TWICE', value: { type: 'percent', percent: 10 }, maxUsesPerCustomer: 1 });
    const buyer = await w.customer(5000);
    const buy = (code: string, key: string) =>
      w.kit.checkout({ customerId: buyer, items: [{ planId: w.plan.id }], idempotencyKey: key, discountCode: code });
    expect(await reasonOf(buy('WELCOME', 'a'))).toBe('allowed');
    expect(await reasonOf(buy('WELCOME', 'b'))).toBe('not_first_purchase');
    expect(await reasonOf(buy('TWICE', 'c'))).toBe('allowed');
    expect(await reasonOf(buy('TWICE', 'd'))).toBe('customer_exhausted');
    expect(await w.balance(buyer)).toBe(5000 - 900 - 900);
  });

  it('failed provisioning refunds what was paid and gives the use back; so does an admin refund of an order', async () => {
    const w = await world(make);
    const code = await w.kit.createDiscountCode({ code: 'HALF', value: { type: 'percent', percent: 50 }, maxUses: 1 });
    const buyer = await w.customer(5000);
    w.fake.failNext('createClients', () => new PanelRejectedError('bad inbound', { panelKind: 'fake' }));
    const { order } = await w.kit.checkout({
      customerId: buyer,
      items: [{ planId: w.plan.id }],
      idempotencyKey: 'x',
      discountCode: 'HALF',
    });
    expect(await w.balance(buyer)).toBe(4500);
    await w.drain();
    expect((await w.storage.orders.get(order.id))!.status).toBe('failed');
    expect(await w.balance(buyer)).toBe(5000);
    expect((await w.storage.discounts.get(code.id))!.uses).toBe(0);

    const second = await w.kit.checkout({ customerId: buyer, items: [{ planId: w.plan.id }], idempotencyKey: 'y', discountCode: 'HALF' });
    await w.drain();
    expect((await w.storage.discounts.get(code.id))!.uses).toBe(1);
    await w.kit.refund({
      customerId: buyer,
      amount: { amount: 500, currency: 'USD' },
      idempotencyKey: 'refund-y',
      orderId: second.order.id,
    });
    expect((await w.storage.discounts.get(code.id))!.uses).toBe(0);
    await w.kit.refund({
      customerId: buyer,
      amount: { amount: 500, currency: 'USD' },
      idempotencyKey: 'refund-y',
      orderId: second.order.id,
    });
    expect((await w.storage.discounts.get(code.id))!.uses).toBe(0);
  });

  it('a code on an extension: the quote shows it, the debit is lowered, a code not for extensions is refused', async () => {
    const w = await world(make);
    await w.kit.createDiscountCode({
      code: 'RENEW10',
      value: { type: 'fixed', amount: { amount: 100, currency: 'USD' } },
      appliesTo: ['extension'],
    });
    await w.kit.createDiscountCode({ code: 'BUYONLY', value: { type: 'percent', percent: 10 } });
    const buyer = await w.customer(5000);
    const { subscriptions } = await w.kit.checkout({ customerId: buyer, items: [{ planId: w.plan.id }], idempotencyKey: 'buy' });
    await w.drain();
    w.clock.advance(28 * DAY);
    const quote = await w.kit.quoteExtension(subscriptions[0]!.id, { discountCode: 'renew10' });
    expect(quote.allowed && quote.quote.price.amount).toBe(1000);
    expect(quote.discount).toMatchObject({ allowed: true, quote: { price: { amount: 900 } } });
    expect((await w.kit.quoteExtension(subscriptions[0]!.id, { discountCode: 'BUYONLY' })).discount).toEqual({
      allowed: false,
      reason: 'wrong_use',
    });
    expect(await reasonOf(w.kit.extend({ subscriptionId: subscriptions[0]!.id, idempotencyKey: 'e0', discountCode: 'BUYONLY' }))).toBe(
      'wrong_use',
    );
    const extended = await w.kit.extend({ subscriptionId: subscriptions[0]!.id, idempotencyKey: 'e1', discountCode: 'RENEW10' });
    expect(extended.discount?.discount.amount).toBe(100);
    expect(await w.balance(buyer)).toBe(5000 - 1000 - 900);
    await w.drain();
    // A traffic top-up takes a code made for it, and only such a code.
    await w.storage.plans.update(w.plan.id, { trafficTopUp: { pricePerGiB: { amount: 50, currency: 'USD' }, maxGiBPerPurchase: 100 } });
    // Subscribers keep the terms they bought: the new offer reaches this one when it is moved to the current terms.
    await w.kit.applyCurrentTerms({ planId: w.plan.id });
    await w.kit.createDiscountCode({ code: 'MOREGB', value: { type: 'percent', percent: 50 }, appliesTo: ['traffic_top_up'] });
    expect(
      await reasonOf(w.kit.buyTraffic({ subscriptionId: subscriptions[0]!.id, gib: 4, idempotencyKey: 't0', discountCode: 'RENEW10' })),
    ).toBe('wrong_use');
    await w.kit.buyTraffic({ subscriptionId: subscriptions[0]!.id, gib: 4, idempotencyKey: 't1', discountCode: 'MOREGB' });
    expect(await w.balance(buyer)).toBe(5000 - 1000 - 900 - 100);
  });

  it('an auto-renewal keeps the purchase code when it applies to renewals, a use each time; a failed extension gives its use back', async () => {
    const w = await world(make);
    const code = await w.kit.createDiscountCode({
      code: 'LOYAL',
      value: { type: 'percent', percent: 10 },
      appliesTo: ['purchase', 'renewal', 'extension'],
      maxUses: 3,
    });
    const buyer = await w.customer(5000);
    const { subscriptions } = await w.kit.checkout({
      customerId: buyer,
      items: [{ planId: w.plan.id, autoRenew: true }],
      idempotencyKey: 'buy',
      discountCode: 'LOYAL',
    });
    await w.drain();
    expect(await w.balance(buyer)).toBe(4100);
    const scheduler = w.kit.createScheduler();
    await scheduler.tick();
    w.clock.advance(29 * DAY + 3_600_000);
    await scheduler.tick();
    expect(await w.balance(buyer)).toBe(3200);
    expect((await w.storage.discounts.get(code.id))!.uses).toBe(2);
    expect(await w.storage.discounts.getRedemption(`renew:${subscriptions[0]!.id}:2026-03-31T00:00:00.000Z`)).toMatchObject({
      use: 'renewal',
    });
    await w.drain();

    // An extension whose update fails for good is refunded and its use comes back.
    w.fake.failNext('updateClient', () => new PanelRejectedError('nope', { panelKind: 'fake' }), 20);
    w.fake.failNext('deleteClient', () => new PanelRejectedError('nope', { panelKind: 'fake' }), 20);
    w.fake.failNext('createClients', () => new PanelRejectedError('nope', { panelKind: 'fake' }), 20);
    w.clock.advance(28 * DAY);
    const extended = await w.kit.extend({ subscriptionId: subscriptions[0]!.id, idempotencyKey: 'ext', discountCode: 'loyal' });
    expect(extended.discount?.discount.amount).toBe(100);
    expect((await w.storage.discounts.get(code.id))!.uses).toBe(3);
    for (let i = 0; i < 12; i++) {
      await w.drain();
      w.clock.advance(3_600_000);
    }
    expect((await w.storage.discounts.get(code.id))!.uses).toBe(2);
    expect(await w.balance(buyer)).toBe(3200);
  });

  it("a referred buyer's first paid order, once live, credits the referrer once; self-referral and late referral are refused", async () => {
    const w = await world(make);
    const referrer = await w.customer();
    const buyer = await w.customer(5000);
    expect(await w.kit.recordReferral({ referrerId: referrer, referredId: buyer })).toEqual({ recorded: false, reason: 'program_off' });
    await w.kit.setReferralProgram({ enabled: true, reward: { type: 'share', percent: 10 } });
    expect(await w.kit.recordReferral({ referrerId: buyer, referredId: buyer })).toEqual({ recorded: false, reason: 'self_referral' });
    expect((await w.kit.recordReferral({ referrerId: referrer, referredId: buyer })).recorded).toBe(true);
    expect(await w.kit.recordReferral({ referrerId: referrer, referredId: buyer })).toEqual({
      recorded: false,
      reason: 'already_referred',
    });

    await w.kit.checkout({ customerId: buyer, items: [{ planId: w.plan.id }], idempotencyKey: 'first' });
    await w.kit.createScheduler().tick();
    expect(await w.balance(referrer)).toBe(0); // not live yet
    await w.drain();
    w.clock.advance(60_000);
    expect((await w.kit.createScheduler().tick()).referralsCredited).toBe(1);
    expect(await w.balance(referrer)).toBe(100);
    await w.kit.checkout({ customerId: buyer, items: [{ planId: w.plan.id }], idempotencyKey: 'second' });
    await w.drain();
    w.clock.advance(60_000);
    await w.kit.createScheduler().tick();
    expect(await w.balance(referrer)).toBe(100);
    expect(await w.kit.referralStats(referrer)).toEqual({ referred: 1, rewarded: 1, earned: [{ amount: 100, currency: 'USD' }] });
    const entries = (await w.storage.ledger.list(referrer, { limit: 10 })).items;
    expect(entries.map((e) => [e.kind, e.amount, e.idempotencyKey])).toEqual([['referral', 100, `referral:${buyer}`]]);

    // A customer who has ordered can no longer be referred.
    expect(await w.kit.recordReferral({ referrerId: buyer, referredId: referrer })).toEqual({
      recorded: true,
      referral: expect.anything(),
    });
    const late = await w.customer(5000);
    await w.kit.checkout({ customerId: late, items: [{ planId: w.plan.id }], idempotencyKey: 'late' });
    expect(await w.kit.recordReferral({ referrerId: referrer, referredId: late })).toEqual({ recorded: false, reason: 'not_new_customer' });
  });
});
