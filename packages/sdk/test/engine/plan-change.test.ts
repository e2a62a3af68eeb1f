import { describe, expect, it } from 'vitest';
import { CapacityExhaustedError, ConflictError, EligibilityError, PanelRejectedError } from '../../src/index.js';
import type { NewPlan } from '../../src/index.js';
import { GiB, createHarness } from './harness.js';
import type { Harness } from './harness.js';

/** A subscription of a 1000, 30-day, 50 GiB plan, 15 days in with 10 GiB used: worth 500 of credit. */
async function halfUsed() {
  const h = await createHarness();
  const customerId = await h.customer(5000);
  const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
  await h.worker().drain();
  const id = subscriptions[0]!.id;
  const before = (await h.storage.subscriptions.get(id))!;
  h.panels[0]!.fake.addTraffic(before.remote.username, 10 * GiB);
  h.clock.advanceDays(15);
  await h.kit.createScheduler().tick();
  await h.worker().drain();
  return { h, customerId, id, before: (await h.storage.subscriptions.get(id))! };
}

const get = (h: Harness, id: string) => h.storage.subscriptions.get(id).then((s) => s!);
const plan = (h: Harness, id: string) => h.storage.plans.get(id).then((p) => p!);
const other = (h: Harness, over: Partial<NewPlan>) =>
  h.addPlan({ price: { amount: 2000, currency: 'USD' }, durationDays: 30, trafficBytes: 100 * GiB, ...over });

