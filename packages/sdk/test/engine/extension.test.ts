import { describe, expect, it } from 'vitest';
import { ConflictError, EligibilityError, InsufficientFundsError, PanelRejectedError } from '../../src/index.js';
import { GiB, createHarness } from './harness.js';
import type { Harness } from './harness.js';
import type { FakePanelOptions } from '../../src/testing/index.js';
import type { NewPlan } from '../../src/index.js';

/** An active subscription, `daysIn` days into its 30-day period, with some traffic used. */
async function activeSubscription(panel: FakePanelOptions = {}, daysIn = 28, balance = 5000, plan: Partial<NewPlan> = {}) {
  const h = await createHarness({ panel, plan });
  const customerId = await h.customer(balance);
  const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
  await h.worker().drain();
  const id = subscriptions[0]!.id;
  const before = (await h.storage.subscriptions.get(id))!;
  h.panels[0]!.fake.addTraffic(before.remote.username, 10 * GiB);
  h.clock.advanceDays(daysIn);
  await h.kit.createScheduler().tick();
  return { h, customerId, id, before };
}

const get = (h: Harness, id: string) => h.storage.subscriptions.get(id).then((s) => s!);

describe('extension', () => {
  it('quotes with the rules and says whether the link changes', async () => {
    const { h, id } = await activeSubscription({}, 10);
    const early = await h.kit.quoteExtension(id);
    expect(early).toMatchObject({ allowed: false, reason: 'too_early', linkChanges: false });
    h.clock.advanceDays(18);
    const due = await h.kit.quoteExtension(id);
    expect(due.allowed && due.quote.action).toBe('extend');
    expect(due.allowed && due.quote.newExpiresAt).toEqual(new Date('2026-04-30T00:00:00.000Z'));
  });

  it('extends in place: debit, one update, usage reset, same link', async () => {
    const { h, customerId, id, before } = await activeSubscription();
    const extended: boolean[] = [];
    h.kit.events.on('subscription:extended', (e) => void extended.push(e.linkChanged));
    const result = await h.kit.extend({ subscriptionId: id, idempotencyKey: 'x1' });
    expect(result).toMatchObject({ replayed: false, linkChanges: false });
    expect(await h.balance(customerId)).toBe(3000);
    await h.worker().drain();
    const after = await get(h, id);
    const fake = h.panels[0]!.fake;
    expect(after.expiresAt).toEqual(new Date('2026-04-30T00:00:00.000Z'));
    expect(after.usedBytes).toBe(0);
    expect(after.subscriptionUrl).toBe(before.subscriptionUrl);
    expect(fake.calls.updateClient).toBe(1);
    expect(fake.client(before.remote.username)!.expiry).toEqual({ type: 'at', at: after.expiresAt });
    expect(fake.client(before.remote.username)!.downloadBytes).toBe(0);
    expect(extended).toEqual([false]);
  });

  it('deletes and recreates where the panel cannot update in place, telling the customer the link changed', async () => {
    const { h, id, before } = await activeSubscription({ capabilities: { inPlaceUpdate: false } });
    const extended: boolean[] = [];
    h.kit.events.on('subscription:extended', (e) => void extended.push(e.linkChanged));
    const result = await h.kit.extend({ subscriptionId: id, idempotencyKey: 'x1' });
    expect(result.linkChanges).toBe(true);
    await h.worker().drain();
    const after = await get(h, id);
    const fake = h.panels[0]!.fake;
    expect(after.remote.username).toBe(before.remote.username);
    expect(after.remote.generation).toBe(1);
    expect(after.subscriptionUrl).not.toBe(before.subscriptionUrl);
    expect(fake.client(before.remote.username)!.identity.uuid).toBe(after.remote.uuid);
    expect(fake.deleted).toBe(1);
    expect(fake.clientCount()).toBe(1);
    expect(extended).toEqual([true]);
  });

  it('charges once and updates once when submitted twice at once', async () => {
    const { h, customerId, id } = await activeSubscription();
    const [a, b] = await Promise.all([
      h.kit.extend({ subscriptionId: id, idempotencyKey: 'dbl' }),
      h.kit.extend({ subscriptionId: id, idempotencyKey: 'dbl' }),
    ]);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    await h.worker().drain();
    expect(await h.balance(customerId)).toBe(3000);
    expect(h.panels[0]!.fake.calls.updateClient).toBe(1);
    // A later replay still charges nothing.
    expect((await h.kit.extend({ subscriptionId: id, idempotencyKey: 'dbl' })).replayed).toBe(true);
    expect(await h.balance(customerId)).toBe(3000);
  });

  it('refuses a second extension with another key while one is being applied', async () => {
    const { h, customerId, id } = await activeSubscription();
    await h.kit.extend({ subscriptionId: id, idempotencyKey: 'one' });
    await expect(h.kit.extend({ subscriptionId: id, idempotencyKey: 'two' })).rejects.toSatisfy((e: unknown) => ConflictError.is(e));
    expect(await h.balance(customerId)).toBe(3000);
  });

  it('tells whether a change is in flight until the worker applied it', async () => {
    const { h, id } = await activeSubscription();
    expect(await h.kit.changeInFlight(id)).toBe(false);
    await h.kit.extend({ subscriptionId: id, idempotencyKey: 'one' });
    expect(await h.kit.changeInFlight(id)).toBe(true);
    await h.worker().drain();
    expect(await h.kit.changeInFlight(id)).toBe(false);
  });

  it('refuses an ineligible or unaffordable extension, charging nothing', async () => {
    const early = await activeSubscription({}, 5);
    await expect(early.h.kit.extend({ subscriptionId: early.id, idempotencyKey: 'e' })).rejects.toSatisfy(
      (e: unknown) => EligibilityError.is(e) && e.reasons.includes('too_early'),
    );
    expect(await early.h.balance(early.customerId)).toBe(4000);
    const poor = await activeSubscription({}, 28, 1500);
    await expect(poor.h.kit.extend({ subscriptionId: poor.id, idempotencyKey: 'e' })).rejects.toSatisfy((e: unknown) =>
      InsufficientFundsError.is(e),
    );
    expect(await poor.h.balance(poor.customerId)).toBe(500);
    expect((await poor.h.storage.jobs.list({ type: 'subscription.update' }, { limit: 5 })).items).toHaveLength(0);
  });

  it('refunds an extension that cannot be applied', async () => {
    const { h, customerId, id, before } = await activeSubscription();
    await h.kit.extend({ subscriptionId: id, idempotencyKey: 'x' });
    h.panels[0]!.fake.failNext('updateClient', () => new PanelRejectedError('no', { panelKind: 'fake' }));
    await h.worker().drain();
    expect(await h.balance(customerId)).toBe(4000);
    expect((await get(h, id)).expiresAt).toEqual(before.expiresAt);
  });

  it('applies once when the worker dies after the panel call (recreate mode)', async () => {
    const { h, id } = await activeSubscription({ capabilities: { inPlaceUpdate: false } }, 28);
    await h.kit.extend({ subscriptionId: id, idempotencyKey: 'x' });
    let reached!: () => void;
    const atStep = new Promise<void>((r) => (reached = r));
    void h.worker({ onStep: (s) => (s === 'panel_called' ? (reached(), new Promise<void>(() => {})) : undefined) }).runOnce();
    await atStep;
    h.clock.advance(120_000);
    await h.storage.jobs.reapExpired();
    await h.worker().drain();
    const fake = h.panels[0]!.fake;
    expect(fake.deleted).toBe(1);
    expect(fake.created).toBe(2); // the original and its one replacement
    expect((await get(h, id)).remote.generation).toBe(1);
  });
});

