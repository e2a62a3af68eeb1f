/**
 * The whole life of two subscriptions on one panel, asserted on both sides: storage (what the shop
 * believes) and the simulated panel (what is really there). Expectations that differ between
 * panels branch on the adapter's capabilities, never on its kind.
 */
import { expect } from 'vitest';
import type { Subscription } from '@panelkit/sdk';
import { linksFingerprint } from '@panelkit/sdk/testing';
import { DAY, GiB, type Shop } from './shop.js';

async function sub(shop: Shop, id: string): Promise<Subscription> {
  const found = await shop.storage.subscriptions.get(id);
  if (found === null) throw new Error(`subscription ${id} is gone`);
  return found;
}

/** The panel holds exactly one client for the subscription, as storage describes it. */
export async function expectOnPanel(shop: Shop, s: Subscription): Promise<void> {
  const { rig, adapter } = shop;
  expect(await rig.sim.countClients(s.remote.username)).toBe(1);
  const stored = rig.stored(s.remote.username);
  expect(stored, `the panel has no client ${s.remote.username}`).toBeDefined();
  expect(stored!.credential).toBe(rig.credentialOf(s.remote.uuid));
  expect(stored!.limitBytes).toBe(s.trafficLimitBytes);
  // Panels keep expiry in seconds at best: compare to the second.
  expect(Math.floor((stored!.expiresAtMs ?? 0) / 1000)).toBe(Math.floor((s.expiresAt?.getTime() ?? 0) / 1000));
  if (adapter.capabilities.deviceLimit) {
    const read = await adapter.getClient(
      {
        target: { remoteRef: shop.target.remoteRef, protocol: shop.target.protocol, remoteMeta: shop.target.remoteMeta },
        username: s.remote.username,
      },
      { signal: AbortSignal.timeout(5_000), idempotencyKey: 'inspect' },
    );
    expect(read?.deviceLimit).toBe(s.deviceLimit);
  }
}

/** Each subscription is active in storage and on the panel as storage describes it. */
export async function expectActiveOnPanel(shop: Shop, subscriptions: readonly { id: string }[]): Promise<void> {
  for (const created of subscriptions) {
    const stored = (await shop.storage.subscriptions.get(created.id))!;
    expect(stored.status).toBe('active');
    await expectOnPanel(shop, stored);
  }
}

/** Whether the panel would let the client connect now, as the adapter reads it. */
export async function enabledOnPanel(shop: Shop, s: Subscription): Promise<boolean | null> {
  const ref = {
    target: { remoteRef: shop.target.remoteRef, protocol: shop.target.protocol, remoteMeta: shop.target.remoteMeta },
    username: s.remote.username,
  };
  const read = await shop.adapter.getClient(ref, { signal: AbortSignal.timeout(5_000), idempotencyKey: 'inspect' });
  return read === null ? null : read.enabled;
}

