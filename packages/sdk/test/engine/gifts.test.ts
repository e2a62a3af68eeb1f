import { describe, expect, it } from 'vitest';
import {
  CapacityExhaustedError,
  EligibilityError,
  IdempotencyConflictError,
  InsufficientFundsError,
  NotFoundError,
  PanelRejectedError,
} from '../../src/index.js';
import { normalizeGiftCode } from '../../src/gifts.js';
import { createHarness } from './harness.js';

const reasonOf = (e: unknown) => (EligibilityError.is(e) ? e.reasons[0] : String(e));
const DAY = 86_400_000;

async function setup(options: Parameters<typeof createHarness>[0] = {}) {
  const h = await createHarness(options);
  const giver = await h.customer(5000);
  const friend = await h.customer(0);
  return { h, giver, friend };
}

describe('gifts', () => {
  it('a giver pays from the wallet once; a friend claims the code and owns a new subscription, provisioned by the worker', async () => {
    const { h, giver, friend } = await setup();
    const bought = await h.kit.gifts.buy({ customerId: giver, planId: h.plan.id, validDays: 30, idempotencyKey: 'g1' });
    expect(bought).toMatchObject({ replayed: false, debit: { kind: 'purchase', amount: -1000, reference: bought.gift.id } });
    expect(bought.gift).toMatchObject({ status: 'unclaimed', price: { amount: 1000, currency: 'USD' }, giverId: giver });
    expect(bought.gift.expiresAt).toEqual(new Date(h.clock.now().getTime() + 30 * DAY));
    expect(await h.balance(giver)).toBe(4000);
    const again = await h.kit.gifts.buy({ customerId: giver, planId: h.plan.id, validDays: 30, idempotencyKey: 'g1' });
    expect(again).toMatchObject({ replayed: true, gift: { id: bought.gift.id } });
    expect(await h.balance(giver)).toBe(4000);

    h.clock.advanceDays(2);
    const typed = `${bought.gift.code.slice(0, 4).toLowerCase()}-${bought.gift.code.slice(4)}`;
    const claim = await h.kit.gifts.claim({ code: typed, customerId: friend });
    expect(claim.replayed).toBe(false);
    expect(claim.gift).toMatchObject({ status: 'claimed', claimedBy: friend, orderId: claim.order.id, claimedAt: h.clock.now() });
    expect(claim.order).toMatchObject({ customerId: friend, total: { amount: 0 } });
    expect(claim.subscriptions).toHaveLength(1);
    expect(claim.subscriptions[0]).toMatchObject({ customerId: friend, planId: h.plan.id, status: 'pending', autoRenew: false });
    expect(await h.balance(friend)).toBe(0);
    await h.worker().drain();
    const sub = (await h.storage.subscriptions.get(claim.subscriptions[0]!.id))!;
    expect(sub.status).toBe('active');
    // Its period starts at the claim, not at the purchase.
    expect(sub.expiresAt).toEqual(new Date(h.clock.now().getTime() + 30 * DAY));
    expect((await h.kit.gifts.claim({ code: bought.gift.code, customerId: friend })).replayed).toBe(true);
    expect((await h.kit.gifts.listByGiver(giver)).map((g) => [g.id, g.status, g.claimedBy])).toEqual([[bought.gift.id, 'claimed', friend]]);
    const actions = (await h.storage.audit.list({ subjectType: 'gift', subjectId: bought.gift.id }, { limit: 10 })).items.map(
      (e) => e.action,
    );
    expect(actions.sort()).toEqual(['gift.bought', 'gift.claimed']);
  });

  it('is claimed once: a second account, the giver, a bad code and a late claim are refused, changing nothing', async () => {
    const { h, giver, friend } = await setup();
    const third = await h.customer(0);
    const { gift } = await h.kit.gifts.buy({ customerId: giver, planId: h.plan.id, validDays: 1, idempotencyKey: 'g' });
    const own = await h.kit.gifts.claim({ code: gift.code, customerId: giver }).catch((e: unknown) => e);
    expect(reasonOf(own)).toBe('own_gift');
    expect(NotFoundError.is(await h.kit.gifts.claim({ code: 'nonsense', customerId: friend }).catch((e: unknown) => e))).toBe(true);
    await h.kit.gifts.claim({ code: gift.code, customerId: friend });
    expect(reasonOf(await h.kit.gifts.claim({ code: gift.code, customerId: third }).catch((e: unknown) => e))).toBe('gift_claimed');
    expect(await h.storage.subscriptions.listByCustomer(third, { limit: 10 }).then((p) => p.items)).toEqual([]);

    const late = await h.kit.gifts.buy({ customerId: giver, planId: h.plan.id, validDays: 1, idempotencyKey: 'late' });
    h.clock.advanceDays(2);
    expect(reasonOf(await h.kit.gifts.claim({ code: late.gift.code, customerId: third }).catch((e: unknown) => e))).toBe('gift_expired');
  });

  it('refuses a purchase the wallet cannot pay, a plan off sale, a key reused for another plan', async () => {
    const { h, giver, friend } = await setup();
    const poor = await h.kit.gifts
      .buy({ customerId: friend, planId: h.plan.id, validDays: 7, idempotencyKey: 'p' })
      .catch((e: unknown) => e);
    expect(InsufficientFundsError.is(poor)).toBe(true);
    expect(await h.kit.gifts.listByGiver(friend)).toEqual([]);
    const hidden = await h.addPlan({ onSale: false });
    expect(
      reasonOf(await h.kit.gifts.buy({ customerId: giver, planId: hidden.id, validDays: 7, idempotencyKey: 'h' }).catch((e: unknown) => e)),
    ).toBe('not_on_sale');
    const other = await h.addPlan();
    await h.kit.gifts.buy({ customerId: giver, planId: h.plan.id, validDays: 7, idempotencyKey: 'k' });
    const reused = await h.kit.gifts
      .buy({ customerId: giver, planId: other.id, validDays: 7, idempotencyKey: 'k' })
      .catch((e: unknown) => e);
    expect(IdempotencyConflictError.is(reused)).toBe(true);
    expect(await h.balance(giver)).toBe(4000);
  });

  it('refuses a plan the buyer composes (built_plan): its stored price is no price it sells for; nothing is written', async () => {
    const { h, giver } = await setup();
    const built = await h.addPlan({
      price: { amount: 999, currency: 'USD' },
      builder: { basePrice: { amount: 100, currency: 'USD' }, devices: { unitPrice: { amount: 70, currency: 'USD' }, min: 1, max: 3 } },
    });
    const refused = await h.kit.gifts
      .buy({ customerId: giver, planId: built.id, validDays: 7, idempotencyKey: 'b' })
      .catch((e: unknown) => e);
    expect(reasonOf(refused)).toBe('built_plan');
    expect(await h.kit.gifts.listByGiver(giver)).toEqual([]);
    expect(await h.balance(giver)).toBe(5000);
  });

  it('an unclaimed gift expires on the scheduler’s tick and its price goes back to the giver once', async () => {
    const { h, giver, friend } = await setup();
    const { gift } = await h.kit.gifts.buy({ customerId: giver, planId: h.plan.id, validDays: 3, idempotencyKey: 'g' });
    h.clock.advanceDays(2);
    expect((await h.kit.createScheduler().tick()).giftsExpired).toBe(0);
    h.clock.advanceDays(2);
    expect((await h.kit.createScheduler().tick()).giftsExpired).toBe(1);
    expect(await h.kit.gifts.expireDue()).toBe(0);
    expect(await h.balance(giver)).toBe(5000);
    const entries = (await h.storage.ledger.list(giver, { limit: 10 })).items.filter((e) => e.reference === gift.id);
    expect(entries.map((e) => [e.kind, e.amount]).sort()).toEqual([
      ['purchase', -1000],
      ['refund', 1000],
    ]);
    expect(reasonOf(await h.kit.gifts.claim({ code: gift.code, customerId: friend }).catch((e: unknown) => e))).toBe('gift_expired');
    expect((await h.kit.gifts.byCode(gift.code))!.status).toBe('expired');
  });

  it('a gifted subscription whose provisioning fails for good gives the gift’s price to the claimer, once', async () => {
    const { h, giver, friend } = await setup();
    const { gift } = await h.kit.gifts.buy({ customerId: giver, planId: h.plan.id, validDays: 3, idempotencyKey: 'g' });
    const claim = await h.kit.gifts.claim({ code: gift.code, customerId: friend });
    h.panels[0]!.fake.failNext('createClients', () => new PanelRejectedError('bad inbound', { panelKind: 'fake' }));
    await h.worker().drain();
    expect((await h.storage.subscriptions.get(claim.subscriptions[0]!.id))!.status).toBe('failed');
    expect(await h.balance(friend)).toBe(1000);
    expect(await h.balance(giver)).toBe(4000);
    await h.worker().drain();
    const refunds = (await h.storage.ledger.list(friend, { limit: 10 })).items.filter((e) => e.kind === 'refund');
    expect(refunds.map((e) => [e.amount, e.orderId])).toEqual([[1000, claim.order.id]]);
  });

  it('a claim that finds no room leaves the gift unclaimed for a later claim', async () => {
    const { h, giver, friend } = await setup({ panel: { capacity: 1 } });
    const { gift } = await h.kit.gifts.buy({ customerId: giver, planId: h.plan.id, validDays: 3, idempotencyKey: 'g' });
    const other = await h.customer(1000);
    await h.kit.checkout({ customerId: other, items: [{ planId: h.plan.id }], idempotencyKey: 'fill' });
    expect(CapacityExhaustedError.is(await h.kit.gifts.claim({ code: gift.code, customerId: friend }).catch((e: unknown) => e))).toBe(true);
    expect((await h.kit.gifts.byCode(gift.code))!.status).toBe('unclaimed');
    expect(normalizeGiftCode(` ${gift.code.toLowerCase()} `)).toBe(gift.code);
  });
});
