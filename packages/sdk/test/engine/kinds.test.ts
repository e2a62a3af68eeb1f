import { describe, expect, it } from 'vitest';
import { wireGuardKeyPairOf } from '../../src/adapter.js';
import { CapacityExhaustedError, PanelConnectionError, ValidationError } from '../../src/index.js';
import type { Subscription } from '../../src/index.js';
import { createHarness } from './harness.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });

/**
 * A shop whose one fake panel serves an Xray inbound (`1`), a WireGuard core (`wg`, a /29: five peer addresses) and a
 * Telegram proxy inbound (`mtproto`), its targets synced from the panel; a plan per kind, a bundle of all three
 * (1 000: 334 + 333 + 333) and a buyer with 10 000.
 */
async function shop(pool = '10.8.0.0/29') {
  const h = await createHarness({
    panel: {
      kinds: ['xray', 'wireguard', 'mtproto'],
      targets: [
        { remoteRef: '1', kinds: ['xray'] },
        { remoteRef: 'wg', kinds: ['wireguard'], pool },
        { remoteRef: 'mtproto', kinds: ['mtproto'] },
      ],
    },
  });
  const { panel, target: stale } = h.panels[0]!;
  await h.storage.targets.update(stale.id, { provisioningEnabled: false, remoteRef: 'old' });
  await h.kit.targets.sync(panel.id);
  const targets = await h.storage.targets.list({ panelId: panel.id });
  const byRef = (ref: string) => targets.find((t) => t.remoteRef === ref)!;
  const bundle = await h.kit.plans.create({
    name: 'Everything',
    family: 'bundle',
    price: usd(1000),
    durationDays: 30,
    trafficBytes: null,
    deviceLimit: 3,
    kinds: ['xray', 'wireguard', 'mtproto'],
  });
  const wireguard = await h.kit.plans.create({
    name: 'Router',
    family: 'wg',
    price: usd(300),
    durationDays: 30,
    trafficBytes: null,
    deviceLimit: 3,
    kinds: ['wireguard'],
  });
  const customerId = await h.customer(10_000);
  return { h, panel, fake: h.panels[0]!.fake, byRef, bundle, wireguard, customerId };
}

const byKind = (subs: readonly Subscription[], kind: Subscription['kind']) => subs.find((s) => s.kind === kind)!;

