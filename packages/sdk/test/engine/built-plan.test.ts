import { describe, expect, it } from 'vitest';
import { CapacityExhaustedError, IdempotencyConflictError, ValidationError } from '../../src/index.js';
import { quoteBuiltPlan } from '../../src/plan-builder.js';
import { StorefrontRefusedError } from '../../src/storefronts.js';
import type { PlanBuilderInput } from '../../src/plan-builder.js';
import { createHarness, GiB } from './harness.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });

/** Base 100; locations 150 each (1–2 of de, nl), devices 50 each (1–5), 2/GiB (10–500 by 10), 5/day (30–90 by 30). */
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

/** A shop with a panel in `de` (the harness's first) and one in `nl`, a built plan and a buyer holding 5000. */
async function shop(nlCapacity: number | null = null) {
  const h = await createHarness({ plan: { builder: BUILDER, deviceLimit: 1 }, links: { secret: 'built-plan-test-secret-0123456789' } });
  const nl = await h.addPanel({ locationTags: ['nl'], capacity: nlCapacity });
  const customerId = await h.customer(5000);
  return { h, nl, de: h.panels[0]!, customerId };
}

describe('a built plan', () => {
  it('is quoted, bought at the quote and provisioned once in each chosen location, with the built terms frozen', async () => {
    const { h, nl, de, customerId } = await shop();
    const decision = quoteBuiltPlan(h.plan, CHOICE);
    expect(decision.allowed && decision.quote.price).toEqual(usd(PRICE));
    const quoted = await h.kit.quoteCheckout({ customerId, items: [{ planId: h.plan.id, choice: CHOICE }] });
    expect(quoted.total).toEqual(usd(PRICE));

    const { order, subscriptions } = await h.kit.checkout({
      customerId,
      items: [{ planId: h.plan.id, choice: CHOICE }],
      idempotencyKey: 'b1',
    });
    expect(order.total).toEqual(usd(PRICE));
    expect(order.items).toEqual([
      { planId: h.plan.id, quantity: 1, unitPrice: usd(PRICE), trial: false, built: { choice: CHOICE, price: usd(PRICE) } },
    ]);
    const entries = (await h.storage.ledger.list(customerId, { limit: 10 })).items.filter((e) => e.kind === 'purchase');
    expect(entries.map((e) => e.amount)).toEqual([-PRICE]);
    expect(await h.balance(customerId)).toBe(5000 - PRICE);

    expect(subscriptions.map((s) => [s.panelId, s.terms?.built?.location, s.terms?.price.amount])).toEqual([
      [de.panel.id, 'de', 450],
      [nl.panel.id, 'nl', 450],
    ]);
    expect(subscriptions[0]!.bundleId).toMatch(/^bnd_/);
    expect(subscriptions[1]!.bundleId).toBe(subscriptions[0]!.bundleId);
    for (const sub of subscriptions) {
      expect(sub).toMatchObject({ trafficLimitBytes: 100 * GiB, durationDays: 30, deviceLimit: 3 });
      expect(sub.terms).toMatchObject({
        durationDays: 30,
        trafficBytes: 100 * GiB,
        deviceLimit: 3,
        built: { choice: CHOICE, price: usd(PRICE) },
      });
    }
    await h.worker().drain();
    const [onDe, onNl] = await Promise.all(subscriptions.map((s) => h.storage.subscriptions.get(s.id)));
    expect([onDe!.status, onNl!.status]).toEqual(['active', 'active']);
    expect(de.fake.client(onDe!.remote.username)).toMatchObject({ trafficLimitBytes: 100 * GiB, deviceLimit: 3 });
    expect(nl.fake.client(onNl!.remote.username)).toMatchObject({ trafficLimitBytes: 100 * GiB, deviceLimit: 3 });
    expect(de.fake.client(onNl!.remote.username)).toBeUndefined();

    // The bundle is one subscription to its buyer: the own link of either location serves both; another buy is apart.
    const other = await h.kit.checkout({
      customerId,
      items: [{ planId: h.plan.id, choice: { ...CHOICE, locations: ['de'] } }],
      idempotencyKey: 'b2',
    });
    const token = await h.kit.links.tokenForSubscription(customerId, onNl!.id);
    const scope = await h.kit.links.scope(token);
    expect(scope?.subscriptions.map((s) => s.id).sort()).toEqual([onDe!.id, onNl!.id].sort());
    const alone = await h.kit.links.scope(await h.kit.links.tokenForSubscription(customerId, other.subscriptions[0]!.id));
    expect(alone?.subscriptions.map((s) => s.id)).toEqual([other.subscriptions[0]!.id]);
  });

  it('extends each subscription at its frozen share, the bundle at the quote, even after the owner reprices the plan', async () => {
    const { h, customerId } = await shop();
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, choice: CHOICE }], idempotencyKey: 'b1' });
    await h.worker().drain();
    await h.kit.plans.update(h.plan.id, { builder: { ...BUILDER, basePrice: usd(10_000) }, price: usd(7000) });
    const boughtAt = h.clock.now().getTime();
    h.clock.advanceDays(28);
    const before = await h.balance(customerId);
    for (const sub of subscriptions) await h.kit.extend({ subscriptionId: sub.id, idempotencyKey: `ext-${sub.id}` });
    expect(before - (await h.balance(customerId))).toBe(PRICE);
    await h.worker().drain();
    for (const sub of subscriptions) {
      const after = (await h.storage.subscriptions.get(sub.id))!;
      expect(after.expiresAt).toEqual(new Date(boughtAt + 60 * 86_400_000));
      expect(after.trafficLimitBytes).toBe(100 * GiB);
    }
  });

  it('moves to the current terms by re-quoting the same choice at the builder’s current prices', async () => {
    const { h, customerId } = await shop();
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, choice: CHOICE }], idempotencyKey: 'b1' });
    await h.kit.plans.update(h.plan.id, { builder: { ...BUILDER, basePrice: usd(101) } });
    const result = await h.kit.applyCurrentTerms({ planId: h.plan.id });
    expect(result.moved.sort()).toEqual(subscriptions.map((s) => s.id).sort());
    const terms = await Promise.all(subscriptions.map((s) => h.storage.subscriptions.get(s.id).then((x) => x!.terms!)));
    expect(terms.map((t) => [t.price.amount, t.built?.price.amount, t.built?.location, t.deviceLimit])).toEqual([
      [451, PRICE + 1, 'de', 3],
      [450, PRICE + 1, 'nl', 3],
    ]);
    expect((await h.kit.applyCurrentTerms({ planId: h.plan.id })).moved).toEqual([]);
  });

  it('sells device packs over the built device limit and traffic top-ups over the built traffic', async () => {
    const h = await createHarness({
      plan: {
        builder: BUILDER,
        deviceLimit: 1,
        devicePack: { pricePer30Days: usd(300), maxExtraDevices: 2 },
        trafficTopUp: { pricePerGiB: usd(10), maxGiBPerPurchase: 100 },
      },
    });
    await h.addPanel({ locationTags: ['nl'] });
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, choice: CHOICE }], idempotencyKey: 'b1' });
    await h.worker().drain();
    const id = subscriptions[0]!.id;
    await h.kit.devices.buyPack({ subscriptionId: id, devices: 2, idempotencyKey: 'pack' });
    await h.kit.buyTraffic({ subscriptionId: id, gib: 5, idempotencyKey: 'gib' });
    await h.worker().drain();
    expect(await h.storage.subscriptions.get(id)).toMatchObject({ deviceLimit: 5, trafficLimitBytes: 105 * GiB });
    const refused = await h.kit.devices.quotePack(id, 1);
    expect(refused).toMatchObject({ allowed: false, reason: 'above_maximum' });
  });

  it('changes plan prorating the frozen share', async () => {
    const { h, customerId } = await shop();
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, choice: CHOICE }], idempotencyKey: 'b1' });
    await h.worker().drain();
    h.clock.advanceDays(15);
    const bigger = await h.addPlan({
      price: usd(2000),
      placement: { allowedLocations: ['de'], preferredTargetIds: [], requiredTargetTags: [] },
    });
    const quote = await h.kit.quotePlanChange(subscriptions[0]!.id, bigger.id);
    expect(quote).toMatchObject({ allowed: true, quote: { credit: { amount: 225 }, charge: { amount: 1775 } } });
    await h.kit.changePlan({ subscriptionId: subscriptions[0]!.id, planId: bigger.id, idempotencyKey: 'c1' });
    await h.worker().drain();
    expect((await h.storage.subscriptions.get(subscriptions[0]!.id))!).toMatchObject({ planId: bigger.id, status: 'active' });
  });

  it('replays the same key, and refuses the same key with another choice', async () => {
    const { h, customerId } = await shop();
    const first = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, choice: CHOICE }], idempotencyKey: 'k' });
    const again = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, choice: CHOICE }], idempotencyKey: 'k' });
    expect(again.replayed).toBe(true);
    expect(again.subscriptions.map((s) => s.id).sort()).toEqual(first.subscriptions.map((s) => s.id).sort());
    await expect(
      h.kit.checkout({ customerId, items: [{ planId: h.plan.id, choice: { ...CHOICE, devices: 4 } }], idempotencyKey: 'k' }),
    ).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(
      h.kit.checkout({ customerId, items: [{ planId: h.plan.id, choice: { ...CHOICE, locations: ['nl', 'de'] } }], idempotencyKey: 'k' }),
    ).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect(await h.balance(customerId)).toBe(5000 - PRICE);
  });

  it('refuses a full location cleanly, writing nothing', async () => {
    const { h, customerId } = await shop(0);
    const error = await h.kit
      .checkout({ customerId, items: [{ planId: h.plan.id, choice: CHOICE }], idempotencyKey: 'full' })
      .catch((e: unknown) => e);
    expect(CapacityExhaustedError.is(error)).toBe(true);
    expect((error as CapacityExhaustedError).details).toMatchObject({ reason: 'location_full', location: 'nl' });
    expect(await h.balance(customerId)).toBe(5000);
    expect((await h.storage.subscriptions.listByCustomer(customerId, { limit: 10 })).items).toEqual([]);
    // The other location alone still sells.
    const { subscriptions } = await h.kit.checkout({
      customerId,
      items: [{ planId: h.plan.id, choice: { ...CHOICE, locations: ['de'] } }],
      idempotencyKey: 'de-only',
    });
    expect(subscriptions).toHaveLength(1);
    expect(await h.balance(customerId)).toBe(5000 - (PRICE - 150));
  });

  it('refuses a bad choice, a choice on a fixed plan and a built plan without a choice as ValidationError, writing nothing', async () => {
    const { h, customerId } = await shop();
    const fixed = await h.addPlan();
    const bad = [
      { planId: h.plan.id, choice: { ...CHOICE, devices: 6 } },
      { planId: h.plan.id, choice: { ...CHOICE, locations: ['fi'] } },
      { planId: h.plan.id, choice: { ...CHOICE, trafficGiB: 105 } },
      { planId: h.plan.id, choice: CHOICE, quantity: 2 },
      { planId: h.plan.id },
      { planId: fixed.id, choice: { devices: 2 } },
    ];
    for (const [n, item] of bad.entries()) {
      const error = await h.kit.checkout({ customerId, items: [item], idempotencyKey: `bad-${n}` }).catch((e: unknown) => e);
      expect(ValidationError.is(error), JSON.stringify(item)).toBe(true);
    }
    expect(
      await h.kit
        .checkout({ customerId, items: [{ planId: h.plan.id, choice: { ...CHOICE, devices: 6 } }], idempotencyKey: 'x' })
        .catch((e: ValidationError) => e.details),
    ).toMatchObject({
      reason: 'above_maximum',
    });
    expect(await h.balance(customerId)).toBe(5000);
    expect((await h.storage.orders.list({ customerId }, { limit: 10 })).items).toEqual([]);
  });
});

