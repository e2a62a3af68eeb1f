import { describe, expect, it } from 'vitest';
import { EligibilityError, PanelRejectedError } from '../../src/index.js';
import type { NewDiscountCode, NewPlan } from '../../src/index.js';
import { GiB, createHarness } from './harness.js';
import type { Harness } from './harness.js';

/** A subscription of a 1000, 30-day plan, 15 days in: worth 500 of credit; a 2000 plan costs 1500 more. */
async function halfUsed(h?: Harness, balance = 5000) {
  h ??= await createHarness();
  const customerId = await h.customer(balance);
  const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: `buy-${customerId}` });
  await h.worker().drain();
  return { h, customerId, id: subscriptions[0]!.id };
}

async function fifteenDaysOn(h: Harness) {
  h.clock.advanceDays(15);
  await h.kit.createScheduler().tick();
  await h.worker().drain();
}

const other = (h: Harness, over: Partial<NewPlan> = {}) =>
  h.addPlan({ price: { amount: 2000, currency: 'USD' }, durationDays: 30, trafficBytes: 100 * GiB, ...over });
const code = (h: Harness, over: Partial<NewDiscountCode> = {}) =>
  h.kit.createDiscountCode({ code: 'MOVEUP', value: { type: 'percent', percent: 20 }, appliesTo: ['plan_change'], ...over });
const refusedFor = (reason: string) => (e: unknown) => EligibilityError.is(e) && e.details?.['discountReason'] === reason;

