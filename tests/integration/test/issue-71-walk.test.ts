/**
 * Issue 71's done-when, on the SDK side, walked end to end through the engine on the memory storage and on
 * PostgreSQL (PGlite), each on fake panels in two locations: a built plan (2 locations + 3 devices + 100 GiB + 30 days)
 * quoted, bought at the quote, provisioned in both locations, extended and changed with the ledger equal to the frozen
 * quote; the owner's location catalog shown in the picker; a buyer's location picked, moved with the same link, a full location refused without a write; a family of
 * three with their own links and device limits, one removed (refused at once), none reading another's link; one buyer
 * with two subscriptions managed apart.
 */
import { CapacityExhaustedError, NotFoundError, ValidationError, createPanelkit, parseDeviceHeaders } from '@panelkit/sdk';
import type { Panel, Panelkit, SubscriptionStatus } from '@panelkit/sdk';
import { quoteBuiltPlan } from '@panelkit/sdk/plan-builder';
import type { StoragePort } from '@panelkit/sdk/storage';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { afterAll, describe, expect, it } from 'vitest';
import { storagesInTurn } from '../../../packages/storage-postgres/test/helpers.js';

const GiB = 2 ** 30;
const DAY = 86_400_000;
const usd = (amount: number) => ({ amount, currency: 'USD' });
const LIVE: readonly SubscriptionStatus[] = ['active', 'on_hold', 'limited'];
const BUILDER = {
  basePrice: usd(100),
  locations: { options: ['de', 'nl'], unitPrice: usd(150), min: 1, max: 2 },
  devices: { unitPrice: usd(50), min: 1, max: 5 },
  trafficGiB: { unitPrice: usd(2), min: 10, max: 500, step: 10 },
  durationDays: { unitPrice: usd(5), min: 30, max: 90, step: 30 },
};
const CHOICE = { locations: ['de', 'nl'], devices: 3, trafficGiB: 100, days: 30 };
/** 100 + 2×150 + 3×50 + 100×2 + 30×5. */
const PRICE = 900;
const device = (hwid: string) => parseDeviceHeaders({ 'x-hwid': hwid, 'user-agent': 'Happ/3.0' });

// One PGlite database and one migrated schema, emptied for each test's world (a test is done with its world by the next).
const pglite = storagesInTurn();
afterAll(() => pglite.close());

const STORAGES: [string, (clock: ManualClock) => Promise<StoragePort>][] = [
  ['memory', async (clock) => createMemoryStorage({ clock })],
  ['PGlite', async (clock) => (await pglite.storage(clock)).storage],
];

interface World {
  clock: ManualClock;
  storage: StoragePort;
  kit: Panelkit;
  fakes: Map<string, FakePanelAdapter>;
  de: Panel;
  nl: Panel;
  customer(balance?: number): Promise<string>;
  balance(id: string): Promise<number>;
  drain(): Promise<void>;
}

/** A shop with one fake panel in `de` (room for all) and one in `nl` (room for `nlCapacity`). */
async function world(make: (clock: ManualClock) => Promise<StoragePort>, nlCapacity: number | null = null): Promise<World> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const storage = await make(clock);
  const fakes = new Map<string, FakePanelAdapter>();
  const kit = createPanelkit({
    storage,
    clock,
    panels: (panel) => fakes.get(panel.id)!,
    policy: { identity: { secret: 'walk-71-secret-0123456789', prefix: 'pk' } },
    links: { secret: 'walk-71-link-secret-0123456789' },
    random: () => 0.5,
  });
  const panelIn = async (tag: string, capacity: number | null) => {
    const panel = await storage.panels.create({
      kind: 'fake',
      name: `panel ${tag}`,
      baseUrl: `https://${tag}.example.com/`,
      credentials: { type: 'token', token: 't' },
      locationTags: [tag],
    });
    fakes.set(panel.id, new FakePanelAdapter({ clock }));
    await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity });
    return panel;
  };
  const de = await panelIn('de', null);
  const nl = await panelIn('nl', nlCapacity);
  let n = 0;
  const worker = kit.createWorker({ heartbeatIntervalMs: 3_600_000 });
  return {
    clock,
    storage,
    kit,
    fakes,
    de,
    nl,
    async customer(balance = 0) {
      const c = await storage.customers.create({ email: `walk-${++n}@example.com` });
      if (balance > 0) await kit.topUp({ customerId: c.id, amount: usd(balance), idempotencyKey: `seed-${c.id}` });
      return c.id;
    },
    balance: (id) => storage.ledger.balance(id, 'USD'),
    drain: async () => {
      await worker.drain();
    },
  };
}