describe('the buyer’s location', () => {
  it('lists a plan’s locations, named from the owner’s catalog, as available or busy, never a figure', async () => {
    const { h, customerId } = await shop(1);
    await h.kit.locations.name({ location: 'nl', country: 'NL', name: 'Amsterdam' });
    expect(await h.kit.planLocations(h.plan.id)).toEqual([
      { location: 'de', country: null, name: 'de', status: 'available' },
      { location: 'nl', country: 'NL', name: 'Amsterdam', status: 'available' },
    ]);
    await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, choice: { locations: ['nl'] } }], idempotencyKey: 'nl' });
    expect(await h.kit.planLocations(h.plan.id)).toEqual([
      { location: 'de', country: null, name: 'de', status: 'available' },
      { location: 'nl', country: 'NL', name: 'Amsterdam', status: 'busy' },
    ]);
  });

  it('pins a fixed plan’s subscriptions to a location it allows, and refuses one it does not or one that is full', async () => {
    const h = await createHarness();
    const nl = await h.addPanel({ locationTags: ['nl'], capacity: 1 });
    const customerId = await h.customer(5000);
    expect((await h.kit.planLocations(h.plan.id)).map((l) => l.location)).toEqual(['de', 'nl']);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, location: 'nl' }], idempotencyKey: 'p1' });
    expect(subscriptions.map((s) => [s.panelId, s.bundleId])).toEqual([[nl.panel.id, null]]);
    const full = await h.kit
      .checkout({ customerId, items: [{ planId: h.plan.id, location: 'nl' }], idempotencyKey: 'p2' })
      .catch((e: unknown) => e);
    expect(CapacityExhaustedError.is(full) && full.details).toMatchObject({ reason: 'location_full', location: 'nl' });
    const deOnly = await h.addPlan({ placement: { allowedLocations: ['de'], preferredTargetIds: [], requiredTargetTags: [] } });
    const refused = await h.kit
      .checkout({ customerId, items: [{ planId: deOnly.id, location: 'nl' }], idempotencyKey: 'p3' })
      .catch((e: unknown) => e);
    expect(ValidationError.is(refused) && refused.details).toMatchObject({ reason: 'location_not_offered' });
    expect(await h.balance(customerId)).toBe(4000);
  });
});