describe('plan change', () => {
  it('upgrades in place: the new price less the prorated credit, a new period, usage reset, slots moved', async () => {
    const { h, customerId, id, before } = await halfUsed();
    const bigger = await other(h, { deviceLimit: 3 });
    const quote = await h.kit.quotePlanChange(id, bigger.id);
    expect(quote).toMatchObject({
      allowed: true,
      moves: false,
      linkChanges: false,
      quote: { credit: { amount: 500 }, charge: { amount: 1500 }, refund: { amount: 0 } },
    });
    const changed: string[] = [];
    h.kit.events.on('subscription:plan_changed', (e) => void changed.push(e.fromPlanId));
    const result = await h.kit.changePlan({ subscriptionId: id, planId: bigger.id, idempotencyKey: 'c1' });
    expect(result.entry).toMatchObject({ kind: 'plan_change', amount: -1500 });
    expect(await h.balance(customerId)).toBe(2500);
    expect((await plan(h, bigger.id)).allocated).toBe(1);
    await h.worker().drain();
    const after = await get(h, id);
    expect(after).toMatchObject({
      planId: bigger.id,
      status: 'active',
      trafficLimitBytes: 100 * GiB,
      usedBytes: 0,
      targetId: before.targetId,
      subscriptionUrl: before.subscriptionUrl,
    });
    expect(after.expiresAt).toEqual(new Date(h.clock.now().getTime() + 30 * 86_400_000));
    expect(h.panels[0]!.fake.client(before.remote.username)).toMatchObject({
      trafficLimitBytes: 100 * GiB,
      downloadBytes: 0,
      deviceLimit: 3,
    });
    expect(after.deviceLimit).toBe(3);
    expect([(await plan(h, h.plan.id)).allocated, (await plan(h, bigger.id)).allocated]).toEqual([0, 1]);
    expect((await h.storage.targets.get(before.targetId))!.allocated).toBe(1);
    expect(changed).toEqual([h.plan.id]);
    expect(await h.balance(customerId)).toBe(2500);
  });

  it('a downgrade credits the unused value once the change is applied', async () => {
    const { h, customerId, id } = await halfUsed();
    const smaller = await other(h, { price: { amount: 300, currency: 'USD' }, trafficBytes: 20 * GiB });
    const result = await h.kit.changePlan({ subscriptionId: id, planId: smaller.id, idempotencyKey: 'd' });
    expect(result).toMatchObject({ entry: null, quote: { charge: { amount: 0 }, refund: { amount: 200 } } });
    expect(await h.balance(customerId)).toBe(4000);
    await h.worker().drain();
    expect(await h.balance(customerId)).toBe(4200);
    const entries = (await h.storage.ledger.list(customerId, { limit: 10 })).items;
    expect(entries.filter((e) => e.kind === 'plan_change').map((e) => e.amount)).toEqual([200]);
  });

  it('moves to a panel in the new location: the new client is created first, the old one removed after', async () => {
    const { h, customerId, id, before } = await halfUsed();
    const nl = await h.addPanel({ locationTags: ['nl'] });
    const amsterdam = await other(h, { placement: { allowedLocations: ['nl'], preferredTargetIds: [], requiredTargetTags: [] } });
    expect(await h.kit.quotePlanChange(id, amsterdam.id)).toMatchObject({ allowed: true, moves: true, linkChanges: true });
    await h.kit.changePlan({ subscriptionId: id, planId: amsterdam.id, idempotencyKey: 'm' });
    const order: string[] = [];
    const old = h.panels[0]!.fake;
    h.kit.events.on(
      'subscription:plan_changed',
      () => void order.push(`recorded, old client there: ${old.client(before.remote.username) !== undefined}`),
    );
    await h.worker().drain();
    const after = await get(h, id);
    expect(after).toMatchObject({ planId: amsterdam.id, panelId: nl.panel.id, targetId: nl.target.id, status: 'active' });
    expect(after.remote.generation).toBe(before.remote.generation + 1);
    expect(nl.fake.client(before.remote.username)).toMatchObject({ trafficLimitBytes: 100 * GiB });
    expect(old.client(before.remote.username)).toBeUndefined();
    expect(order).toEqual(['recorded, old client there: true']);
    expect((await h.storage.targets.get(before.targetId))!.allocated).toBe(0);
    expect((await h.storage.targets.get(nl.target.id))!.allocated).toBe(1);
    expect(await h.balance(customerId)).toBe(2500);
  });

  it('a move whose worker dies after creating the new client adopts it on the retry: one client, one charge', async () => {
    const { h, customerId, id, before } = await halfUsed();
    const nl = await h.addPanel({ locationTags: ['nl'] });
    const amsterdam = await other(h, { placement: { allowedLocations: ['nl'], preferredTargetIds: [], requiredTargetTags: [] } });
    await h.kit.changePlan({ subscriptionId: id, planId: amsterdam.id, idempotencyKey: 'm' });
    let reached!: () => void;
    const atStep = new Promise<void>((r) => (reached = r));
    void h.worker({ onStep: (s) => (s === 'panel_called' ? (reached(), new Promise<void>(() => {})) : undefined) }).runOnce();
    await atStep;
    expect(nl.fake.client(before.remote.username)).toBeDefined();
    expect(h.panels[0]!.fake.client(before.remote.username)).toBeDefined();
    h.clock.advance(120_000);
    await h.storage.jobs.reapExpired();
    await h.worker().drain();
    expect(nl.fake.calls.createClients).toBe(1);
    expect(await get(h, id)).toMatchObject({ planId: amsterdam.id, panelId: nl.panel.id });
    expect(h.panels[0]!.fake.client(before.remote.username)).toBeUndefined();
    expect(await h.balance(customerId)).toBe(2500);
  });

  it('a move the new panel refuses for good refunds, frees the reserved slot and keeps the old client', async () => {
    const { h, customerId, id, before } = await halfUsed();
    const nl = await h.addPanel({ locationTags: ['nl'] });
    const amsterdam = await other(h, { placement: { allowedLocations: ['nl'], preferredTargetIds: [], requiredTargetTags: [] } });
    await h.kit.changePlan({ subscriptionId: id, planId: amsterdam.id, idempotencyKey: 'm' });
    nl.fake.failNext('createClients', () => new PanelRejectedError('no', { panelKind: 'fake' }));
    await h.worker().drain();
    expect(await h.balance(customerId)).toBe(4000);
    expect(await get(h, id)).toMatchObject({ planId: h.plan.id, panelId: before.panelId, status: 'active' });
    expect(h.panels[0]!.fake.client(before.remote.username)).toBeDefined();
    expect([(await plan(h, amsterdam.id)).allocated, (await h.storage.targets.get(nl.target.id))!.allocated]).toEqual([0, 0]);
  });

  it('a free in-place change that fails for good frees its slot once', async () => {
    const { h, id } = await halfUsed();
    const smaller = await other(h, { price: { amount: 300, currency: 'USD' } });
    await h.kit.changePlan({ subscriptionId: id, planId: smaller.id, idempotencyKey: 'd' });
    h.panels[0]!.fake.failNext('updateClient', () => new PanelRejectedError('no', { panelKind: 'fake' }));
    await h.worker().drain();
    expect((await plan(h, smaller.id)).allocated).toBe(0);
    expect((await h.storage.targets.get(h.panels[0]!.target.id))!.allocated).toBe(1);
  });

  it('one change at a time, once per key; refusals write nothing', async () => {
    const { h, customerId, id } = await halfUsed();
    const bigger = await other(h, {});
    const both = await Promise.all([1, 2].map(() => h.kit.changePlan({ subscriptionId: id, planId: bigger.id, idempotencyKey: 'same' })));
    expect(both.map((r) => r.replayed).sort()).toEqual([false, true]);
    await expect(h.kit.changePlan({ subscriptionId: id, planId: bigger.id, idempotencyKey: 'other' })).rejects.toSatisfy((e: unknown) =>
      ConflictError.is(e),
    );
    await expect(h.kit.changePlan({ subscriptionId: id, planId: h.plan.id, idempotencyKey: 'x' })).rejects.toSatisfy(
      (e: unknown) => EligibilityError.is(e) && e.reasons[0] === 'same_plan',
    );
    expect(await h.balance(customerId)).toBe(2500);
    expect((await plan(h, bigger.id)).allocated).toBe(1);
  });

  it('refuses a new plan that has no room, charging nothing', async () => {
    const { h, customerId, id } = await halfUsed();
    const full = await other(h, { maxClients: 0 });
    await expect(h.kit.changePlan({ subscriptionId: id, planId: full.id, idempotencyKey: 'f' })).rejects.toSatisfy((e: unknown) =>
      CapacityExhaustedError.is(e),
    );
    expect(await h.balance(customerId)).toBe(4000);
  });
});