describe('selling kinds', () => {
  it('syncs the kinds each target serves from the panel', async () => {
    const { byRef } = await shop();
    expect(byRef('1').kinds).toEqual(['xray']);
    expect(byRef('wg').kinds).toEqual(['wireguard']);
    expect(byRef('mtproto').kinds).toEqual(['mtproto']);
  });

  it('sells a bundle as one subscription per kind on a target serving it, sharing a bundle, each at its share of one debit', async () => {
    const { h, byRef, bundle, customerId, fake } = await shop();
    const { order, subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: bundle.id }], idempotencyKey: 'b1' });
    expect(order.total).toEqual(usd(1000));
    expect(await h.balance(customerId)).toBe(9000);
    expect(subscriptions.map((s) => s.kind)).toEqual(['xray', 'wireguard', 'mtproto']);
    expect(new Set(subscriptions.map((s) => s.bundleId)).size).toBe(1);
    expect(subscriptions[0]!.bundleId).toMatch(/^bnd_/);
    expect(subscriptions.map((s) => s.targetId)).toEqual([byRef('1').id, byRef('wg').id, byRef('mtproto').id]);
    expect(subscriptions.map((s) => s.terms?.price.amount)).toEqual([334, 333, 333]);
    // Devices are counted on the Xray part only.
    expect(subscriptions.map((s) => s.deviceLimit)).toEqual([3, null, null]);
    expect(byKind(subscriptions, 'wireguard').remote.wireguard?.publicKey).toMatch(/=$/);
    expect(byKind(subscriptions, 'mtproto').remote.mtproto?.secretCore).toMatch(/^[0-9a-f]{32}$/);

    await h.worker().drain();
    const live = await h.storage.subscriptions.listByOrder(order.id);
    expect(live.map((s) => s.status)).toEqual(['active', 'active', 'active']);
    // Every part ends with the others.
    expect(new Set(live.map((s) => s.expiresAt?.toISOString())).size).toBe(1);
    const wg = byKind(live, 'wireguard');
    expect(wg.shareLinks[0]).toMatch(/^wireguard:\/\//);
    expect(wg.shareLinks[0]).toContain(encodeURIComponent(wg.remote.wireguard!.privateKey));
    expect(fake.peerAddresses('wg')).toHaveLength(1);
    const tg = byKind(live, 'mtproto');
    expect(tg.shareLinks[0]).toMatch(/^tg:\/\/proxy\?/);
    expect(tg.shareLinks[0]).toContain(`secret=ee${tg.remote.mtproto!.secretCore}`);
  });

  it('after a lost create answer, the retry adopts the peer it made: one peer, one address', async () => {
    const { h, wireguard, customerId, fake } = await shop();
    const { order } = await h.kit.checkout({ customerId, items: [{ planId: wireguard.id }], idempotencyKey: 'w1' });
    fake.loseResponseNext(
      'createClients',
      1,
      () => new PanelConnectionError('socket hang up', { panelKind: 'fake', operation: 'createClients' }),
    );
    const worker = h.worker();
    await worker.drain();
    h.clock.advance(120_000);
    await worker.drain();
    const [sub] = await h.storage.subscriptions.listByOrder(order.id);
    expect(sub!.status).toBe('active');
    expect(fake.peerAddresses('wg')).toHaveLength(1);
    expect(fake.clientCount()).toBe(1);
  });

  it('a full address pool fails the WireGuard part alone and refunds exactly its share; the other parts live', async () => {
    const { h, bundle, customerId, fake } = await shop();
    fake.fillPool('wg', 0);
    const { order } = await h.kit.checkout({ customerId, items: [{ planId: bundle.id }], idempotencyKey: 'b2' });
    await h.worker().drain();
    const subs = await h.storage.subscriptions.listByOrder(order.id);
    expect(subs.map((s) => [s.kind, s.status]).sort()).toEqual([
      ['mtproto', 'active'],
      ['wireguard', 'failed'],
      ['xray', 'active'],
    ]);
    expect(byKind(subs, 'wireguard').failureReason).toMatch(/^PANEL_POOL_EXHAUSTED/);
    expect(await h.balance(customerId)).toBe(10_000 - 1000 + 333);
  });

  it('never places a part on a target that does not serve its kind alone', async () => {
    const h = await createHarness();
    const plan = await h.kit.plans.create({
      name: 'wg',
      family: 'wg',
      price: usd(100),
      durationDays: 30,
      trafficBytes: null,
      kinds: ['wireguard'],
    });
    const customerId = await h.customer(1000);
    const refused = await h.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'k' }).catch((e: unknown) => e);
    expect(CapacityExhaustedError.is(refused)).toBe(true);
    expect((refused as CapacityExhaustedError).details).toMatchObject({ reason: 'no_target', kind: 'wireguard' });
    expect(await h.balance(customerId)).toBe(1000);
    // A target serving Xray and WireGuard together would hand the buyer Xray too: not a WireGuard part's.
    await h.storage.targets.update(h.panels[0]!.target.id, { kinds: ['xray', 'wireguard'] });
    await expect(h.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'k2' })).rejects.toThrow(/no wireguard target/);
  });

  it('refuses kinds that do not go with the rest of a plan, storing nothing', async () => {
    const h = await createHarness();
    const base = { name: 'x', family: 'x', price: usd(100), durationDays: 30, trafficBytes: null };
    const refusals: [object, string][] = [
      [{ kinds: ['xray', 'wireguard'], sharing: { maxMembers: 2 } }, 'bundle_with_sharing'],
      [{ kinds: ['xray', 'wireguard'], startOnFirstUse: true }, 'bundle_starts_on_first_use'],
      [{ kinds: ['mtproto'], deviceLimit: 2, devicePack: { pricePer30Days: usd(50), maxExtraDevices: 2 } }, 'devices_not_countable'],
    ];
    const before = (await h.storage.plans.list()).length;
    for (const [input, reason] of refusals) {
      const error = await h.kit.plans.create({ ...base, ...input }).catch((e: unknown) => e);
      expect(ValidationError.is(error) && error.details).toMatchObject({ reason });
    }
    const dup = await h.kit.plans.create({ ...base, kinds: ['xray', 'xray'] }).catch((e: unknown) => e);
    expect(ValidationError.is(dup)).toBe(true);
    expect((await h.storage.plans.list()).length).toBe(before);
    const plan = await h.kit.plans.create({ ...base, kinds: ['xray', 'wireguard'] });
    await expect(h.kit.plans.update(plan.id, { sharing: { maxMembers: 3 } })).rejects.toThrow(/bundle_with_sharing/);
    expect((await h.storage.plans.get(plan.id))?.sharing).toBeNull();
  });

  it('extends a bundle as one purchase: every part at its share, one expiry, all or none, once per key', async () => {
    const { h, bundle, customerId } = await shop();
    const { order } = await h.kit.checkout({ customerId, items: [{ planId: bundle.id }], idempotencyKey: 'b3' });
    const worker = h.worker();
    await worker.drain();
    h.clock.advance(28 * 86_400_000);
    const [first] = await h.storage.subscriptions.listByOrder(order.id);
    const before = await h.balance(customerId);
    const result = await h.kit.extendBundle({ subscriptionId: first!.id, idempotencyKey: 'x1' });
    expect(result.replayed).toBe(false);
    expect(result.parts.map((p) => p.entry?.amount).sort()).toEqual([-334, -333, -333].sort());
    expect(await h.balance(customerId)).toBe(before - 1000);
    await worker.drain();
    const extended = await h.storage.subscriptions.listByOrder(order.id);
    expect(new Set(extended.map((s) => s.expiresAt?.toISOString())).size).toBe(1);
    expect(extended[0]!.expiresAt!.getTime()).toBe(first!.expiresAt!.getTime() + 30 * 86_400_000);
    const again = await h.kit.extendBundle({ subscriptionId: extended[2]!.id, idempotencyKey: 'x1' });
    expect(again.replayed).toBe(true);
    expect(await h.balance(customerId)).toBe(before - 1000);
    // A wallet that pays for two parts of three pays for none.
    const poor = await h.customer(1000);
    const { order: second } = await h.kit.checkout({ customerId: poor, items: [{ planId: bundle.id }], idempotencyKey: 'b4' });
    await worker.drain();
    h.clock.advance(28 * 86_400_000);
    await h.kit.topUp({ customerId: poor, amount: usd(700), idempotencyKey: 'half' });
    const [part] = await h.storage.subscriptions.listByOrder(second.id);
    await expect(h.kit.extendBundle({ subscriptionId: part!.id, idempotencyKey: 'x2' })).rejects.toThrow();
    expect(await h.balance(poor)).toBe(700);
    expect((await h.storage.ledger.list(poor, { limit: 10 })).items.filter((e) => e.kind === 'extension')).toEqual([]);
  });

  it('quotes a bundle extension as extendBundle debits it: the live parts and their total', async () => {
    const { h, bundle, wireguard, customerId } = await shop();
    const { order } = await h.kit.checkout({ customerId, items: [{ planId: bundle.id }], idempotencyKey: 'q1' });
    const worker = h.worker();
    await worker.drain();
    const parts = await h.storage.subscriptions.listByOrder(order.id);
    expect((await h.kit.bundleParts(parts[1]!.id)).map((p) => p.id)).toEqual(parts.map((p) => p.id));
    h.clock.advance(28 * 86_400_000);
    const quote = await h.kit.quoteBundleExtension(parts[2]!.id);
    expect(quote.allowed && quote.total).toEqual(usd(1000));
    expect(quote.parts.map((p) => p.subscription.id)).toEqual(parts.map((p) => p.id));
    const before = await h.balance(customerId);
    await h.kit.extendBundle({ subscriptionId: parts[0]!.id, idempotencyKey: 'q1x' });
    expect(before - (await h.balance(customerId))).toBe(quote.allowed ? quote.total.amount : -1);
    // A terminated part leaves the bundle: neither listed nor quoted.
    await worker.drain();
    const third = (await h.storage.subscriptions.get(parts[2]!.id))!;
    await h.storage.subscriptions.update(third.id, { status: 'terminated' }, { expectedRevision: third.revision });
    const live = await h.kit.bundleParts(parts[0]!.id);
    expect(live.map((p) => p.id)).toEqual(parts.slice(0, 2).map((p) => p.id));
    const after = await h.kit.quoteBundleExtension(parts[0]!.id);
    expect(after.parts).toHaveLength(2);
    // Sold alone: itself.
    const { order: single } = await h.kit.checkout({ customerId, items: [{ planId: wireguard.id }], idempotencyKey: 'q2' });
    await worker.drain();
    const [alone] = await h.storage.subscriptions.listByOrder(single.id);
    expect((await h.kit.bundleParts(alone!.id)).map((p) => p.id)).toEqual([alone!.id]);
    await expect(h.kit.bundleParts('sub_missing')).rejects.toThrow(/not found|missing/i);
  });

  it('reconciliation reports a peer whose key or a proxy whose secret is not the derived one, and does not push it', async () => {
    const { h, bundle, customerId, fake } = await shop();
    const { order } = await h.kit.checkout({ customerId, items: [{ planId: bundle.id }], idempotencyKey: 'b5' });
    await h.worker().drain();
    const subs = await h.storage.subscriptions.listByOrder(order.id);
    expect((await h.kit.reconcile()).panels[0]!.drifted).toEqual([]);
    const wg = byKind(subs, 'wireguard');
    const tg = byKind(subs, 'mtproto');
    const other = wireGuardKeyPairOf(new Uint8Array(32).fill(9));
    fake.tamper(wg.remote.username, {
      wireguard: { ...fake.client(wg.remote.username)!.wireguard!, publicKey: other.publicKey, privateKey: other.privateKey },
    });
    fake.tamper(tg.remote.username, { mtproto: { secret: `ee${'ab'.repeat(16)}${Buffer.from('www.example.com').toString('hex')}` } });
    const report = await h.kit.reconcile({ repair: true });
    expect(report.panels[0]!.drifted.sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId))).toEqual(
      [
        { subscriptionId: wg.id, fields: ['credentials'] },
        { subscriptionId: tg.id, fields: ['credentials'] },
      ].sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId)),
    );
    expect(report.repairsQueued).toBe(0);
  });

  it('a plan change keeps the kind: a WireGuard part does not move to an Xray plan', async () => {
    const { h, wireguard, customerId } = await shop();
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: wireguard.id }], idempotencyKey: 'w2' });
    await h.worker().drain();
    const quote = await h.kit.quotePlanChange(subscriptions[0]!.id, h.plan.id);
    expect(quote).toMatchObject({ allowed: false, reason: 'kind_mismatch' });
  });
});