describe('moving a subscription', () => {
  it('moves a built subscription to another offered location as one job: same link, expiry kept, slots moved, audited', async () => {
    const h = await createHarness({
      plan: { builder: { ...BUILDER, locations: { options: ['de', 'nl', 'fi'], unitPrice: usd(150), min: 1, max: 2 } } },
    });
    const nl = await h.addPanel({ locationTags: ['nl'] });
    const fi = await h.addPanel({ locationTags: ['fi'], capacity: 1 });
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, choice: CHOICE }], idempotencyKey: 'b' });
    await h.worker().drain();
    const before = (await h.storage.subscriptions.get(subscriptions[1]!.id))!;
    expect(before.panelId).toBe(nl.panel.id);
    const moved = await h.kit.moveSubscription({ subscriptionId: before.id, location: 'fi', idempotencyKey: 'm1' });
    expect(moved).toMatchObject({ toPanelId: fi.panel.id, replayed: false });
    expect((await h.storage.targets.get(fi.target.id))!.allocated).toBe(1);
    expect(await h.kit.moveSubscription({ subscriptionId: before.id, location: 'fi', idempotencyKey: 'm1' })).toMatchObject({
      replayed: true,
    });
    await h.worker().drain();
    const after = (await h.storage.subscriptions.get(before.id))!;
    expect(after).toMatchObject({ panelId: fi.panel.id, status: 'active', expiresAt: before.expiresAt, bundleId: before.bundleId });
    expect(after.terms?.built?.location).toBe('fi');
    expect(fi.fake.client(after.remote.username)).toMatchObject({ trafficLimitBytes: 100 * GiB });
    expect(nl.fake.client(before.remote.username)).toBeUndefined();
    expect((await h.storage.targets.get(nl.target.id))!.allocated).toBe(0);
    expect(await h.balance(customerId)).toBe(5000 - PRICE);
    const audit = (await h.storage.audit.list({ subjectId: before.id }, { limit: 20 })).items.map((e) => e.action);
    expect(audit).toContain('subscription.move_queued');

    // fi is full now; de is where its sibling is, nl is free again; jp is not offered.
    const other = subscriptions[0]!.id;
    const full = await h.kit.moveSubscription({ subscriptionId: other, location: 'fi', idempotencyKey: 'm2' }).catch((e: unknown) => e);
    expect(CapacityExhaustedError.is(full) && full.details).toMatchObject({ reason: 'location_full', location: 'fi' });
    const bad = await h.kit.moveSubscription({ subscriptionId: other, location: 'jp', idempotencyKey: 'm3' }).catch((e: unknown) => e);
    expect(ValidationError.is(bad) && bad.details).toMatchObject({ reason: 'location_not_offered' });
    expect((await h.storage.subscriptions.get(other))!.panelId).toBe(h.panels[0]!.panel.id);
  });
});

