import { describe, expect, it } from 'vitest';
import { CapacityExhaustedError, EligibilityError, JOB_TYPES, RefundRefusedError } from '../../src/index.js';
import type { Plan, Subscription } from '../../src/index.js';
import type { EntitlementKind } from '../../src/kinds.js';
import { StorefrontRefusedError } from '../../src/storefronts.js';
import type { FakeTargetOptions } from '../../src/testing/index.js';
import { GiB, createHarness } from './harness.js';
import type { Harness } from './harness.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const byKind = (subs: readonly Subscription[], kind: EntitlementKind) => subs.find((s) => s.kind === kind)!;
const KIND_ORDER: EntitlementKind[] = ['xray', 'wireguard', 'amneziawg', 'mtproto'];
/** A bundle's parts in its plan's kind order (storage lists an order's subscriptions in no promised order). */
const inKindOrder = (subs: readonly Subscription[]) => [...subs].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));

/** A fake panel in `location` with `targets`, the shop's targets synced from it (the harness's stored `1` kept or retired). */
async function kindsPanel(h: Harness, location: string, targets: FakeTargetOptions[]) {
  const setup = await h.addPanel({ targets, locationTags: [location] });
  await h.kit.targets.sync(setup.panel.id);
  const stored = await h.storage.targets.list({ panelId: setup.panel.id });
  const target = (ref: string) => stored.find((t) => t.remoteRef === ref && t.provisioningEnabled)!;
  return { ...setup, target };
}

/** A plan per non-Xray kind (WireGuard 300, Telegram 200) and a bundle of all three (900: 300 each), in families of their own. */
async function kindPlans(
  h: Harness,
  extra: { trial?: { days: number; trafficBytes: number }; placement?: { preferredTargetIds: string[] } } = {},
) {
  const base = { price: usd(300), durationDays: 30, trafficBytes: null, ...extra };
  const plan = (name: string, kinds: EntitlementKind[], price = 300): Promise<Plan> =>
    h.kit.plans.create({ ...base, name, family: name, price: usd(price), kinds });
  return {
    wireguard: await plan('router', ['wireguard']),
    telegram: await plan('telegram', ['mtproto'], 200),
    bundle: await plan('everything', ['xray', 'wireguard', 'mtproto'], 900),
  };
}

/**
 * Home (`de`): an Xray inbound, a WireGuard core and a Telegram proxy. In `nl`, room for Xray only: an Xray panel and a
 * panel whose targets serve Xray with WireGuard or with Telegram (a non-Xray part never goes there). `away()` adds
 * `fr`, a panel serving WireGuard alone and Telegram alone, on another endpoint.
 */
async function world() {
  const h = await createHarness({ panels: 0 });
  const home = await kindsPanel(h, 'de', [
    { remoteRef: '1', kinds: ['xray'] },
    { remoteRef: 'wg', kinds: ['wireguard'], endpoint: 'home.example:51820', pool: '10.8.0.0/29' },
    { remoteRef: 'tg', kinds: ['mtproto'], endpoint: 'home.example:443' },
  ]);
  const xray = await kindsPanel(h, 'nl', [{ remoteRef: '1', kinds: ['xray'] }]);
  const mixed = await kindsPanel(h, 'nl', [
    { remoteRef: 'mix-wg', kinds: ['xray', 'wireguard'], endpoint: 'mixed.example:51820' },
    { remoteRef: 'mix-tg', kinds: ['xray', 'mtproto'], endpoint: 'mixed.example:443' },
  ]);
  const away = () =>
    kindsPanel(h, 'fr', [
      { remoteRef: 'wg2', kinds: ['wireguard'], endpoint: 'away.example:51820', pool: '10.9.0.0/24' },
      { remoteRef: 'tg2', kinds: ['mtproto'], endpoint: 'away.example:8443' },
    ]);
  // Every part starts home.
  const plans = await kindPlans(h, { placement: { preferredTargetIds: ['1', 'wg', 'tg'].map((ref) => home.target(ref).id) } });
  const customerId = await h.customer(10_000);
  const buy = async (plan: Plan, key: string) => {
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: key });
    await h.worker().drain();
    return Promise.all(subscriptions.map(async (s) => (await h.storage.subscriptions.get(s.id))!));
  };
  const moves: { id: string; moved: boolean; linkChanged: boolean }[] = [];
  h.kit.events.on(
    'subscription:plan_changed',
    (e) => void moves.push({ id: e.subscription.id, moved: e.moved, linkChanged: e.linkChanged }),
  );
  return { h, home, xray, mixed, away, ...plans, customerId, buy, moves };
}

