import { describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

const HOUR = 3_600_000;
const ADMIN = { type: 'admin' as const, id: 'staff-1' };

type Steps = { step: 'warn' | 'limit' | 'suspend'; graceHours: number }[];

/** A live subscription (plan without a device limit) and an enabled guard taking `steps` (default: warn, then limit). */
async function setup(
  steps: Steps = [
    { step: 'warn', graceHours: 1 },
    { step: 'limit', graceHours: 24 },
  ],
): Promise<{ h: Harness; id: string }> {
  const h = await createHarness();
  const customerId = await h.customer(5000);
  const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
  await h.worker().drain();
  const saved = await h.kit.guard.setPolicy({ enabled: true, steps }, ADMIN);
  expect(saved.saved).toBe(true);
  return { h, id: subscriptions[0]!.id };
}

/** One reading an hour for `hours` hours, as the read job records them (over: past the allowance). */
async function readHourly(h: Harness, id: string, hours: number, prefixes: number | null): Promise<void> {
  for (let i = 0; i < hours; i++) {
    h.clock.advance(HOUR);
    await h.storage.guard.recordReadings(
      [{ subscriptionId: id, at: h.clock.now(), prefixes, over: prefixes !== null && prefixes > 5 }],
      24,
    );
  }
}

const guardEvents = async (h: Harness, id: string) =>
  (await h.storage.audit.list({ subjectType: 'subscription', subjectId: id }, { limit: 100 })).items
    .map((e) => e.action)
    .filter((a) => a.startsWith('guard.'));

describe('kit.guard', () => {
  it('warns, then limits on fresh evidence only, then a staff lift undoes the limit: one audit event and one action job per step', async () => {
    const { h, id } = await setup();
    await readHourly(h, id, 1, 9);
    expect(await h.kit.guard.evaluateNow()).toMatchObject({ stepped: 0 });
    await readHourly(h, id, 3, 9);
    expect(await h.kit.guard.evaluateNow()).toMatchObject({ stepped: 1 });
    expect(await h.kit.guard.evaluateNow()).toMatchObject({ stepped: 0 });
    expect(await guardEvents(h, id)).toEqual(['guard.warned']);
    await h.worker().drain();
    expect((await h.storage.subscriptions.get(id))!.deviceLimit).toBeNull();

    await readHourly(h, id, 4, 9);
    expect(await h.kit.guard.evaluateNow()).toMatchObject({ stepped: 1 });
    await h.worker().drain();
    expect((await h.kit.guard.cases({ step: 'limit' })).items.map((c) => c.subscriptionId)).toEqual([id]);
    expect((await h.storage.subscriptions.get(id))!.deviceLimit).toBe(2);

    expect(await h.kit.guard.lift({ subscriptionId: id, actor: { type: 'customer', id: 'x' } })).toEqual({
      lifted: false,
      reason: 'not_staff',
    });
    const lifted = await h.kit.guard.lift({ subscriptionId: id, actor: ADMIN, note: 'a family' });
    expect(lifted).toMatchObject({ lifted: true, case: { step: 'watching', liftedBy: 'staff-1' } });
    await h.worker().drain();
    expect((await h.storage.subscriptions.get(id))!.deviceLimit).toBeNull();
    // Readings before the lift are gone, and the quiet window holds even for new over readings.
    await readHourly(h, id, 4, 9);
    expect(await h.kit.guard.evaluateNow()).toMatchObject({ stepped: 0 });
    expect((await guardEvents(h, id)).sort()).toEqual(['guard.lifted', 'guard.limited', 'guard.warned']);
    const acts = await h.storage.jobs.list({ type: 'guard.act' }, { limit: 20 });
    expect(acts.items.map((j) => j.dedupeKey).sort()).toEqual([`guard:${id}:1`, `guard:${id}:2`, `guard:${id}:3`]);
  });

  it('warn only: the buyer is warned once, and more evidence takes no further step', async () => {
    const { h, id } = await setup([{ step: 'warn', graceHours: 1 }]);
    await readHourly(h, id, 3, 9);
    expect(await h.kit.guard.evaluateNow()).toMatchObject({ stepped: 1 });
    await readHourly(h, id, 12, 9);
    expect(await h.kit.guard.evaluateNow()).toMatchObject({ stepped: 0 });
    await h.worker().drain();
    expect(await guardEvents(h, id)).toEqual(['guard.warned']);
    expect(await h.storage.subscriptions.get(id)).toMatchObject({ status: 'active', deviceLimit: null });
  });

  it('warn then suspend: the suspension is the subscription disabled on its panel, and a staff lift resumes it', async () => {
    const { h, id } = await setup([
      { step: 'warn', graceHours: 1 },
      { step: 'suspend', graceHours: 24 },
    ]);
    await readHourly(h, id, 3, 9);
    expect(await h.kit.guard.evaluateNow()).toMatchObject({ stepped: 1 });
    await readHourly(h, id, 4, 9);
    expect(await h.kit.guard.evaluateNow()).toMatchObject({ stepped: 1 });
    await h.worker().drain();
    const sub = (await h.storage.subscriptions.get(id))!;
    expect(sub).toMatchObject({ status: 'suspended', deviceLimit: null });
    expect(h.panels[0]!.fake.client(sub.remote.username)!.enabled).toBe(false);
    expect(await h.kit.guard.lift({ subscriptionId: id, actor: ADMIN })).toMatchObject({ lifted: true });
    await h.worker().drain();
    expect(await h.storage.subscriptions.get(id)).toMatchObject({ status: 'active', deviceLimit: null });
    expect(h.panels[0]!.fake.client(sub.remote.username)!.enabled).toBe(true);
    expect((await guardEvents(h, id)).sort()).toEqual(['guard.lifted', 'guard.suspended', 'guard.warned']);
  });

  it('warn, limit, then suspend: a staff lift resumes the subscription and puts back the device limit the limit replaced', async () => {
    const { h, id } = await setup([
      { step: 'warn', graceHours: 1 },
      { step: 'limit', graceHours: 1 },
      { step: 'suspend', graceHours: 24 },
    ]);
    for (const step of ['warn', 'limit', 'suspend']) {
      await readHourly(h, id, 4, 9);
      expect(await h.kit.guard.evaluateNow()).toMatchObject({ stepped: 1 });
      await h.worker().drain();
      expect((await h.kit.guard.cases()).items.map((c) => c.step)).toEqual([step]);
    }
    expect(await h.storage.subscriptions.get(id)).toMatchObject({ status: 'suspended', deviceLimit: 2 });
    expect(await h.kit.guard.lift({ subscriptionId: id, actor: ADMIN })).toMatchObject({ lifted: true });
    await h.worker().drain();
    expect(await h.storage.subscriptions.get(id)).toMatchObject({ status: 'active', deviceLimit: null });
  });

  it('never acts on a subscription whose panel gave no reading', async () => {
    const { h, id } = await setup();
    await readHourly(h, id, 6, null);
    expect(await h.kit.guard.evaluateNow()).toEqual({ evaluated: 1, stepped: 0, lifted: 0 });
    expect(await h.kit.guard.cases()).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a policy from a non-staff actor and a bad policy', async () => {
    const { h } = await setup();
    expect(await h.kit.guard.setPolicy({ enabled: false }, { type: 'customer', id: 'c' })).toEqual({ saved: false, reason: 'not_staff' });
    await expect(h.kit.guard.setPolicy({ overFraction: 3 }, ADMIN)).rejects.toThrow(/guard policy/);
    expect((await h.kit.guard.policy()).policy.enabled).toBe(true);
  });
});
