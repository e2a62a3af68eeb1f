import { describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

const HOUR = 3_600_000;
const ADMIN = { type: 'admin' as const, id: 'staff-1' };

/** A live subscription (plan without a device limit) and an enabled guard warning, then limiting. */
async function setup(): Promise<{ h: Harness; id: string }> {
  const h = await createHarness();
  const customerId = await h.customer(5000);
  const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
  await h.worker().drain();
  const saved = await h.kit.guard.setPolicy(
    {
      enabled: true,
      steps: [
        { step: 'warn', graceHours: 1 },
        { step: 'limit', graceHours: 24 },
      ],
    },
    ADMIN,
  );
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