type World = Awaited<ReturnType<typeof world>>;

/** An evacuation report's outcome and destination per subscription (its items come in no promised order). */
const outcomes = (items: readonly { subscriptionId: string; outcome: string; toTargetId: string | null }[]) =>
  new Map(items.map((i) => [i.subscriptionId, [i.outcome, i.toTargetId]]));

/** Nothing moved: each subscription where it was, live, its client there, no update queued, the wallet as it was. */
async function expectStayed(w: World, before: readonly Subscription[], balance: number) {
  for (const sub of before) {
    const now = (await w.h.storage.subscriptions.get(sub.id))!;
    expect(now).toMatchObject({ status: 'active', targetId: sub.targetId, remote: { generation: 0 }, shareLinks: sub.shareLinks });
    expect(w.home.fake.client(sub.remote.username)?.enabled).toBe(true);
  }
  expect((await w.h.storage.jobs.list({ state: 'queued', type: JOB_TYPES.update }, { limit: 10 })).items).toEqual([]);
  expect(await w.h.balance(w.customerId)).toBe(balance);
  for (const sub of before) for (const other of [w.xray, w.mixed]) expect(other.fake.client(sub.remote.username)).toBeUndefined();
}

/** A moved WireGuard part: on `to`, at generation 1, a new key, a link naming `to`'s endpoint and server key; the old peer gone. */
async function expectWireGuardMoved(w: World, before: Subscription, to: { id: string; remoteMeta: Record<string, unknown> }) {
  const after = (await w.h.storage.subscriptions.get(before.id))!;
  expect(after).toMatchObject({ status: 'active', targetId: to.id, remote: { generation: 1 }, expiresAt: before.expiresAt });
  expect(after.remote.wireguard!.privateKey).not.toBe(before.remote.wireguard!.privateKey);
  const link = new URL(after.shareLinks[0]!);
  expect(link.host).toBe('away.example:51820');
  expect(link.searchParams.get('publickey')).toBe(to.remoteMeta['serverPublicKey']);
  expect(link.searchParams.get('publickey')).not.toBe(new URL(before.shareLinks[0]!).searchParams.get('publickey'));
  expect(decodeURIComponent(link.username)).toBe(after.remote.wireguard!.privateKey);
  expect(w.home.fake.client(before.remote.username)).toBeUndefined();
  const oldAddress = new URL(before.shareLinks[0]!).searchParams.get('address')!;
  expect(oldAddress).toMatch(/^10\.8\.0\./);
  expect(w.home.fake.peerAddresses('wg')).not.toContain(oldAddress);
  expect(w.moves).toContainEqual({ id: before.id, moved: true, linkChanged: true });
}

/** A moved Telegram part: on `to`, a new secret core, a link naming `to`'s server and port; the old proxy user gone. */
async function expectTelegramMoved(w: World, before: Subscription, toId: string) {
  const after = (await w.h.storage.subscriptions.get(before.id))!;
  expect(after).toMatchObject({ status: 'active', targetId: toId, remote: { generation: 1 }, expiresAt: before.expiresAt });
  expect(after.remote.mtproto!.secretCore).not.toBe(before.remote.mtproto!.secretCore);
  const link = new URL(after.shareLinks[0]!);
  expect([link.searchParams.get('server'), link.searchParams.get('port')]).toEqual(['away.example', '8443']);
  expect(link.searchParams.get('secret')).toContain(after.remote.mtproto!.secretCore);
  expect(w.home.fake.client(before.remote.username)).toBeUndefined();
  expect(w.moves).toContainEqual({ id: before.id, moved: true, linkChanged: true });
}

