import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { defaultBuiltChoice, quoteBuiltPlan } from '../../src/plan-builder.js';
import type { PlanBuilderInput } from '../../src/plan-builder.js';
import { createHarness, GiB } from './harness.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const BUILDER: PlanBuilderInput = {
  basePrice: usd(100),
  locations: { options: ['de', 'nl'], unitPrice: usd(150), min: 1, max: 2 },
  devices: { unitPrice: usd(50), min: 1, max: 5 },
  trafficGiB: { unitPrice: usd(2), min: 10, max: 500, step: 10 },
  durationDays: { unitPrice: usd(5), min: 30, max: 90, step: 30 },
};
const CHOICE = { locations: ['de', 'nl'], devices: 3, trafficGiB: 100, days: 30 };
/** 100 + 2×150 + 3×50 + 100×2 + 30×5. */
const PRICE = 900;

async function shop(trial: Record<string, unknown>) {
  const h = await createHarness({ plan: { builder: BUILDER, deviceLimit: 1, trial: trial as never } });
  const nl = await h.addPanel({ locationTags: ['nl'] });
  const customerId = await h.customer(5000);
  return { h, nl, de: h.panels[0]!, customerId };
}

describe('a trial of a built plan', () => {
  it('takes the buyer’s choice: quoted by the same rule, the trial’s price paid, one trial subscription per location', async () => {
    const { h, nl, de, customerId } = await shop({ days: 3, trafficBytes: GiB, price: usd(90) });
    const item = { planId: h.plan.id, trial: true, choice: CHOICE };
    const quoted = await h.kit.quoteCheckout({ customerId, items: [item] });
    const rule = quoteBuiltPlan(h.plan, CHOICE);
    expect(quoted.items[0]).toEqual({
      planId: h.plan.id,
      quantity: 1,
      unitPrice: usd(90),
      trial: true,
      built: { choice: CHOICE, price: usd(PRICE) },
    });
    expect(rule.allowed && rule.quote.price).toEqual(usd(PRICE));
    expect(quoted.total).toEqual(usd(90));
    const { subscriptions } = await h.kit.checkout({ customerId, items: [item], idempotencyKey: 'trial' });
    expect(await h.balance(customerId)).toBe(5000 - 90);
    await h.worker().drain();
    const subs = await Promise.all(subscriptions.map(async (s) => (await h.storage.subscriptions.get(s.id))!));
    expect(subs.map((s) => [s.panelId, s.trial, s.status, s.deviceLimit, s.trafficLimitBytes, s.terms?.built?.location])).toEqual([
      [de.panel.id, true, 'active', 3, GiB, 'de'],
      [nl.panel.id, true, 'active', 3, GiB, 'nl'],
    ]);
    expect(subs[0]!.bundleId).toBe(subs[1]!.bundleId);

    // Converted in place to the paid plan: each subscription charges its share of the quoted price, the built terms hold.
    for (const sub of subs) await h.kit.extend({ subscriptionId: sub.id, idempotencyKey: `convert-${sub.id}` });
    expect(await h.balance(customerId)).toBe(5000 - 90 - PRICE);
    await h.worker().drain();
    for (const sub of subs) {
      const converted = (await h.storage.subscriptions.get(sub.id))!;
      expect(converted).toMatchObject({ id: sub.id, trial: false, status: 'active', deviceLimit: 3, trafficLimitBytes: 100 * GiB });
    }
  });

  it('without a choice takes the builder’s defaults; a refused choice is a 4xx-grade ValidationError that writes nothing', async () => {
    const { h, de, customerId } = await shop({ days: 3, trafficBytes: GiB });
    expect(defaultBuiltChoice(h.plan.builder!)).toEqual({ locations: ['de'] });
    const quoted = await h.kit.quoteCheckout({ customerId, items: [{ planId: h.plan.id, trial: true }] });
    expect(quoted.items[0]?.built).toEqual({
      choice: { locations: ['de'], devices: 1, trafficGiB: 10, days: 30 },
      price: usd(100 + 150 + 50 + 20 + 150),
    });
    expect(quoted.total).toEqual(usd(0));

    const refused = await h.kit
      .checkout({ customerId, items: [{ planId: h.plan.id, trial: true, choice: { locations: ['us'] } }], idempotencyKey: 'bad' })
      .catch((e: unknown) => e);
    expect(ValidationError.is(refused) && refused.details).toMatchObject({ reason: 'unknown_location' });
    expect(await h.storage.orders.getByIdempotencyKey(customerId, 'bad')).toBeNull();

    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, trial: true }], idempotencyKey: 'plain' });
    expect(subscriptions.map((s) => [s.panelId, s.deviceLimit, s.trial])).toEqual([[de.panel.id, 1, true]]);
    expect(await h.balance(customerId)).toBe(5000);
  });
});
