import { describe, expect, it } from 'vitest';
import { ConflictError, EligibilityError, InsufficientFundsError } from '../../src/index.js';
import { decideDevicePack, devicePackRenewalPrice } from '../../src/rules/index.js';
import { createHarness } from './harness.js';
import type { Harness } from './harness.js';
import type { FakePanelOptions } from '../../src/testing/index.js';

/** 300 a device per 30 days, up to 3 extra on top of the plan's 2. */
const PACK = { deviceLimit: 2, devicePack: { pricePer30Days: { amount: 300, currency: 'USD' }, maxExtraDevices: 3 } };

/** A live subscription of a 30-day plan (price 1000) selling device packs, `daysIn` days into its period; wallet 5000. */
async function subscription(daysIn: number, panel: FakePanelOptions = {}, plan: object = PACK) {
  const h = await createHarness({ panel, plan });
  const customerId = await h.customer(5000);
  const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
  await h.worker().drain();
  const id = subscriptions[0]!.id;
  const sub = (await h.storage.subscriptions.get(id))!;
  h.clock.advanceDays(daysIn);
  return { h, customerId, id, username: sub.remote.username };
}

const get = (h: Harness, id: string) => h.storage.subscriptions.get(id).then((s) => s!);
const reasonOf = (e: unknown) => (EligibilityError.is(e) ? e.reasons[0] : String(e));
const jobsOf = (h: Harness, type: string) => h.storage.jobs.list({ type }, { limit: 20 }).then((p) => p.items);

describe('device packs: the rule', () => {
  const now = new Date('2026-03-01T00:00:00.000Z');
  const sub = (days: number, limit: number | null = 2) => ({
    status: 'active' as const,
    expiresAt: new Date(now.getTime() + days * 86_400_000),
    deviceLimit: limit,
    trial: false,
  });
  const plan = { deviceLimit: 2, devicePack: PACK.devicePack };

  it('prorates the price per 30 days to the period end, rounded up to a minor unit per device', () => {
    expect(decideDevicePack({ subscription: sub(30), plan, devices: 2, now })).toEqual({
      allowed: true,
      quote: {
        devices: 2,
        price: { amount: 600, currency: 'USD' },
        unitPrice: { amount: 300, currency: 'USD' },
        newDeviceLimit: 4,
        extraDevices: 2,
        until: sub(30).expiresAt,
      },
    });
    // 10 days of 30: 100 a device; 7 days: 70; one hour: 300 / 720 = 0.41… rounds up to 1.
    expect(decideDevicePack({ subscription: sub(10), plan, devices: 1, now })).toMatchObject({ quote: { price: { amount: 100 } } });
    expect(decideDevicePack({ subscription: sub(7), plan, devices: 3, now })).toMatchObject({ quote: { price: { amount: 210 } } });
    expect(decideDevicePack({ subscription: sub(1 / 24), plan, devices: 1, now })).toMatchObject({ quote: { price: { amount: 1 } } });
    expect(devicePackRenewalPrice(PACK.devicePack, 2, 90)).toEqual({ amount: 1800, currency: 'USD' });
  });

  it('counts the extra devices held against the most, and refuses what it cannot sell', () => {
    expect(decideDevicePack({ subscription: sub(10, 4), plan, devices: 1, now })).toMatchObject({
      quote: { extraDevices: 3, newDeviceLimit: 5 },
    });
    const refused = (input: Partial<Parameters<typeof decideDevicePack>[0]>) =>
      decideDevicePack({ subscription: sub(10), plan, devices: 1, now, ...input });
    expect(refused({ subscription: sub(10, 4), devices: 2 })).toEqual({ allowed: false, reason: 'above_maximum' });
    expect(refused({ plan: { deviceLimit: 2, devicePack: null } })).toEqual({ allowed: false, reason: 'not_offered' });
    expect(refused({ subscription: sub(10, null) })).toEqual({ allowed: false, reason: 'unlimited' });
    expect(refused({ subscription: { ...sub(10), trial: true } })).toEqual({ allowed: false, reason: 'trial' });
    expect(refused({ subscription: { ...sub(10), status: 'expired' } })).toEqual({ allowed: false, reason: 'not_active' });
    expect(refused({ subscription: sub(-1) })).toEqual({ allowed: false, reason: 'period_over' });
    expect(refused({ devices: 0 })).toEqual({ allowed: false, reason: 'invalid_amount' });
  });
});