describe('kinds through evacuation and moves', () => {
  it('an evacuation moves WireGuard and Telegram parts only to targets serving their kind alone; with none, no_room and nothing changes', async () => {
    const w = await world();
    const { h, home } = w;
    const [wg] = await w.buy(w.wireguard, 'w');
    const [tg] = await w.buy(w.telegram, 't');
    const balance = await h.balance(w.customerId);
    // Xray and mixed targets in `nl` have room, but neither may take them.
    const dry = await h.kit.evacuate({ panelId: home.panel.id, dryRun: true });
    expect(dry.items.map((i) => i.outcome)).toEqual(['no_room', 'no_room']);
    const report = await h.kit.evacuate({ panelId: home.panel.id });
    expect(report.counts).toMatchObject({ queued: 0, no_room: 2 });
    await h.worker().drain();
    await expectStayed(w, [wg!, tg!], balance);
    expect(await h.storage.targets.get(home.target('wg').id)).toMatchObject({ allocated: 1 });

    const away = await w.away();
    const moving = await h.kit.evacuate({ panelId: home.panel.id });
    expect(outcomes(moving.items)).toEqual(
      new Map([
        [wg!.id, ['queued', away.target('wg2').id]],
        [tg!.id, ['queued', away.target('tg2').id]],
      ]),
    );
    await h.worker().drain();
    await h.worker().drain();
    await expectWireGuardMoved(w, wg!, away.target('wg2'));
    await expectTelegramMoved(w, tg!, away.target('tg2').id);
    expect(away.fake.client(wg!.remote.username)?.wireguard?.publicKey).toBe(
      (await h.storage.subscriptions.get(wg!.id))!.remote.wireguard!.publicKey,
    );
    expect(await h.balance(w.customerId)).toBe(balance);
    expect(await h.kit.evacuationProgress(home.panel.id)).toEqual({ remaining: 0, moving: 0, staying: 0 });
    expect(await h.storage.targets.get(home.target('wg').id)).toMatchObject({ allocated: 0 });
    expect(await h.storage.targets.get(away.target('wg2').id)).toMatchObject({ allocated: 1 });
  });

  it('an evacuated bundle moves part by part: its Xray part where Xray has room, the others once their kinds have a target', async () => {
    const w = await world();
    const { h, home } = w;
    const parts = await w.buy(w.bundle, 'b');
    const balance = await h.balance(w.customerId);
    const first = await h.kit.evacuate({ panelId: home.panel.id });
    expect([...outcomes(first.items)].map(([id, [outcome]]) => [id, outcome])).toEqual(
      expect.arrayContaining([
        [byKind(parts, 'xray').id, 'queued'],
        [byKind(parts, 'wireguard').id, 'no_room'],
        [byKind(parts, 'mtproto').id, 'no_room'],
      ]),
    );
    expect(first.items).toHaveLength(3);
    await h.worker().drain();
    await h.worker().drain();
    const xrayPart = (await h.storage.subscriptions.get(byKind(parts, 'xray').id))!;
    expect([w.xray.panel.id, w.mixed.panel.id]).toContain(xrayPart.panelId);
    await expectStayed(w, [byKind(parts, 'wireguard'), byKind(parts, 'mtproto')], balance);

    const away = await w.away();
    expect((await h.kit.evacuate({ panelId: home.panel.id })).counts).toMatchObject({ queued: 2 });
    await h.worker().drain();
    await h.worker().drain();
    await expectWireGuardMoved(w, byKind(parts, 'wireguard'), away.target('wg2'));
    await expectTelegramMoved(w, byKind(parts, 'mtproto'), away.target('tg2').id);
    const after = await Promise.all(parts.map(async (p) => (await h.storage.subscriptions.get(p.id))!));
    // Still one bundle, every part ending together, nothing charged.
    expect(new Set(after.map((s) => s.bundleId))).toEqual(new Set([parts[0]!.bundleId]));
    expect(new Set(after.map((s) => s.expiresAt?.toISOString())).size).toBe(1);
    expect(await h.balance(w.customerId)).toBe(balance);
    expect(home.fake.clientCount()).toBe(0);
  });

  it('a buyer moves a WireGuard part only to a location serving WireGuard alone; elsewhere location_full and nothing is written', async () => {
    const w = await world();
    const { h } = w;
    const [wg] = await w.buy(w.wireguard, 'w');
    const parts = await w.buy(w.bundle, 'b');
    const balance = await h.balance(w.customerId);
    expect((await h.kit.planLocations(w.wireguard.id)).map((l) => [l.location, l.status])).toEqual([
      ['de', 'available'],
      ['nl', 'busy'],
    ]);
    for (const sub of [wg!, byKind(parts, 'mtproto')]) {
      const refused = await h.kit
        .moveSubscription({ subscriptionId: sub.id, location: 'nl', idempotencyKey: `nl-${sub.id}` })
        .catch((e: unknown) => e);
      expect(CapacityExhaustedError.is(refused) && refused.details).toMatchObject({ reason: 'location_full', location: 'nl' });
    }
    await expectStayed(w, [wg!, byKind(parts, 'wireguard'), byKind(parts, 'mtproto')], balance);

    const away = await w.away();
    // A bundle's Xray part cannot follow to `fr`: no Xray there.
    const xrayOut = await h.kit
      .moveSubscription({ subscriptionId: byKind(parts, 'xray').id, location: 'fr', idempotencyKey: 'x' })
      .catch((e: unknown) => e);
    expect(CapacityExhaustedError.is(xrayOut)).toBe(true);
    const moved = await h.kit.moveSubscription({ subscriptionId: wg!.id, location: 'fr', idempotencyKey: 'm1' });
    expect(moved).toMatchObject({ toTargetId: away.target('wg2').id, replayed: false });
    const telegram = await h.kit.moveSubscription({ subscriptionId: byKind(parts, 'mtproto').id, location: 'fr', idempotencyKey: 'm2' });
    expect(telegram.toTargetId).toBe(away.target('tg2').id);
    await h.worker().drain();
    await h.worker().drain();
    await expectWireGuardMoved(w, wg!, away.target('wg2'));
    await expectTelegramMoved(w, byKind(parts, 'mtproto'), away.target('tg2').id);
    // The bundle's other parts stay home, untouched.
    expect((await h.storage.subscriptions.get(byKind(parts, 'wireguard').id))!).toMatchObject({
      targetId: w.home.target('wg').id,
      remote: { generation: 0 },
    });
    expect(await h.balance(w.customerId)).toBe(balance);
  });
});