describe('plan change with a discount code', () => {
  it('quotes the code on the amount due, debits the discounted amount and takes one use keyed by the debit', async () => {
    const { h, customerId, id } = await halfUsed();
    await fifteenDaysOn(h);
    const bigger = await other(h);
    const spring = await code(h);
    expect(await h.kit.quotePlanChange(id, bigger.id)).toMatchObject({ allowed: true, discount: null });
    const quote = await h.kit.quotePlanChange(id, bigger.id, { discountCode: ' moveup ' });
    expect(quote).toMatchObject({
      allowed: true,
      quote: { charge: { amount: 1500 } },
      discount: { allowed: true, quote: { original: { amount: 1500 }, discount: { amount: 300 }, price: { amount: 1200 } } },
    });
    const result = await h.kit.changePlan({ subscriptionId: id, planId: bigger.id, idempotencyKey: 'c1', discountCode: 'moveup' });
    expect(result).toMatchObject({ entry: { kind: 'plan_change', amount: -1200 }, discount: { discount: { amount: 300 } } });
    expect(await h.balance(customerId)).toBe(5000 - 1000 - 1200);
    expect(await h.storage.discounts.get(spring.id)).toMatchObject({ uses: 1 });
    expect(await h.storage.discounts.getRedemption(`plan_change:${id}:c1`)).toMatchObject({
      use: 'plan_change',
      subscriptionId: id,
      customerId,
      discount: { amount: 300, currency: 'USD' },
      releasedAt: null,
    });
    const audit = await h.storage.audit.list({ subjectType: 'subscription', subjectId: id }, { limit: 20 });
    expect(audit.items.find((a) => a.action === 'subscription.plan_change_charged')?.data).toMatchObject({
      amount: 1200,
      discountCode: 'MOVEUP',
      discount: 300,
    });
    await h.worker().drain();
    expect(await h.storage.subscriptions.get(id)).toMatchObject({ planId: bigger.id });
    expect(await h.balance(customerId)).toBe(2800);
  });

  it('the same request twice at once (one key) is charged once and takes one use', async () => {
    const { h, customerId, id } = await halfUsed();
    await fifteenDaysOn(h);
    const bigger = await other(h);
    const spring = await code(h, { maxUses: 5 });
    const request = { subscriptionId: id, planId: bigger.id, idempotencyKey: 'same', discountCode: 'MOVEUP' };
    const both = await Promise.all([h.kit.changePlan(request), h.kit.changePlan(request)]);
    expect(both.map((r) => r.replayed).sort()).toEqual([false, true]);
    const again = await h.kit.changePlan(request);
    expect(again).toMatchObject({ replayed: true, discount: null, entry: null });
    expect(await h.storage.discounts.get(spring.id)).toMatchObject({ uses: 1 });
    expect(await h.balance(customerId)).toBe(2800);
  });

  it('a free change (100%) writes no debit but still takes the use, once per key', async () => {
    const { h, customerId, id } = await halfUsed();
    await fifteenDaysOn(h);
    const bigger = await other(h);
    const free = await code(h, { code: 'FREEMOVE', value: { type: 'percent', percent: 100 } });
    const request = { subscriptionId: id, planId: bigger.id, idempotencyKey: 'f', discountCode: 'FREEMOVE' };
    expect(await h.kit.changePlan(request)).toMatchObject({ entry: null, replayed: false, discount: { price: { amount: 0 } } });
    expect(await h.kit.changePlan(request)).toMatchObject({ replayed: true });
    expect(await h.storage.discounts.get(free.id)).toMatchObject({ uses: 1 });
    expect(await h.balance(customerId)).toBe(4000);
    await h.worker().drain();
    expect(await h.storage.subscriptions.get(id)).toMatchObject({ planId: bigger.id });
  });

  it('the last use goes to one change; the next is refused `exhausted` and writes nothing', async () => {
    const h = await createHarness();
    const first = await halfUsed(h);
    const second = await halfUsed(h);
    await fifteenDaysOn(h);
    const bigger = await other(h);
    const last = await code(h, { maxUses: 1 });
    await h.kit.changePlan({ subscriptionId: first.id, planId: bigger.id, idempotencyKey: 'a', discountCode: 'MOVEUP' });
    expect(await h.kit.quotePlanChange(second.id, bigger.id, { discountCode: 'MOVEUP' })).toMatchObject({
      allowed: true,
      discount: { allowed: false, reason: 'exhausted' },
    });
    await expect(
      h.kit.changePlan({ subscriptionId: second.id, planId: bigger.id, idempotencyKey: 'b', discountCode: 'MOVEUP' }),
    ).rejects.toSatisfy(refusedFor('exhausted'));
    expect(await h.balance(second.customerId)).toBe(4000);
    expect(await h.kit.changeInFlight(second.id)).toBe(false);
    expect((await h.storage.plans.get(bigger.id))!.allocated).toBe(1);
    expect(await h.storage.discounts.get(last.id)).toMatchObject({ uses: 1 });
  });

  it.each([
    ['a downgrade (credit beyond the new price)', { price: { amount: 300, currency: 'USD' } }, {}, 'nothing_to_discount'],
    ['a minimum above the prorated amount due', {}, { minAmount: { amount: 1600, currency: 'USD' } }, 'below_minimum'],
    ['a code for purchases only', {}, { appliesTo: ['purchase'] }, 'wrong_use'],
    ['a code per customer already used up', {}, { maxUsesPerCustomer: 1 }, 'customer_exhausted'],
  ] as [string, Partial<NewPlan>, Partial<NewDiscountCode>, string][])(
    'refuses %s, charging and reserving nothing',
    async (name, planOver, codeOver, reason) => {
      const { h, customerId, id } = await halfUsed();
      await fifteenDaysOn(h);
      const target = await other(h, planOver);
      const c = await code(h, codeOver);
      if (reason === 'customer_exhausted') {
        // Its one use per customer spent on another subscription's change.
        const more = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy-more' });
        await h.worker().drain();
        await h.kit.changePlan({
          subscriptionId: more.subscriptions[0]!.id,
          planId: target.id,
          idempotencyKey: 'x',
          discountCode: 'MOVEUP',
        });
      }
      const before = await h.balance(customerId);
      const uses = (await h.storage.discounts.get(c.id))!.uses;
      expect(await h.kit.quotePlanChange(id, target.id, { discountCode: 'MOVEUP' })).toMatchObject({
        discount: { allowed: false, reason },
      });
      await expect(
        h.kit.changePlan({ subscriptionId: id, planId: target.id, idempotencyKey: name, discountCode: 'MOVEUP' }),
      ).rejects.toSatisfy(refusedFor(reason));
      expect(await h.balance(customerId)).toBe(before);
      expect(await h.kit.changeInFlight(id)).toBe(false);
      expect((await h.storage.discounts.get(c.id))!.uses).toBe(uses);
      expect(await h.storage.discounts.getRedemption(`plan_change:${id}:${name}`)).toBeNull();
    },
  );

  it('a change that fails for good refunds the discounted debit and gives the use back', async () => {
    const { h, customerId, id } = await halfUsed();
    await fifteenDaysOn(h);
    const bigger = await other(h);
    const last = await code(h, { maxUses: 1 });
    await h.kit.changePlan({ subscriptionId: id, planId: bigger.id, idempotencyKey: 'r', discountCode: 'MOVEUP' });
    expect(await h.balance(customerId)).toBe(2800);
    h.panels[0]!.fake.failNext('updateClient', () => new PanelRejectedError('no', { panelKind: 'fake' }));
    await h.worker().drain();
    expect(await h.balance(customerId)).toBe(4000);
    expect(await h.storage.discounts.get(last.id)).toMatchObject({ uses: 0 });
    expect((await h.storage.discounts.getRedemption(`plan_change:${id}:r`))!.releasedAt).not.toBeNull();
    // The use given back can be taken again.
    await h.kit.changePlan({ subscriptionId: id, planId: bigger.id, idempotencyKey: 'r2', discountCode: 'MOVEUP' });
    expect(await h.storage.discounts.get(last.id)).toMatchObject({ uses: 1 });
  });
});