/** Checkout of two → active on the panel → paid extension → usage → limit → expiry → termination. */
export async function proveLifecycle(shop: Shop): Promise<void> {
  const { kit, worker, clock, rig, adapter, storage } = shop;
  const caps = adapter.capabilities;
  const customerId = await shop.customer(10_000);
  const start = clock.now();

  // Checkout: one order, two pending subscriptions, the money and the slots taken at once.
  const { subscriptions } = await kit.checkout({
    customerId,
    items: [{ planId: shop.plan.id, quantity: 2 }],
    idempotencyKey: 'checkout-1',
  });
  expect(subscriptions.map((s) => s.status)).toEqual(['pending', 'pending']);
  expect(await shop.balance(customerId)).toBe(8_000);
  expect((await storage.targets.get(shop.target.id))?.allocated).toBe(2);
  for (const s of subscriptions) expect(await rig.sim.countClients(s.remote.username)).toBe(0);

  // The worker provisions both on the panel.
  await worker.drain();
  const [a0, b0] = await Promise.all(subscriptions.map((s) => sub(shop, s.id)));
  for (const s of [a0!, b0!]) {
    expect(s.status).toBe('active');
    expect(s.expiresAt?.getTime()).toBe(start.getTime() + 30 * DAY);
    expect(s.trafficLimitBytes).toBe(10 * GiB);
    expect(s.subscriptionUrl).toMatch(/^https?:\/\//);
    expect(s.shareLinks.length).toBeGreaterThan(0);
    expect(s.shareLinks.join(' ')).toContain(rig.linkCredentialOf ? await rig.linkCredentialOf(s.remote.uuid) : s.remote.uuid);
    await expectOnPanel(shop, s);
  }
  expect((await storage.orders.get(a0!.orderId!))?.status).toBe('completed');

  // Two days before expiry the extension window is open: quoted, paid, applied on the panel.
  clock.set(start.getTime() + 28 * DAY);
  const quote = await kit.quoteExtension(a0!.id);
  expect(quote.allowed).toBe(true);
  if (!quote.allowed) return;
  const inPlace = caps.inPlaceUpdate && caps.resetUsage;
  expect(quote.linkChanges).toBe(!inPlace);
  const extended: boolean[] = [];
  kit.events.on('subscription:extended', (e) => extended.push(e.linkChanged));
  await kit.extend({ subscriptionId: a0!.id, idempotencyKey: 'extend-1' });
  expect(await shop.balance(customerId)).toBe(8_000 - quote.quote.price.amount);
  await worker.drain();
  const a1 = await sub(shop, a0!.id);
  expect(a1.expiresAt?.getTime()).toBe(quote.quote.newExpiresAt.getTime());
  expect(a1.expiresAt!.getTime()).toBeGreaterThan(a0!.expiresAt!.getTime());
  expect(extended).toEqual([!inPlace]);
  if (inPlace) {
    // Same client, same credentials; the same links where the panel keeps them stable.
    expect(a1.remote.uuid).toBe(a0!.remote.uuid);
    expect(linksFingerprint(a1.shareLinks, caps.stableShareLinks)).toEqual(linksFingerprint(a0!.shareLinks, caps.stableShareLinks));
  }
  await expectOnPanel(shop, a1);

  // Traffic on the panel: A goes over its limit, B uses a little.
  await rig.sim.addTraffic(a1.remote.username, 1 * GiB, 10 * GiB);
  await rig.sim.addTraffic(b0!.remote.username, 0, 1 * GiB);
  if (caps.enforcesTrafficLimit) rig.sim.enforce();
  const synced = await shop.tick();
  expect(synced.won).toBe(true);
  expect(synced.usage?.failedPanels).toEqual([]);
  expect(synced.limited).toBe(1);
  await worker.drain();
  const a2 = await sub(shop, a0!.id);
  const b2 = await sub(shop, b0!.id);
  expect(a2.usedBytes).toBe(11 * GiB);
  expect(a2.status).toBe('limited');
  expect(b2.usedBytes).toBe(1 * GiB);
  expect(b2.status).toBe('active');
  expect(await enabledOnPanel(shop, a2)).toBe(false);
  expect(await enabledOnPanel(shop, b2)).toBe(true);
  // Panel and storage agree: an enforced limit is not drift.
  const limitedCheck = await kit.reconcile();
  expect(limitedCheck.panels.map((p) => ({ error: p.error, drifted: p.drifted, missing: p.missing }))).toEqual([
    { error: null, drifted: [], missing: [] },
  ]);

  // B's period ends: the panel stops it (or the engine does), storage says expired.
  clock.set(b2.expiresAt!.getTime() + 1_000);
  if (caps.enforcesExpiry) rig.sim.enforce();
  const expiring = await shop.tick();
  expect(expiring.expired).toBe(1);
  await worker.drain();
  const b3 = await sub(shop, b0!.id);
  expect(b3.status).toBe('expired');
  expect(await enabledOnPanel(shop, b3)).toBe(false);
  expect(await rig.sim.countClients(b3.remote.username)).toBe(1);
  expect((await kit.reconcile()).panels[0]?.drifted).toEqual([]);

  // After the grace period B is terminated: its client leaves the panel and its slot is free.
  clock.set(b3.statusChangedAt.getTime() + 7 * DAY + 1_000);
  const terminating = await shop.tick();
  expect(terminating.terminated).toBe(1);
  await worker.drain();
  expect((await sub(shop, b0!.id)).status).toBe('terminated');
  expect(await rig.sim.countClients(b3.remote.username)).toBe(0);
  expect(rig.stored(b3.remote.username)).toBeUndefined();
  expect((await storage.targets.get(shop.target.id))?.allocated).toBe(1);
  // A is untouched by B's end.
  expect(await rig.sim.countClients(a2.remote.username)).toBe(1);
  expect((await sub(shop, a0!.id)).status).toBe('limited');
}