/**
 * A storefront of a reseller who pays 900 wholesale for the bundle and for a one-kind Xray plan of the same list price
 * (1 200), both on its menu at 1 500; the shop's one panel serves every kind, its WireGuard pool a /29.
 */
async function storefrontShop() {
  const h = await createHarness({ panels: 0 });
  const panel = await kindsPanel(h, 'de', [
    { remoteRef: '1', kinds: ['xray'] },
    { remoteRef: 'wg', kinds: ['wireguard'], pool: '10.8.0.0/29' },
    { remoteRef: 'mtproto', kinds: ['mtproto'] },
  ]);
  const { bundle } = await kindPlans(h);
  await h.kit.plans.update(bundle.id, { price: usd(1200) });
  const single = await h.kit.plans.create({ name: 'xray', family: 'xray', price: usd(1200), durationDays: 30, trafficBytes: null });
  const resellerId = await h.customer(5000);
  for (const plan of [bundle, single]) await h.kit.resellers.setPrice({ customerId: resellerId, planId: plan.id, price: usd(900) });
  const storefront = await h.kit.storefronts.create({ resellerId, name: 'Fast VPN' });
  for (const plan of [bundle, single])
    await h.kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: plan.id, retailPrice: usd(1500) });
  const buyer = async () => {
    const id = await h.customer(5000);
    await h.kit.storefronts.moveBuyer({ customerId: id, storefrontId: storefront.id });
    return id;
  };
  return { h, panel, bundle, single, resellerId, storefront, buyer };
}

const split = (rows: readonly { kind: string; retail: { amount: number }; wholesale: { amount: number }; margin: { amount: number } }[]) =>
  // The sale, then its refunds (rows come in no promised order).
  [...rows]
    .sort((a, b) => Number(a.kind !== 'sale') - Number(b.kind !== 'sale'))
    .map((r) => [r.kind, r.retail.amount, r.wholesale.amount, r.margin.amount]);