describe('device packs: the engine', () => {
  it('charges the prorated price as an order, raises the limit at once, and the panel’s by a job', async () => {
    const { h, customerId, id, username } = await subscription(20);
    expect(await h.kit.devices.quotePack(id, 2)).toMatchObject({
      allowed: true,
      quote: { price: { amount: 200 }, newDeviceLimit: 4 },
      offer: PACK.devicePack,
      extraDevices: 0,
    });
    const result = await h.kit.devices.buyPack({ subscriptionId: id, devices: 2, idempotencyKey: 'k1' });
    expect(result).toMatchObject({ replayed: false, entry: { kind: 'device_pack', amount: -200, orderId: result.order.id } });
    expect(result.order).toMatchObject({
      customerId,
      status: 'completed',
      total: { amount: 200, currency: 'USD' },
      items: [{ planId: h.plan.id, quantity: 2, unitPrice: { amount: 100, currency: 'USD' }, trial: false }],
      ledgerEntryId: result.entry!.id,
    });
    expect(await h.balance(customerId)).toBe(5000 - 1000 - 200);
    // The link counts against the new limit before any job ran.
    expect((await get(h, id)).deviceLimit).toBe(4);
    expect(h.panels[0]!.fake.client(username)!.deviceLimit).toBe(2);
    expect(await jobsOf(h, 'device.panel_limit')).toHaveLength(1);
    await h.worker().drain();
    expect(h.panels[0]!.fake.client(username)!.deviceLimit).toBe(4);
    const audit = await h.storage.audit.list({ subjectType: 'subscription', subjectId: id }, { limit: 50 });
    expect(audit.items.find((a) => a.action === 'subscription.devices_added')?.data).toMatchObject({ devices: 2, deviceLimit: 4 });
  });

  it('charges once per key, a replay racing the first included', async () => {
    const { h, customerId, id } = await subscription(20);
    const both = await Promise.all([1, 2].map(() => h.kit.devices.buyPack({ subscriptionId: id, devices: 1, idempotencyKey: 'same' })));
    expect(both.map((r) => r.replayed).sort()).toEqual([false, true]);
    expect(both[0]!.order.id).toBe(both[1]!.order.id);
    expect((await h.kit.devices.buyPack({ subscriptionId: id, devices: 1, idempotencyKey: 'same' })).replayed).toBe(true);
    expect(await h.balance(customerId)).toBe(4000 - 100);
    expect((await get(h, id)).deviceLimit).toBe(3);
  });

  it('leaves the panel alone where it enforces no device limit: the link alone counts', async () => {
    const { h, id } = await subscription(20, { capabilities: { deviceLimit: false } });
    await h.kit.devices.buyPack({ subscriptionId: id, devices: 1, idempotencyKey: 'k' });
    expect((await get(h, id)).deviceLimit).toBe(3);
    expect(await jobsOf(h, 'device.panel_limit')).toEqual([]);
  });

  it('refuses with the rule’s reason, an empty wallet and a change being applied, writing nothing', async () => {
    const { h, customerId, id } = await subscription(20);
    await expect(h.kit.devices.buyPack({ subscriptionId: id, devices: 4, idempotencyKey: 'a' })).rejects.toSatisfy(
      (e) => reasonOf(e) === 'above_maximum',
    );
    const poor = await subscription(
      20,
      {},
      { ...PACK, devicePack: { pricePer30Days: { amount: 100_000, currency: 'USD' }, maxExtraDevices: 3 } },
    );
    await expect(poor.h.kit.devices.buyPack({ subscriptionId: poor.id, devices: 1, idempotencyKey: 'a' })).rejects.toSatisfy((e: unknown) =>
      InsufficientFundsError.is(e),
    );
    expect((await poor.h.storage.orders.list({ customerId: poor.customerId }, { limit: 5 })).items).toHaveLength(1);
    h.clock.advanceDays(8);
    await h.kit.extend({ subscriptionId: id, idempotencyKey: 'ext' });
    await expect(h.kit.devices.buyPack({ subscriptionId: id, devices: 1, idempotencyKey: 'b' })).rejects.toSatisfy((e: unknown) =>
      ConflictError.is(e),
    );
    expect(await h.balance(customerId)).toBe(3000);
    expect((await get(h, id)).deviceLimit).toBe(2);
  });

  it('a full refund of the pack’s order gives the money back and takes the devices back, on the panel too', async () => {
    const { h, customerId, id, username } = await subscription(20);
    const { order } = await h.kit.devices.buyPack({ subscriptionId: id, devices: 2, idempotencyKey: 'k' });
    await h.worker().drain();
    const partial = await h.kit.refund({ customerId, orderId: order.id, amount: { amount: 50, currency: 'USD' }, idempotencyKey: 'r1' });
    expect(partial).toMatchObject({ full: false, refundable: 150 });
    expect((await get(h, id)).deviceLimit).toBe(4);
    const full = await h.kit.refund({ customerId, orderId: order.id, amount: { amount: 150, currency: 'USD' }, idempotencyKey: 'r2' });
    expect(full).toMatchObject({ full: true, ended: [] });
    expect(await h.balance(customerId)).toBe(4000);
    expect(await get(h, id)).toMatchObject({ status: 'active', deviceLimit: 2 });
    await h.worker().drain();
    expect(h.panels[0]!.fake.client(username)!.deviceLimit).toBe(2);
  });

  it('an early renewal without the devices keeps them until the period they were paid for ends, then falls back, on the panel too', async () => {
    const { h, id, username } = await subscription(20);
    await h.kit.devices.buyPack({ subscriptionId: id, devices: 2, idempotencyKey: 'k' });
    await h.worker().drain();
    h.clock.advanceDays(8);
    const paidUntil = (await get(h, id)).expiresAt!;
    const quote = await h.kit.quoteExtension(id);
    expect(quote.extraDevices).toEqual({ devices: 2, price: { amount: 600, currency: 'USD' } });
    const plain = await h.kit.extend({ subscriptionId: id, idempotencyKey: 'ext' });
    expect(plain).toMatchObject({ keptDevices: null, entry: { amount: -1000 } });
    await h.worker().drain();
    // Renewed: a new period after the current one, and the devices paid for the current one still there.
    expect(await get(h, id)).toMatchObject({ deviceLimit: 4, expiresAt: new Date(paidUntil.getTime() + 30 * 86_400_000) });
    expect(h.panels[0]!.fake.client(username)!.deviceLimit).toBe(4);
    expect(await jobsOf(h, 'device.pack_lapse')).toMatchObject([{ state: 'queued', runAt: paidUntil, payload: { devices: 2 } }]);

    h.clock.set(paidUntil.getTime() - 1);
    await h.worker().drain();
    expect((await get(h, id)).deviceLimit).toBe(4);
    h.clock.set(paidUntil);
    await h.worker().drain();
    expect((await get(h, id)).deviceLimit).toBe(2);
    expect(h.panels[0]!.fake.client(username)!.deviceLimit).toBe(2);
    const audit = await h.storage.audit.list({ subjectType: 'subscription', subjectId: id }, { limit: 50 });
    expect(audit.items.filter((a) => a.action === 'subscription.devices_removed').map((a) => a.data)).toMatchObject([
      { devices: 2, deviceLimit: 2, reason: 'period_ended' },
    ]);
  });

  it('a renewal after the paid period ended falls back at once', async () => {
    const { h, id, username } = await subscription(20);
    await h.kit.devices.buyPack({ subscriptionId: id, devices: 1, idempotencyKey: 'k' });
    await h.worker().drain();
    h.clock.advanceDays(11);
    await h.kit.createScheduler().tick();
    expect((await get(h, id)).status).toBe('expired');
    await h.kit.extend({ subscriptionId: id, idempotencyKey: 'ext' });
    await h.worker().drain();
    expect(await get(h, id)).toMatchObject({ status: 'active', deviceLimit: 2 });
    expect(h.panels[0]!.fake.client(username)!.deviceLimit).toBe(2);
    expect(await jobsOf(h, 'device.pack_lapse')).toEqual([]);
  });

  it('keeps the devices renewed with them at the new period’s price, cancelling a lapse an earlier renewal queued', async () => {
    const { h, id, username } = await subscription(20);
    await h.kit.devices.buyPack({ subscriptionId: id, devices: 2, idempotencyKey: 'k' });
    h.clock.advanceDays(8);
    const extended = await h.kit.extend({ subscriptionId: id, idempotencyKey: 'ext', keepExtraDevices: true });
    expect(extended).toMatchObject({ keptDevices: { devices: 2 }, entry: { amount: -1600 } });
    await h.worker().drain();
    expect(await get(h, id)).toMatchObject({ deviceLimit: 4, status: 'active' });
    expect(h.panels[0]!.fake.client(username)!.deviceLimit).toBe(4);
    expect(await jobsOf(h, 'device.pack_lapse')).toEqual([]);

    // A wide window allows a second renewal before the first period ends: the one that keeps them cancels the lapse.
    const wide = await subscription(20, {}, { ...PACK, extension: { windowDays: 60 } });
    await wide.h.kit.devices.buyPack({ subscriptionId: wide.id, devices: 2, idempotencyKey: 'k' });
    await wide.h.kit.extend({ subscriptionId: wide.id, idempotencyKey: 'plain' });
    await wide.h.worker().drain();
    await wide.h.kit.extend({ subscriptionId: wide.id, idempotencyKey: 'kept', keepExtraDevices: true });
    await wide.h.worker().drain();
    expect((await jobsOf(wide.h, 'device.pack_lapse')).map((j) => j.state)).toEqual(['cancelled']);
    wide.h.clock.advanceDays(11);
    await wide.h.worker().drain();
    expect((await get(wide.h, wide.id)).deviceLimit).toBe(4);
  });

  it('a lapse takes nothing a full refund took back before it', async () => {
    const { h, customerId, id } = await subscription(20);
    const { order } = await h.kit.devices.buyPack({ subscriptionId: id, devices: 2, idempotencyKey: 'k' });
    h.clock.advanceDays(8);
    await h.kit.extend({ subscriptionId: id, idempotencyKey: 'ext' });
    await h.worker().drain();
    await h.kit.refund({ customerId, orderId: order.id, amount: { amount: 200, currency: 'USD' }, idempotencyKey: 'r' });
    expect((await get(h, id)).deviceLimit).toBe(2);
    h.clock.advanceDays(3);
    await h.worker().drain();
    expect((await get(h, id)).deviceLimit).toBe(2);
    expect((await jobsOf(h, 'device.pack_lapse')).map((j) => j.state)).toEqual(['succeeded']);
  });

  it('an auto-renewal renews the plan alone: the extra devices fall back when their period ends', async () => {
    const { h, customerId, id, username } = await subscription(20);
    await h.kit.setAutoRenew({ subscriptionId: id, enabled: true });
    await h.kit.devices.buyPack({ subscriptionId: id, devices: 1, idempotencyKey: 'k' });
    await h.worker().drain();
    const paidUntil = (await get(h, id)).expiresAt!;
    h.clock.advanceDays(9);
    await h.kit.createScheduler().tick();
    await h.worker().drain();
    const renewed = await get(h, id);
    expect(renewed.expiresAt!.getTime()).toBeGreaterThan(paidUntil.getTime());
    expect(renewed.deviceLimit).toBe(3);
    expect(await h.balance(customerId)).toBe(5000 - 1000 - 100 - 1000);
    h.clock.set(paidUntil);
    await h.worker().drain();
    expect((await get(h, id)).deviceLimit).toBe(2);
    expect(h.panels[0]!.fake.client(username)!.deviceLimit).toBe(2);
  });

  it('leaves the limit of a plan that sells no packs alone at renewal', async () => {
    const { h, id } = await subscription(28, {}, { deviceLimit: 2 });
    const sub = await get(h, id);
    await h.storage.subscriptions.update(id, { deviceLimit: 5 }, { expectedRevision: sub.revision });
    await h.kit.extend({ subscriptionId: id, idempotencyKey: 'ext' });
    await h.worker().drain();
    expect((await get(h, id)).deviceLimit).toBe(5);
  });
});
