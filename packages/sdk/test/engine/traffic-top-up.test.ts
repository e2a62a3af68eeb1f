import { describe, expect, it } from 'vitest';
import { ConflictError, EligibilityError, InsufficientFundsError, PanelRejectedError } from '../../src/index.js';
import { GiB, createHarness } from './harness.js';
import type { Harness } from './harness.js';
import type { FakePanelOptions } from '../../src/testing/index.js';

const TOP_UP = { trafficTopUp: { pricePerGiB: { amount: 20, currency: 'USD' }, maxGiBPerPurchase: 100 } };

/** A subscription of a 50 GiB plan selling extra GiB at 20 each, with `usedGiB` used (50: limited). */
async function subscription(usedGiB: number, panel: FakePanelOptions = {}, plan: object = TOP_UP) {
  const h = await createHarness({ panel, plan });
  const customerId = await h.customer(5000);
  const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
  await h.worker().drain();
  const id = subscriptions[0]!.id;
  const before = (await h.storage.subscriptions.get(id))!;
  h.panels[0]!.fake.addTraffic(before.remote.username, usedGiB * GiB);
  h.clock.advanceDays(3);
  await h.kit.createScheduler().tick();
  await h.worker().drain();
  return { h, customerId, id, username: before.remote.username };
}

const get = (h: Harness, id: string) => h.storage.subscriptions.get(id).then((s) => s!);
const reasonOf = (e: unknown) => (EligibilityError.is(e) ? e.reasons[0] : String(e));

describe('traffic top-up', () => {
  it('brings a limited subscription back to active: one debit, the limit raised in place, usage and expiry kept', async () => {
    const { h, customerId, id, username } = await subscription(50);
    const limited = await get(h, id);
    expect(limited.status).toBe('limited');
    const added: number[] = [];
    h.kit.events.on('subscription:traffic_added', (e) => void added.push(e.addedBytes));
    expect(await h.kit.quoteTrafficTopUp(id, 10)).toMatchObject({ allowed: true, quote: { price: { amount: 200 }, reactivates: true } });
    const result = await h.kit.buyTraffic({ subscriptionId: id, gib: 10, idempotencyKey: 'k1' });
    expect(result).toMatchObject({ replayed: false, entry: { kind: 'traffic_top_up', amount: -200 } });
    expect(await h.balance(customerId)).toBe(3800);
    await h.worker().drain();
    const after = await get(h, id);
    expect(after).toMatchObject({ status: 'active', trafficLimitBytes: 60 * GiB, usedBytes: 50 * GiB, expiresAt: limited.expiresAt });
    expect(after.subscriptionUrl).toBe(limited.subscriptionUrl);
    const client = h.panels[0]!.fake.client(username)!;
    expect(client).toMatchObject({ trafficLimitBytes: 60 * GiB, enabled: true, downloadBytes: 50 * GiB });
    expect(h.panels[0]!.fake.calls.resetUsage).toBe(0);
    expect(added).toEqual([10 * GiB]);
  });

  it('keeps a limited client off when the usage is still past the new limit', async () => {
    const { h, id, username } = await subscription(50);
    h.panels[0]!.fake.addTraffic(username, 10 * GiB);
    await h.kit.createScheduler().tick();
    await h.kit.buyTraffic({ subscriptionId: id, gib: 5, idempotencyKey: 'small' });
    await h.worker().drain();
    expect(await get(h, id)).toMatchObject({ status: 'limited', trafficLimitBytes: 55 * GiB });
    expect(h.panels[0]!.fake.client(username)).toMatchObject({ trafficLimitBytes: 55 * GiB, enabled: false });
  });

  it('charges once per key, a replay racing the first included', async () => {
    const { h, customerId, id } = await subscription(20);
    const both = await Promise.all([1, 2].map(() => h.kit.buyTraffic({ subscriptionId: id, gib: 5, idempotencyKey: 'same' })));
    expect(both.map((r) => r.replayed).sort()).toEqual([false, true]);
    expect(await h.balance(customerId)).toBe(3900);
    await h.worker().drain();
    expect((await h.kit.buyTraffic({ subscriptionId: id, gib: 5, idempotencyKey: 'same' })).replayed).toBe(true);
    await h.worker().drain();
    expect(await h.balance(customerId)).toBe(3900);
    expect((await get(h, id)).trafficLimitBytes).toBe(55 * GiB);
  });

  it('refuses a second purchase while the first is being applied', async () => {
    const { h, id } = await subscription(20);
    await h.kit.buyTraffic({ subscriptionId: id, gib: 5, idempotencyKey: 'a' });
    await expect(h.kit.buyTraffic({ subscriptionId: id, gib: 5, idempotencyKey: 'b' })).rejects.toSatisfy((e: unknown) =>
      ConflictError.is(e),
    );
  });

  it('refuses with the rule reason and writes nothing', async () => {
    const off = await subscription(20, {}, {});
    await expect(off.h.kit.buyTraffic({ subscriptionId: off.id, gib: 5, idempotencyKey: 'a' })).rejects.toSatisfy(
      (e) => reasonOf(e) === 'not_offered',
    );
    expect(await off.h.balance(off.customerId)).toBe(4000);
    const big = await subscription(20);
    await expect(big.h.kit.buyTraffic({ subscriptionId: big.id, gib: 101, idempotencyKey: 'a' })).rejects.toSatisfy(
      (e) => reasonOf(e) === 'above_maximum',
    );
    const recreate = await subscription(20, { capabilities: { inPlaceUpdate: false } });
    await expect(recreate.h.kit.buyTraffic({ subscriptionId: recreate.id, gib: 1, idempotencyKey: 'a' })).rejects.toSatisfy(
      (e) => reasonOf(e) === 'panel_cannot_update_in_place',
    );
    expect((await big.h.storage.jobs.list({ type: 'subscription.update' }, { limit: 5 })).items).toEqual([]);
  });

  it('refuses what the wallet cannot pay', async () => {
    const { h, customerId, id } = await subscription(
      20,
      {},
      { trafficTopUp: { pricePerGiB: { amount: 50, currency: 'USD' }, maxGiBPerPurchase: 100 } },
    );
    await expect(h.kit.buyTraffic({ subscriptionId: id, gib: 100, idempotencyKey: 'a' })).rejects.toSatisfy((e: unknown) =>
      InsufficientFundsError.is(e),
    );
    expect(await h.balance(customerId)).toBe(4000);
    expect(await h.kit.changeInFlight(id)).toBe(false);
  });

  it('refunds a top-up the panel refuses for good, and the subscription stays limited', async () => {
    const { h, customerId, id } = await subscription(50);
    await h.kit.buyTraffic({ subscriptionId: id, gib: 10, idempotencyKey: 'k' });
    h.panels[0]!.fake.failNext('updateClient', () => new PanelRejectedError('no', { panelKind: 'fake' }));
    await h.worker().drain();
    expect(await h.balance(customerId)).toBe(4000);
    expect(await get(h, id)).toMatchObject({ status: 'limited', trafficLimitBytes: 50 * GiB });
  });

  it('refunds a top-up whose subscription was terminated before it ran', async () => {
    const { h, customerId, id } = await subscription(20);
    await h.kit.buyTraffic({ subscriptionId: id, gib: 10, idempotencyKey: 'k' });
    await h.kit.terminate({ subscriptionId: id });
    await h.worker().drain();
    expect(await h.balance(customerId)).toBe(4000);
  });
});