describe('kinds at a storefront', () => {
  it('a storefront buyer buys a bundle in one charge, split as a one-kind plan of the same price; every part provisioned', async () => {
    const { h, bundle, single, resellerId, buyer } = await storefrontShop();
    const a = await buyer();
    const b = await buyer();
    const { order } = await h.kit.checkout({ customerId: a, items: [{ planId: bundle.id }], idempotencyKey: 'bundle' });
    expect(await h.kit.payouts.balances(resellerId)).toEqual([usd(1500)]);
    expect(await h.balance(resellerId)).toBe(4100);
    const { order: alone } = await h.kit.checkout({ customerId: b, items: [{ planId: single.id }], idempotencyKey: 'single' });
    expect(await h.kit.payouts.balances(resellerId)).toEqual([usd(3000)]);
    expect(await h.balance(resellerId)).toBe(3200);
    expect(split(await h.storage.storefronts.salesOfOrder(order.id))).toEqual(split(await h.storage.storefronts.salesOfOrder(alone.id)));
    expect(split(await h.storage.storefronts.salesOfOrder(order.id))).toEqual([['sale', 1500, 900, 600]]);
    const debits = (await h.storage.ledger.list(a, { limit: 10 })).items.filter((e) => e.kind === 'purchase');
    expect(debits.map((e) => e.amount)).toEqual([-1500]);
    await h.worker().drain();
    const parts = inKindOrder(await h.storage.subscriptions.listByOrder(order.id));
    expect(parts.map((s) => [s.kind, s.status, s.terms?.price.amount])).toEqual([
      ['xray', 'active', 500],
      ['wireguard', 'active', 500],
      ['mtproto', 'active', 500],
    ]);
  });

  it('a part failing on a full pool refunds its share once, its split reversed in that share; the figures agree', async () => {
    const { h, panel, bundle, resellerId, storefront, buyer } = await storefrontShop();
    const a = await buyer();
    panel.fake.fillPool('wg', 0);
    const { order } = await h.kit.checkout({ customerId: a, items: [{ planId: bundle.id }], idempotencyKey: 'bundle' });
    await h.worker().drain();
    await h.worker().drain();
    const parts = inKindOrder(await h.storage.subscriptions.listByOrder(order.id));
    expect(parts.map((s) => [s.kind, s.status])).toEqual([
      ['xray', 'active'],
      ['wireguard', 'failed'],
      ['mtproto', 'active'],
    ]);
    const refunds = (await h.storage.ledger.list(a, { limit: 10 })).items.filter((e) => e.kind === 'refund');
    expect(refunds.map((e) => e.amount)).toEqual([500]);
    expect(await h.balance(a)).toBe(5000 - 1500 + 500);
    // A third of 1 500 back: a third of the wholesale (300) to the reseller's wallet, a third of what was collected off the payouts.
    expect(split(await h.storage.storefronts.salesOfOrder(order.id))).toEqual([
      ['sale', 1500, 900, 600],
      ['refund', -500, -300, -200],
    ]);
    expect(await h.balance(resellerId)).toBe(5000 - 900 + 300);
    expect(await h.kit.payouts.balances(resellerId)).toEqual([usd(1000)]);
    const figures = await h.kit.storefronts.figures({ from: '2026-03-01', to: '2026-03-01', timeZone: 'UTC' });
    expect(figures.storefronts[0]).toMatchObject({
      storefrontId: storefront.id,
      sales: 1,
      refunds: 1,
      retail: [usd(1000)],
      wholesale: [usd(600)],
      margin: [usd(400)],
      collected: [usd(1000)],
    });
    expect(figures.revenue).toEqual([usd(1000)]);
    // What is left to refund is the other parts' 1 000, not the whole price again.
    const over = await h.kit.refund({ customerId: a, orderId: order.id, amount: usd(1001), idempotencyKey: 'r1' }).catch((e: unknown) => e);
    expect(RefundRefusedError.is(over)).toBe(true);
  });

  it('counts a bundle against the storefront’s quotas as the subscriptions it makes, each with the whole traffic limit', async () => {
    const { h, bundle, single, storefront, buyer } = await storefrontShop();
    const a = await buyer();
    const reasonOf = async (key: string) => {
      const error = await h.kit.checkout({ customerId: a, items: [{ planId: bundle.id }], idempotencyKey: key }).catch((e: unknown) => e);
      return StorefrontRefusedError.is(error) ? error.reason : error;
    };
    await h.kit.storefronts.update(storefront.id, { quotas: { maxActiveSubscriptions: 2 } });
    expect(await reasonOf('b')).toBe('quota_subscriptions');
    await h.kit.plans.update(bundle.id, { trafficBytes: 10 * GiB });
    await h.kit.storefronts.update(storefront.id, { quotas: { maxTrafficBytes: 25 * GiB } });
    expect(await reasonOf('t')).toBe('quota_traffic');
    expect(await h.balance(a)).toBe(5000);
    await h.kit.storefronts.update(storefront.id, { quotas: { maxActiveSubscriptions: 3, maxTrafficBytes: 30 * GiB } });
    await h.kit.checkout({ customerId: a, items: [{ planId: bundle.id }], idempotencyKey: 'b2' });
    const full = await h.kit.checkout({ customerId: a, items: [{ planId: single.id }], idempotencyKey: 's' }).catch((e: unknown) => e);
    expect(StorefrontRefusedError.is(full) && full.reason).toBe('quota_subscriptions');
  });
});

