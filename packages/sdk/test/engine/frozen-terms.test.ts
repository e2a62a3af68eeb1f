import { describe, expect, it } from 'vitest';
import { termsOf } from '../../src/index.js';
import { createHarness } from './harness.js';

/** A subscriber of the harness plan (1000 USD, 30 days, extension window 3 days), bought on 2026-03-01. */
async function subscriber(balance = 10_000, autoRenew = false) {
  const h = await createHarness();
  const customerId = await h.customer(balance);
  const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, autoRenew }], idempotencyKey: 'buy' });
  await h.worker().drain();
  return { h, customerId, id: subscriptions[0]!.id };
}

/** The owner edits the plan: dearer, longer, a wider extension window and a new extension price. */
const EDIT = {
  price: { amount: 2500, currency: 'USD' },
  durationDays: 60,
  extension: { windowDays: 10, trafficOnExtend: 'replace' as const, daysOnExtend: 'stack' as const, price: null },
};

describe('terms frozen at purchase', () => {
  it('a subscription keeps the price, window and duration it was sold with after the plan is edited; new buyers get the new terms', async () => {
    const { h, customerId, id } = await subscriber();
    const sold = (await h.storage.subscriptions.get(id))!;
    expect(sold.terms).toEqual(termsOf(h.plan));
    await h.storage.plans.update(h.plan.id, EDIT);

    // Six days left: inside the edited window (10) but not the one it was sold with (3).
    h.clock.set('2026-03-25T00:00:00.000Z');
    expect(await h.kit.quoteExtension(id)).toMatchObject({ allowed: false, reason: 'too_early' });
    h.clock.set('2026-03-29T00:00:00.000Z');
    const quote = await h.kit.quoteExtension(id);
    expect(quote.allowed && quote.quote.price).toEqual({ amount: 1000, currency: 'USD' });
    expect(quote.allowed && quote.quote.newExpiresAt).toEqual(new Date('2026-04-30T00:00:00.000Z'));
    await h.kit.extend({ subscriptionId: id, idempotencyKey: 'ext' });
    await h.worker().drain();
    expect(await h.balance(customerId)).toBe(10_000 - 1000 - 1000);
    expect((await h.storage.subscriptions.get(id))!.expiresAt).toEqual(new Date('2026-04-30T00:00:00.000Z'));

    const newcomer = await h.customer(10_000);
    const bought = await h.kit.checkout({ customerId: newcomer, items: [{ planId: h.plan.id }], idempotencyKey: 'new' });
    expect(await h.balance(newcomer)).toBe(7500);
    expect((await h.storage.subscriptions.get(bought.subscriptions[0]!.id))!.terms).toMatchObject({ price: EDIT.price, durationDays: 60 });
  });

  it('renews at the price it was sold with', async () => {
    const { h, customerId, id } = await subscriber(10_000, true);
    await h.storage.plans.update(h.plan.id, EDIT);
    const scheduler = h.kit.createScheduler();
    h.clock.set('2026-03-30T00:00:00.000Z'); // a day before expiry: renewal time
    expect((await scheduler.tick()).renewed).toBe(1);
    await h.worker().drain();
    expect(await h.balance(customerId)).toBe(10_000 - 1000 - 1000);
    expect((await h.storage.subscriptions.get(id))!.expiresAt).toEqual(new Date('2026-04-30T00:00:00.000Z'));
  });

  it('moves subscribers to the current terms only when told, once each, with an audit event', async () => {
    const { h, id } = await subscriber();
    const other = await h.customer(10_000);
    const second = (await h.kit.checkout({ customerId: other, items: [{ planId: h.plan.id }], idempotencyKey: 'b2' })).subscriptions[0]!;
    await h.storage.plans.update(h.plan.id, EDIT);

    expect(await h.kit.applyCurrentTerms({ planId: h.plan.id, subscriptionIds: [id] })).toEqual({ moved: [id], unchanged: 0 });
    const moved = (await h.storage.subscriptions.get(id))!;
    expect(moved.terms).toEqual(termsOf((await h.storage.plans.get(h.plan.id))!));
    // The current period is left as bought.
    expect(moved.expiresAt).toEqual(new Date('2026-03-31T00:00:00.000Z'));
    expect((await h.storage.subscriptions.get(second.id))!.terms?.price.amount).toBe(1000);
    h.clock.set('2026-03-25T00:00:00.000Z');
    const quote = await h.kit.quoteExtension(id);
    expect(quote.allowed && quote.quote.price).toEqual(EDIT.price);

    const all = await h.kit.applyCurrentTerms({ planId: h.plan.id });
    expect(all).toEqual({ moved: [second.id], unchanged: 1 });
    expect(await h.kit.applyCurrentTerms({ planId: h.plan.id })).toEqual({ moved: [], unchanged: 2 });
    const audit = (await h.storage.audit.list({ subjectType: 'subscription' }, { limit: 100 })).items.filter(
      (e) => e.action === 'subscription.terms_changed',
    );
    expect(audit.map((e) => [e.subjectId, e.data['fromPrice'], e.data['toPrice']]).sort()).toEqual(
      [
        [id, 1000, 2500],
        [second.id, 1000, 2500],
      ].sort(),
    );
    await expect(h.kit.applyCurrentTerms({ planId: h.plan.id, subscriptionIds: ['sub_unknown'] })).rejects.toThrow(/sub_unknown/);
  });

  it('a plan change freezes the new plan’s terms as they were when it was bought', async () => {
    const { h, id } = await subscriber();
    const bigger = await h.addPlan({ price: { amount: 3000, currency: 'USD' }, trafficBytes: null });
    await h.kit.changePlan({ subscriptionId: id, planId: bigger.id, idempotencyKey: 'up' });
    await h.storage.plans.update(bigger.id, { price: { amount: 9000, currency: 'USD' } });
    await h.worker().drain();
    const changed = (await h.storage.subscriptions.get(id))!;
    expect(changed.planId).toBe(bigger.id);
    expect(changed.terms).toEqual(termsOf(bigger));
  });
});