describe('a built plan and storefronts', () => {
  it('is not sold through a storefront: its menu refuses it, and one built after it was listed sells nothing there', async () => {
    const h = await createHarness();
    const resellerId = await h.customer(5000);
    await h.kit.resellers.setPrice({ customerId: resellerId, planId: h.plan.id, price: usd(700) });
    const storefront = await h.kit.storefronts.create({ resellerId, name: 'Fast VPN' });
    await h.kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: h.plan.id, retailPrice: usd(1200) });
    const buyer = await h.customer(5000);
    await h.kit.storefronts.moveBuyer({ customerId: buyer, storefrontId: storefront.id });
    await h.kit.plans.update(h.plan.id, { builder: BUILDER });

    const refused = await h.kit
      .checkout({ customerId: buyer, items: [{ planId: h.plan.id, choice: CHOICE }], idempotencyKey: 'sf1' })
      .catch((e: unknown) => e);
    expect(StorefrontRefusedError.is(refused) && refused.reason).toBe('not_on_menu');
    expect(
      await h.kit.storefronts
        .setMenuItem({ storefrontId: storefront.id, planId: h.plan.id, retailPrice: usd(1300) })
        .catch((e: unknown) => e),
    ).toBeInstanceOf(ValidationError);
    expect(await h.storage.ledger.balance(buyer, 'USD')).toBe(5000);
  });

  it('leaves a plan built after it was listed out of its catalog and its plans sold, which still list the others', async () => {
    const h = await createHarness();
    const resellerId = await h.customer(5000);
    const other = await h.addPlan({ name: 'other', price: usd(500) });
    await h.kit.resellers.setPrice({ customerId: resellerId, planId: other.id, price: usd(300) });
    const storefront = await h.kit.storefronts.create({ resellerId, name: 'Fast VPN' });
    await h.kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: h.plan.id, retailPrice: usd(1200) });
    await h.kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: other.id, retailPrice: usd(800) });
    const built = await h.kit.plans.update(h.plan.id, { builder: BUILDER });

    const catalog = await h.kit.storefronts.catalog(storefront.id);
    expect(catalog.map((item) => [item.plan.id, item.plan.price, item.wholesale])).toEqual([[other.id, usd(800), usd(300)]]);
    const sold = await h.kit.storefronts.plansSold(storefront.id, [built, other]);
    expect(sold.map((plan) => [plan.id, plan.price])).toEqual([[other.id, usd(800)]]);
  });
});

