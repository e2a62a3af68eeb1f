import { describe, expect, it } from 'vitest';
import type { ClientAddressesCapability } from '../../src/ports/panel.js';
import type { GuardPolicyInput } from '../../src/rules/index.js';
import { createHarness, type Harness } from './harness.js';

const MINUTE = 60_000;
const ADMIN = { type: 'admin' as const, id: 'staff-1' };
const BULK: ClientAddressesCapability = { bulk: true, windowSeconds: 1800, liveCounts: false };

/**
 * `n` live subscriptions of a plan with `deviceLimit` on a fake panel (reading addresses as `capability` says, none
 * when undefined), the guard on under `policy`.
 */
async function setup(capability: ClientAddressesCapability | undefined, n: number, deviceLimit: number | null, policy: GuardPolicyInput) {
  const h = await createHarness({
    panel: capability === undefined ? {} : { capabilities: { clientAddresses: capability } },
    plan: { deviceLimit },
    policy: { guardReadIntervalMs: 10 * MINUTE },
  });
  const customerId = await h.customer(100_000);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: `buy-${i}` });
    ids.push(subscriptions[0]!.id);
  }
  await h.worker().drain();
  expect((await h.kit.guard.setPolicy({ enabled: true, ...policy }, ADMIN)).saved).toBe(true);
  return { h, fake: h.panels[0]!.fake, ids };
}

/** The apps of a subscription fetching its link: one `kit.devices.touch` a hardware id, as the buyer's link makes. */
async function fetchLink(h: Harness, subscriptionId: string, hwids: readonly string[]): Promise<void> {
  for (const hwid of hwids) {
    const check = await h.kit.devices.touch(subscriptionId, { hwid, platform: 'android', app: 'Happ' });
    expect(check.served).toBe(true);
  }
}

/** One read interval: the clock moves on, the scheduler ticks (enqueueing the reads), the worker runs them. */
async function readCycle(h: Harness): Promise<void> {
  h.clock.advance(10 * MINUTE);
  await h.kit.createScheduler({ usageSync: false }).tick();
  await h.worker().drain();
}

const audited = async (h: Harness, id: string, action: string) =>
  (await h.storage.audit.list({ subjectType: 'subscription', subjectId: id }, { limit: 100 })).items.filter((e) => e.action === action);

const PHONES = ['hw-1', 'hw-2', 'hw-3', 'hw-4'];

describe('guard.read through the device registry (a panel reporting no addresses)', () => {
  it('counts the devices that fetched the link in the hour: warns, then limits, a subscription past the allowance', async () => {
    const { h, fake, ids } = await setup(undefined, 2, null, {
      absoluteThreshold: 3,
      limitDevices: 2,
      steps: [
        { step: 'warn', graceHours: 1 },
        { step: 'limit', graceHours: 24 },
      ],
    });
    const [sharer, family] = ids as [string, string];
    const cycle = async () => {
      await fetchLink(h, sharer, PHONES);
      await fetchLink(h, family, PHONES.slice(0, 3));
      await readCycle(h);
    };
    await cycle();
    const byId = new Map((await h.storage.guard.signals(ids)).map((s) => [s.subscriptionId, s.buckets]));
    expect(byId.get(sharer)).toMatchObject([{ readings: 1, over: 1, maxPrefixes: 4 }]);
    // Three devices are the allowance of a subscription with no device limit (`absoluteThreshold`): not over.
    expect(byId.get(family)).toMatchObject([{ readings: 1, over: 0, maxPrefixes: 3 }]);
    expect(fake.calls.listClientAddresses).toBe(0);

    // K (3) over readings within half an hour are not spread over S (2 h): nothing yet.
    await cycle();
    await cycle();
    expect(await audited(h, sharer, 'guard.warned')).toHaveLength(0);
    // Spread over S: the warning, once; nothing for the family within its allowance.
    for (let i = 0; i < 15; i++) await cycle();
    expect(await audited(h, sharer, 'guard.warned')).toHaveLength(1);
    expect(await audited(h, sharer, 'guard.limited')).toHaveLength(0);

    // After the warning's grace (1 h), fresh over readings over S again: the limit, which gives the subscription the
    // policy's device limit; readings go on (its four devices keep refreshing) and no step follows (none is set).
    for (let i = 0; i < 30; i++) await cycle();
    expect(await audited(h, sharer, 'guard.limited')).toHaveLength(1);
    expect(await h.storage.subscriptions.get(sharer)).toMatchObject({ status: 'active', deviceLimit: 2 });
    expect((await h.kit.guard.cases({ step: 'limit' })).items.map((c) => c.subscriptionId)).toEqual([sharer]);
    for (const action of ['guard.warned', 'guard.limited']) expect(await audited(h, family, action)).toEqual([]);
    expect(await h.storage.subscriptions.get(family)).toMatchObject({ deviceLimit: null });
  });

  it('a subscription whose link no device fetched in the hour is no reading, never zero devices, and takes no step', async () => {
    const { h, ids } = await setup(undefined, 3, null, { absoluteThreshold: 1 });
    const [stopped, still, idle] = ids as [string, string, string];
    const start = h.clock.now().getTime();
    // Two devices each (past an allowance of one); then `stopped`'s apps fetch no more while `still`'s go on.
    await fetchLink(h, stopped, PHONES.slice(0, 2));
    for (let i = 0; i < 15; i++) {
      await fetchLink(h, still, PHONES.slice(0, 2));
      await readCycle(h);
    }
    const signals = new Map((await h.storage.guard.signals(ids)).map((s) => [s.subscriptionId, s]));
    // Seen within the hour (and the 10-minute refresh interval) for 7 cycles: 7 readings, then none.
    const readings = (id: string) => signals.get(id)!.buckets.reduce((n, b) => n + b.readings, 0);
    expect(readings(stopped)).toBe(7);
    expect(signals.get(stopped)!.lastReadingAt).toEqual(new Date(start + 70 * MINUTE));
    expect(signals.get(stopped)!.lastNullAt).toEqual(h.clock.now());
    expect(readings(still)).toBe(15);
    expect(signals.get(idle)).toMatchObject({ buckets: [], lastReadingAt: null, lastNullAt: h.clock.now() });
    expect(await audited(h, still, 'guard.warned')).toHaveLength(1);

    // Over readings that would make the rule due, before the source fell silent: still no step.
    await h.storage.guard.recordReadings(
      [140, 145].map((m) => ({ subscriptionId: stopped, at: new Date(start + m * MINUTE), prefixes: 2, over: true })),
      24,
    );
    expect(await h.kit.guard.evaluateNow()).toMatchObject({ stepped: 0 });
    expect((await h.kit.guard.cases()).items.map((c) => c.subscriptionId)).toEqual([still]);
  });

  it('a panel reporting addresses is read through them alone: its devices are not counted a second time', async () => {
    const { h, fake, ids } = await setup(BULK, 1, null, {});
    const [sub] = ids as [string];
    const stored = (await h.storage.subscriptions.get(sub))!;
    fake.setClientAddresses(stored.remote.username, ['10.0.0.1']);
    await fetchLink(h, sub, PHONES.slice(0, 3));
    await readCycle(h);
    const [signal] = await h.storage.guard.signals([sub]);
    expect(signal!.buckets).toMatchObject([{ readings: 1, over: 0, maxPrefixes: 1 }]);
    expect(fake.calls.listClientAddresses).toBe(1);
  });
});