/** A shop whose one panel serves every kind, the kind plans with a trial, and a giver. */
async function giftsAndTrials() {
  const h = await createHarness({ panels: 0 });
  const panel = await kindsPanel(h, 'de', [
    { remoteRef: '1', kinds: ['xray'] },
    { remoteRef: 'wg', kinds: ['wireguard'] },
    { remoteRef: 'mtproto', kinds: ['mtproto'] },
  ]);
  const plans = await kindPlans(h, { trial: { days: 3, trafficBytes: 1024 } });
  return { h, panel, ...plans };
}

describe('kinds as gifts and trials', () => {
  it('a gift of a WireGuard plan and of a bundle is claimed into the plan’s parts, each provisioned', async () => {
    const { h, panel, wireguard, bundle } = await giftsAndTrials();
    const giver = await h.customer(5000);
    const friend = await h.customer(0);
    const claimed: Subscription[][] = [];
    for (const plan of [wireguard, bundle]) {
      const { gift } = await h.kit.gifts.buy({ customerId: giver, planId: plan.id, validDays: 30, idempotencyKey: plan.id });
      const claim = await h.kit.gifts.claim({ code: gift.code, customerId: friend });
      claimed.push(claim.subscriptions);
    }
    expect(await h.balance(giver)).toBe(5000 - 300 - 900);
    await h.worker().drain();
    const [alone, parts] = await Promise.all(
      claimed.map(async (subs) => inKindOrder(await Promise.all(subs.map(async (s) => (await h.storage.subscriptions.get(s.id))!)))),
    );
    expect(alone!.map((s) => [s.kind, s.status, s.bundleId])).toEqual([['wireguard', 'active', null]]);
    expect(parts!.map((s) => [s.kind, s.status, s.terms?.price.amount])).toEqual([
      ['xray', 'active', 300],
      ['wireguard', 'active', 300],
      ['mtproto', 'active', 300],
    ]);
    expect(new Set(parts!.map((s) => s.bundleId)).size).toBe(1);
    expect(parts![0]!.bundleId).not.toBeNull();
    expect(panel.fake.peerAddresses('wg')).toHaveLength(2);
    expect(await h.balance(friend)).toBe(0);
  });

  it('a trial of a WireGuard plan and of a bundle is one trial each per buyer; a second is refused, typed', async () => {
    const { h, wireguard, bundle } = await giftsAndTrials();
    const buyer = await h.customer(0);
    const trial = (planId: string, key: string) =>
      h.kit.checkout({ customerId: buyer, items: [{ planId, trial: true }], idempotencyKey: key });
    const wg = await trial(wireguard.id, 'w1');
    expect(wg.subscriptions.map((s) => [s.kind, s.trial])).toEqual([['wireguard', true]]);
    const all = await trial(bundle.id, 'b1');
    expect(inKindOrder(all.subscriptions).map((s) => [s.kind, s.trial, s.trafficLimitBytes, s.durationDays])).toEqual([
      ['xray', true, 1024, 3],
      ['wireguard', true, 1024, 3],
      ['mtproto', true, 1024, 3],
    ]);
    await h.worker().drain();
    for (const [planId, key] of [
      [wireguard.id, 'w2'],
      [bundle.id, 'b2'],
    ] as const) {
      const refused = await trial(planId, key).catch((e: unknown) => e);
      expect(EligibilityError.is(refused) && refused.reasons).toEqual(['already_used']);
    }
    const refusals = await h.kit.trials.refusals({ limit: 10 }, { customerId: buyer });
    expect(refusals.items.map((r) => r.planId).sort()).toEqual([wireguard.id, bundle.id].sort());
    const subs = (await h.storage.subscriptions.listByCustomer(buyer, { limit: 10 })).items;
    expect(subs.map((s) => s.status).sort()).toEqual(['active', 'active', 'active', 'active']);
    expect(await h.balance(buyer)).toBe(0);
  });
});