describe('extension: free', () => {
  const FREE: Partial<NewPlan> = { extension: { price: { amount: 0, currency: 'USD' } } };
  const updateJobs = async (h: Harness) => (await h.storage.jobs.list({ type: 'subscription.update' }, { limit: 10 })).items;

  it('happens once per key: replays while queued and after it was applied queue nothing', async () => {
    const { h, customerId, id } = await activeSubscription({}, 28, 5000, FREE);
    const first = await h.kit.extend({ subscriptionId: id, idempotencyKey: 'free' });
    expect(first).toMatchObject({ replayed: false, entry: null });
    expect((await h.kit.extend({ subscriptionId: id, idempotencyKey: 'free' })).replayed).toBe(true);
    expect(await h.worker().drain()).toBe(1);
    const applied = await get(h, id);
    expect(applied.expiresAt).toEqual(new Date('2026-04-30T00:00:00.000Z'));
    const replay = await h.kit.extend({ subscriptionId: id, idempotencyKey: 'free' });
    expect(replay).toMatchObject({ replayed: true, entry: null, quote: null });
    expect(await h.worker().drain()).toBe(0);
    expect((await get(h, id)).expiresAt).toEqual(applied.expiresAt);
    expect(h.panels[0]!.fake.calls.updateClient).toBe(1);
    expect(await updateJobs(h)).toHaveLength(1);
    expect(await h.balance(customerId)).toBe(4000);
  });

  it('happens once when submitted twice at once', async () => {
    const { h, id } = await activeSubscription({}, 28, 5000, FREE);
    const results = await Promise.all([1, 2].map(() => h.kit.extend({ subscriptionId: id, idempotencyKey: 'dbl' })));
    expect(results.map((r) => r.replayed).sort()).toEqual([false, true]);
    await h.worker().drain();
    expect(h.panels[0]!.fake.calls.updateClient).toBe(1);
    expect(await updateJobs(h)).toHaveLength(1);
  });

  it('is not applied again by its key after it failed for good', async () => {
    const { h, id, before } = await activeSubscription({}, 28, 5000, FREE);
    await h.kit.extend({ subscriptionId: id, idempotencyKey: 'x' });
    h.panels[0]!.fake.failNext('updateClient', () => new PanelRejectedError('no', { panelKind: 'fake' }));
    await h.worker().drain();
    expect((await updateJobs(h)).map((j) => j.state)).toEqual(['dead']);
    expect((await h.kit.extend({ subscriptionId: id, idempotencyKey: 'x' })).replayed).toBe(true);
    expect(await h.worker().drain()).toBe(0);
    expect((await get(h, id)).expiresAt).toEqual(before.expiresAt);
    // A new key is a new extension.
    expect((await h.kit.extend({ subscriptionId: id, idempotencyKey: 'y' })).replayed).toBe(false);
  });
});