describe.each(STORAGES)('issue 71 walked end to end on %s', (_name, make) => {
  it('a built plan: quoted, bought at the quote, provisioned in both locations, extended and changed at the frozen price', async () => {
    const w = await world(make);
    const plan = await w.storage.plans.create({
      name: 'built',
      family: 'built',
      price: usd(1000),
      durationDays: 30,
      trafficBytes: null,
      builder: BUILDER,
    });
    const buyer = await w.customer(5000);
    const rule = quoteBuiltPlan(plan, CHOICE);
    expect(rule.allowed && rule.quote.price).toEqual(usd(PRICE));
    expect((await w.kit.quoteCheckout({ customerId: buyer, items: [{ planId: plan.id, choice: CHOICE }] })).total).toEqual(usd(PRICE));
    const { order, subscriptions } = await w.kit.checkout({
      customerId: buyer,
      items: [{ planId: plan.id, choice: CHOICE }],
      idempotencyKey: 'built',
    });
    expect((await w.storage.ledger.listByOrder(order.id)).filter((e) => e.kind === 'purchase').map((e) => e.amount)).toEqual([-PRICE]);
    await w.drain();
    const subs = await Promise.all(subscriptions.map(async (s) => (await w.storage.subscriptions.get(s.id))!));
    expect(subs.map((s) => [s.panelId, s.status, s.deviceLimit, s.trafficLimitBytes])).toEqual([
      [w.de.id, 'active', 3, 100 * GiB],
      [w.nl.id, 'active', 3, 100 * GiB],
    ]);
    for (const s of subs)
      expect(w.fakes.get(s.panelId)!.client(s.remote.username)).toMatchObject({ deviceLimit: 3, trafficLimitBytes: 100 * GiB });

    // A later edit of the builder reaches no one who bought: the extension charges the frozen quote.
    await w.storage.plans.update(plan.id, { builder: { ...BUILDER, basePrice: usd(999) } });
    w.clock.advance(28 * DAY);
    const before = await w.balance(buyer);
    for (const s of subs) await w.kit.extend({ subscriptionId: s.id, idempotencyKey: `ext-${s.id}` });
    expect(before - (await w.balance(buyer))).toBe(PRICE);
    await w.drain();
    for (const s of subs) expect((await w.storage.subscriptions.get(s.id))!.expiresAt!.getTime()).toBe(s.expiresAt!.getTime() + 30 * DAY);

    // A plan change prorates what is left at the frozen share of the quote.
    const fixed = await w.storage.plans.create({ name: 'fixed', family: 'fixed', price: usd(600), durationDays: 30, trafficBytes: null });
    const quote = await w.kit.quotePlanChange(subs[0]!.id, fixed.id);
    if (!quote.allowed) throw new Error(`plan change refused: ${quote.reason}`);
    const changed = await w.kit.changePlan({ subscriptionId: subs[0]!.id, planId: fixed.id, idempotencyKey: 'change' });
    expect(changed.quote).toEqual(quote.quote);
    await w.drain();
    expect(await w.storage.subscriptions.get(subs[0]!.id)).toMatchObject({ planId: fixed.id, status: 'active', panelId: w.de.id });
    expect(await w.storage.subscriptions.get(subs[1]!.id)).toMatchObject({ planId: plan.id, status: 'active', panelId: w.nl.id });
  });

  it('a location picked, moved with the same link; a full location refused cleanly and shown busy', async () => {
    const w = await world(make, 1);
    const plan = await w.storage.plans.create({ name: 'pick', family: 'pick', price: usd(500), durationDays: 30, trafficBytes: null });
    const buyer = await w.customer(5000);
    // The owner names the tags: a picker shows country and name; an unnamed tag shows itself.
    await w.kit.locations.name({ location: 'nl', country: 'NL', name: 'Amsterdam' });
    expect(await w.kit.planLocations(plan.id)).toEqual([
      { location: 'de', country: null, name: 'de', status: 'available' },
      { location: 'nl', country: 'NL', name: 'Amsterdam', status: 'available' },
    ]);
    await w.kit.locations.name({ location: 'de', country: 'DE', name: 'Frankfurt' });
    await expect(w.kit.locations.name({ location: 'de', country: 'XX', name: 'Nowhere' })).rejects.toSatisfy((e) => ValidationError.is(e));
    expect((await w.kit.planLocations(plan.id)).map((l) => [l.location, l.country, l.name, l.status])).toEqual([
      ['de', 'DE', 'Frankfurt', 'available'],
      ['nl', 'NL', 'Amsterdam', 'available'],
    ]);
    const audit = await w.storage.audit.list({ subjectType: 'location' }, { limit: 10 });
    expect(audit.items.map((a) => [a.action, a.subjectId]).sort()).toEqual([
      ['location.named', 'de'],
      ['location.named', 'nl'],
    ]);
    const { subscriptions } = await w.kit.checkout({
      customerId: buyer,
      items: [{ planId: plan.id, location: 'nl' }],
      idempotencyKey: 'nl',
    });
    await w.drain();
    const sub = (await w.storage.subscriptions.get(subscriptions[0]!.id))!;
    expect(sub).toMatchObject({ panelId: w.nl.id, status: 'active' });
    expect((await w.kit.planLocations(plan.id)).find((l) => l.location === 'nl')?.status).toBe('busy');

    // nl is full: another buyer's pick is refused, nothing charged or stored.
    const other = await w.customer(5000);
    const refused = await w.kit
      .checkout({ customerId: other, items: [{ planId: plan.id, location: 'nl' }], idempotencyKey: 'full' })
      .catch((e: unknown) => e);
    expect(CapacityExhaustedError.is(refused) && refused.details).toMatchObject({ reason: 'location_full', location: 'nl' });
    expect(await w.balance(other)).toBe(5000);
    expect(await w.storage.orders.getByIdempotencyKey(other, 'full')).toBeNull();

    // Moved to de: the same link serves it there, nl's slot freed.
    const link = await w.kit.links.tokenForSubscription(buyer, sub.id);
    const wide = await w.kit.links.tokenFor(buyer);
    await w.kit.moveSubscription({ subscriptionId: sub.id, location: 'de', idempotencyKey: 'move' });
    await w.drain();
    const moved = (await w.storage.subscriptions.get(sub.id))!;
    expect(moved).toMatchObject({ panelId: w.de.id, status: 'active', expiresAt: sub.expiresAt });
    expect(await w.kit.links.tokenForSubscription(buyer, sub.id)).toBe(link);
    expect((await w.kit.links.scope(link, { statuses: LIVE }))?.subscriptions.map((s) => [s.id, s.panelId])).toEqual([[sub.id, w.de.id]]);
    expect((await w.kit.links.scope(wide, { statuses: LIVE }))?.subscriptions.map((s) => s.id)).toEqual([sub.id]);
    expect(w.fakes.get(w.nl.id)!.client(sub.remote.username)).toBeUndefined();
    expect((await w.kit.planLocations(plan.id)).find((l) => l.location === 'nl')?.status).toBe('available');
  });

  it('a family of three: own links and device limits, one removed and refused at once, none reads another’s link', async () => {
    const w = await world(make);
    const plan = await w.storage.plans.create({
      name: 'family',
      family: 'family',
      price: usd(3000),
      durationDays: 30,
      trafficBytes: null,
      deviceLimit: 2,
      sharing: { maxMembers: 3 },
    });
    const payer = await w.customer(5000);
    const bought = await w.kit.checkout({ customerId: payer, items: [{ planId: plan.id }], idempotencyKey: 'family' });
    await w.drain();
    const group = bought.subscriptions[0]!;
    const members = [await w.customer(), await w.customer(), await w.customer()];
    const seats: string[] = [];
    for (const customerId of members) {
      const { token } = await w.kit.sharing.invite({ customerId: payer, groupId: group.id });
      seats.push((await w.kit.sharing.accept({ token, customerId })).subscription.id);
    }
    await w.drain();
    const links = await Promise.all(members.map((m, i) => w.kit.links.tokenForSubscription(m, seats[i]!)));
    expect(new Set(links).size).toBe(3);
    for (const [i, link] of links.entries()) {
      expect((await w.kit.links.scope(link, { statuses: LIVE }))?.subscriptions.map((s) => s.id)).toEqual([seats[i]]);
      expect(await w.balance(members[i]!)).toBe(0);
    }
    expect(await w.kit.devices.touch(seats[0]!, device('a1'))).toMatchObject({ served: true });
    expect(await w.kit.devices.touch(seats[0]!, device('a2'))).toMatchObject({ served: true });
    expect(await w.kit.devices.touch(seats[0]!, device('a3'))).toMatchObject({ served: false, reason: 'limit_reached', limit: 2 });
    expect(await w.kit.devices.touch(seats[1]!, device('b1'))).toMatchObject({ served: true });

    await expect(w.kit.links.tokenForSubscription(members[0]!, seats[1]!)).rejects.toSatisfy((e) => NotFoundError.is(e));
    await expect(w.kit.links.tokenForSubscription(members[0]!, group.id)).rejects.toSatisfy((e) => NotFoundError.is(e));

    await w.kit.sharing.remove({ customerId: payer, subscriptionId: seats[0]! });
    expect(await w.kit.links.scope(links[0]!, { statuses: LIVE })).toBeNull();
    expect((await w.kit.links.scope(links[1]!, { statuses: LIVE }))?.subscriptions.map((s) => s.id)).toEqual([seats[1]]);

    // The payer's subscription ends: the remaining members end with it.
    await w.kit.terminate({ subscriptionId: group.id, reason: 'walk' });
    await w.drain();
    for (const id of seats) expect((await w.storage.subscriptions.get(id))!.status).toBe('terminated');
    for (const link of links) expect(await w.kit.links.scope(link, { statuses: LIVE })).toBeNull();
  });

  it('one buyer with two subscriptions manages each apart', async () => {
    const w = await world(make);
    const plan = await w.storage.plans.create({ name: 'two', family: 'two', price: usd(500), durationDays: 30, trafficBytes: null });
    const buyer = await w.customer(5000);
    const { subscriptions } = await w.kit.checkout({ customerId: buyer, items: [{ planId: plan.id, quantity: 2 }], idempotencyKey: 'two' });
    await w.drain();
    const [a, b] = subscriptions.map((s) => s.id) as [string, string];
    await w.kit.sharing.name({ customerId: buyer, subscriptionId: a, label: 'Phone' });
    await w.kit.sharing.name({ customerId: buyer, subscriptionId: b, label: 'Laptop' });
    const [linkA, linkB] = [await w.kit.links.tokenForSubscription(buyer, a), await w.kit.links.tokenForSubscription(buyer, b)];
    expect((await w.kit.links.scope(linkA, { statuses: LIVE }))?.subscriptions.map((s) => [s.id, s.label])).toEqual([[a, 'Phone']]);
    const rotated = await w.kit.links.rotateForSubscription(buyer, a, { type: 'customer', id: buyer });
    expect(await w.kit.links.scope(linkA, { statuses: LIVE })).toBeNull();
    expect((await w.kit.links.scope(rotated, { statuses: LIVE }))?.subscriptions.map((s) => s.id)).toEqual([a]);
    expect((await w.kit.links.scope(linkB, { statuses: LIVE }))?.subscriptions.map((s) => s.id)).toEqual([b]);
    w.clock.advance(28 * DAY);
    await w.kit.extend({ subscriptionId: a, idempotencyKey: 'ext-a' });
    await w.drain();
    const [afterA, afterB] = [(await w.storage.subscriptions.get(a))!, (await w.storage.subscriptions.get(b))!];
    expect(afterA.expiresAt!.getTime() - afterB.expiresAt!.getTime()).toBe(30 * DAY);
    expect(await w.balance(buyer)).toBe(5000 - 3 * 500);
  });
});