describe('a built plan and price books', () => {
  it('takes no price book line: setPrice and setTerms refuse it with a typed error and write nothing', async () => {
    const { h, customerId: resellerId } = await shop();
    const refused = await h.kit.resellers.setPrice({ customerId: resellerId, planId: h.plan.id, price: usd(700) }).catch((e: unknown) => e);
    expect(ValidationError.is(refused) && refused.message).toBe(
      `plan ${h.plan.id} is built by its buyer: a price book prices fixed plans only`,
    );
    expect(ValidationError.is(refused) && refused.details).toMatchObject({ planId: h.plan.id, reason: 'built_plan' });
    const terms = await h.kit.resellers
      .setTerms({ customerId: resellerId, creditLimit: usd(1000), prices: [{ planId: h.plan.id, price: usd(700) }] })
      .catch((e: unknown) => e);
    expect(terms).toBeInstanceOf(ValidationError);
    expect(await h.storage.priceBooks.list(resellerId)).toEqual([]);
    expect(await h.storage.ledger.creditLimit(resellerId, 'USD')).toBe(0);
    const audit = (await h.storage.audit.list({ subjectId: resellerId }, { limit: 20 })).items.map((e) => e.action);
    expect(audit.filter((a) => a.startsWith('reseller.'))).toEqual([]);
  });

  it('a line written before the refusal prices nothing of it: the sale, its extension and its top-up are at the quote', async () => {
    const h = await createHarness({
      plan: { builder: BUILDER, deviceLimit: 1, trafficTopUp: { pricePerGiB: usd(10), maxGiBPerPurchase: 100 } },
    });
    await h.addPanel({ locationTags: ['nl'] });
    const resellerId = await h.customer(5000);
    // As a 0.4.0 SDK stored it: straight in the storage, past today's refusal.
    await h.storage.priceBooks.set({
      customerId: resellerId,
      planId: h.plan.id,
      price: usd(100),
      extensionPrice: usd(1),
      trafficPricePerGiB: usd(1),
    });
    const { order, subscriptions } = await h.kit.checkout({
      customerId: resellerId,
      items: [{ planId: h.plan.id, choice: CHOICE }],
      idempotencyKey: 'pb1',
    });
    expect(order.total).toEqual(usd(PRICE));
    const sub = subscriptions[0]!;
    expect(sub.terms).toMatchObject({ price: usd(450), extension: { price: null }, trafficTopUp: { pricePerGiB: usd(10) } });
    await h.worker().drain();
    h.clock.advanceDays(28);
    const extension = await h.kit.quoteExtension(sub.id);
    expect(extension.allowed && extension.quote.price).toEqual(usd(450));
    const topUp = await h.kit.quoteTrafficTopUp(sub.id, 5);
    expect(topUp.allowed && topUp.quote.price).toEqual(usd(50));
  });
});
