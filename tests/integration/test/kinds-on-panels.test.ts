/**
 * WireGuard and Telegram (MTProto) parts end to end: the kit over the real adapter and each simulator that offers a
 * kind (PasarGuard: WireGuard; 3x-ui v3.6: WireGuard and MTProto) served over HTTP on 127.0.0.1, on memory, PGlite
 * and a PostgreSQL server. One simulator and one storage per describe; every test buys with its own customer.
 */
import type { Subscription, Target } from '@panelkit/sdk';
import type { EntitlementKind } from '@panelkit/sdk/kinds';
import { capabilitiesFor, type TargetRef } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIND_PANELS } from './support/kind-rigs.js';
import { BUNDLE_PRICE, KIND_PRICE, openKindShop, type KindShop } from './support/kind-shop.js';
import { closeKindStorages, KIND_STORAGES, type OpenedStorage, type StorageKind } from './support/kind-storages.js';
import { DAY } from './support/shop.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });
let keys = 0;
const key = (what: string) => `${what}-${++keys}`;

const refOf = (target: Target): TargetRef => ({ remoteRef: target.remoteRef, protocol: target.protocol, remoteMeta: target.remoteMeta });
const seconds = (ms: number | null | undefined) => Math.floor((ms ?? 0) / 1000);

/** The credential the panel must hold for a part: its derived WireGuard public key, or its derived MTProto core. */
function derivedCredential(s: Subscription): string {
  if (s.kind === 'wireguard') return s.remote.wireguard!.publicKey;
  if (s.kind === 'mtproto') return s.remote.mtproto!.secretCore;
  throw new Error(`no derived credential for ${s.kind}`);
}

/** The part's share link is its kind's form and carries the derived private key or secret core. */
function expectKindLink(s: Subscription): void {
  expect(s.shareLinks).toHaveLength(1);
  const [link] = s.shareLinks;
  if (s.kind === 'wireguard') {
    expect(link).toMatch(/^wireguard:\/\//);
    expect(link).toContain(encodeURIComponent(s.remote.wireguard!.privateKey));
  } else {
    expect(link).toMatch(/^tg:\/\/proxy\?/);
    expect(link).toMatch(new RegExp(`secret=ee${s.remote.mtproto!.secretCore}[0-9a-f]+`));
  }
}

/** The panel holds exactly one client for the part, with the derived credential (and, for WireGuard, one address). */
async function expectHeld(shop: KindShop, s: Subscription) {
  expect(await shop.rig.sim.countClients(s.remote.username)).toBe(1);
  const held = shop.rig.held(s.remote.username);
  expect(held, `the panel has no client ${s.remote.username}`).toBeDefined();
  if (s.kind === 'wireguard') {
    expect(held!.credential).toBe(derivedCredential(s));
    expect(held!.addresses).toHaveLength(1);
    expect(new URL(s.shareLinks[0]!).searchParams.get('address')).toBe(held!.addresses[0]);
  } else {
    expect(held!.credential).toMatch(new RegExp(`^ee${derivedCredential(s)}[0-9a-f]+$`));
  }
  return held!;
}

async function refundsOf(shop: KindShop, orderId: string) {
  return (await shop.storage.ledger.listByOrder(orderId)).filter((entry) => entry.amount > 0);
}

afterAll(() => closeKindStorages());

/** One simulator and one storage for the enclosing describe block, opened before its tests and closed after. */
function useKindShop(storageKind: StorageKind, panelKind: (typeof KIND_PANELS)[number]) {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const rig = panelKind.make(clock);
  let opened: OpenedStorage | undefined;
  let shop: KindShop | undefined;
  beforeAll(async () => {
    opened = await storageKind.open(clock);
    shop = await openKindShop({ clock, storage: opened.storage, rig });
  });
  afterAll(async () => {
    await shop?.close();
    await opened?.close();
  });
  return {
    clock,
    rig,
    shop(): KindShop {
      if (shop === undefined) throw new Error('the shop is not open');
      return shop;
    },
  };
}

for (const storageKind of KIND_STORAGES) {
  for (const panelKind of KIND_PANELS) {
    const skipped = storageKind.skip === false ? '' : ` (skipped: ${storageKind.skip})`;
    describe.skipIf(storageKind.skip !== false)(`kinds on ${panelKind.label} over ${storageKind.label}${skipped}`, () => {
      const { clock, rig, shop: current } = useKindShop(storageKind, panelKind);
      let shop: KindShop;
      beforeAll(() => {
        shop = current();
      });

      it('target sync stores the kinds the panel reports, one target per kind sold', () => {
        for (const kind of ['xray', ...rig.kinds] as EntitlementKind[]) expect(shop.targetOf(kind).kinds).toEqual([kind]);
      });

      for (const kind of rig.kinds) {
        it(`a ${kind} plan: bought, provisioned with its derived credential, extended in place, expired by the scheduler`, async () => {
          const { kit, worker } = shop;
          const { sim } = rig;
          const customerId = await shop.customer(5_000);
          const plan = await shop.planOf([kind]);
          const { subscriptions } = await kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: key('buy') });
          const [bought] = subscriptions;
          expect(subscriptions).toHaveLength(1);
          expect(bought).toMatchObject({ kind, status: 'pending', bundleId: null, targetId: shop.targetOf(kind).id, deviceLimit: null });
          expect(await shop.balance(customerId)).toBe(5_000 - KIND_PRICE);

          await worker.drain();
          const live = await shop.sub(bought!.id);
          expect(live.status).toBe('active');
          expectKindLink(live);
          const held = await expectHeld(shop, live);
          expect(seconds(held.expiresAtMs)).toBe(seconds(live.expiresAt?.getTime()));
          expect(await sim.canConnect(live.remote.username)).toBe(true);

          // Extended in place: the same key or secret, the same address, the expiry moved on the panel.
          clock.set(live.expiresAt!.getTime() - 2 * DAY);
          const quote = await kit.quoteExtension(live.id);
          if (!quote.allowed) throw new Error(`extension refused: ${quote.reason}`);
          expect(quote.linkChanges).toBe(false);
          await kit.extend({ subscriptionId: live.id, idempotencyKey: key('extend') });
          await worker.drain();
          const extended = await shop.sub(live.id);
          expect(extended.expiresAt?.getTime()).toBe(quote.quote.newExpiresAt.getTime());
          expect(extended.expiresAt!.getTime()).toBeGreaterThan(live.expiresAt!.getTime());
          expect(extended.remote).toEqual(live.remote);
          expect(extended.shareLinks).toEqual(live.shareLinks);
          const after = await expectHeld(shop, extended);
          expect(after.credential).toBe(held.credential);
          expect(after.addresses).toEqual(held.addresses);
          expect(seconds(after.expiresAtMs)).toBe(seconds(quote.quote.newExpiresAt.getTime()));
          expect(await shop.balance(customerId)).toBe(5_000 - KIND_PRICE - quote.quote.price.amount);

          // Past its end the scheduler expires it (the panel's own job too, where it enforces expiry): it cannot connect.
          clock.set(extended.expiresAt!.getTime() + 1_000);
          if (capabilitiesFor(shop.adapter.capabilities, kind)?.enforcesExpiry) sim.enforce();
          const swept = await shop.tick();
          expect(swept.won).toBe(true);
          await worker.drain();
          const expired = await shop.sub(live.id);
          expect(expired.status).toBe('expired');
          expect(await sim.canConnect(live.remote.username)).toBe(false);
        });

        it(`a ${kind} part refunded in full: its client leaves the panel and the money comes back once`, async () => {
          const customerId = await shop.customer(5_000);
          const plan = await shop.planOf([kind]);
          const { order, subscriptions } = await shop.kit.checkout({
            customerId,
            items: [{ planId: plan.id }],
            idempotencyKey: key('buy'),
          });
          await shop.worker.drain();
          const live = await shop.sub(subscriptions[0]!.id);
          expect(live.status).toBe('active');
          await expectHeld(shop, live);

          const refundKey = key('refund');
          const refund = await shop.kit.refund({ customerId, orderId: order.id, amount: usd(KIND_PRICE), idempotencyKey: refundKey });
          expect(refund).toMatchObject({ created: true, full: true, refundable: 0 });
          expect(refund.ended.map((s) => s.id)).toEqual([live.id]);
          const again = await shop.kit.refund({ customerId, orderId: order.id, amount: usd(KIND_PRICE), idempotencyKey: refundKey });
          expect(again.created).toBe(false);
          await shop.worker.drain();
          expect(await rig.sim.countClients(live.remote.username)).toBe(0);
          expect(rig.held(live.remote.username)).toBeUndefined();
          expect((await shop.sub(live.id)).status).toBe('terminated');
          expect(await shop.balance(customerId)).toBe(5_000);
          expect((await refundsOf(shop, order.id)).map((entry) => entry.amount)).toEqual([KIND_PRICE]);
        });

        it(`a lost ${kind} create answer: the retry adopts what the panel made (one client, one address or secret)`, async () => {
          const customerId = await shop.customer(5_000);
          const plan = await shop.planOf([kind]);
          const target = refOf(shop.targetOf(kind));
          const peersBefore = (await rig.sim.peerAddresses(target)).length;
          const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: key('buy') });
          rig.sim.injectFault({ kind: 'lost_response', on: 'write' });
          await shop.worker.drain();
          expect(rig.sim.faults.size).toBe(0);
          // Whether the adapter read the outcome back at once or the job is retried later, it converges.
          clock.advance(60_000);
          await shop.worker.drain();
          const live = await shop.sub(subscriptions[0]!.id);
          expect(live.status).toBe('active');
          expectKindLink(live);
          const held = await expectHeld(shop, live);
          const peers = await rig.sim.peerAddresses(target);
          if (kind === 'wireguard') {
            expect(peers).toHaveLength(peersBefore + 1);
            expect(peers.filter((address) => address === held.addresses[0])).toHaveLength(1);
          }
          expect(await shop.balance(customerId)).toBe(5_000 - KIND_PRICE);
        });
      }

      it(`a bundle (${rig.bundleKinds.join(' + ')}) bought once: one debit, a part per kind on its target, one bundle, one expiry`, async () => {
        const customerId = await shop.customer(5_000);
        const plan = await shop.planOf(rig.bundleKinds);
        const { order, subscriptions } = await shop.kit.checkout({
          customerId,
          items: [{ planId: plan.id }],
          idempotencyKey: key('bundle'),
        });
        expect(subscriptions.map((s) => s.kind)).toEqual(rig.bundleKinds);
        expect(subscriptions.map((s) => s.targetId)).toEqual(rig.bundleKinds.map((k) => shop.targetOf(k).id));
        const [bundleId] = new Set(subscriptions.map((s) => s.bundleId));
        expect(new Set(subscriptions.map((s) => s.bundleId)).size).toBe(1);
        expect(bundleId).toMatch(/^bnd_/);
        expect(subscriptions.reduce((sum, s) => sum + s.terms!.price.amount, 0)).toBe(BUNDLE_PRICE);
        expect(await shop.balance(customerId)).toBe(5_000 - BUNDLE_PRICE);
        const debits = (await shop.storage.ledger.listByOrder(order.id)).filter((entry) => entry.amount < 0);
        expect(debits.map((entry) => entry.amount)).toEqual([-BUNDLE_PRICE]);

        await shop.worker.drain();
        const live = await Promise.all(subscriptions.map((s) => shop.sub(s.id)));
        expect(live.map((s) => s.status)).toEqual(rig.bundleKinds.map(() => 'active'));
        expect(new Set(live.map((s) => s.expiresAt?.toISOString())).size).toBe(1);
        expect(live[0]!.expiresAt).not.toBeNull();
        for (const part of live) {
          if (part.kind === 'xray') {
            expect(await rig.sim.countClients(part.remote.username)).toBe(1);
            expect(part.shareLinks.join(' ')).toContain(part.remote.uuid);
            continue;
          }
          expectKindLink(part);
          const held = await expectHeld(shop, part);
          expect(seconds(held.expiresAtMs)).toBe(seconds(part.expiresAt?.getTime()));
        }
        expect((await shop.storage.orders.get(order.id))?.status).toBe('completed');
      });

      // A panel of its own: a full pool is not given back here (3x-ui's simulator frees a /16 one placeholder at a time).
      describe('with its WireGuard pool full', () => {
        const full = useKindShop(storageKind, panelKind);

        it("a bundle's WireGuard part fails alone, its share refunded once, nothing created", async () => {
          const { clock, rig } = full;
          const shop = full.shop();
          const target = refOf(shop.targetOf('wireguard'));
          await rig.sim.fillPool(target, 0);
          const customerId = await shop.customer(5_000);
          const plan = await shop.planOf(rig.bundleKinds);
          const { order, subscriptions } = await shop.kit.checkout({
            customerId,
            items: [{ planId: plan.id }],
            idempotencyKey: key('full'),
          });
          const failedPart = subscriptions.find((s) => s.kind === 'wireguard')!;
          const share = failedPart.terms!.price.amount;
          const peers = await rig.sim.peerAddresses(target);
          await shop.worker.drain();
          clock.advance(60_000);
          await shop.worker.drain();
          const parts = await Promise.all(subscriptions.map((s) => shop.sub(s.id)));
          for (const part of parts) expect([part.kind, part.status]).toEqual([part.kind, part.kind === 'wireguard' ? 'failed' : 'active']);
          expect((await shop.sub(failedPart.id)).failureReason).toMatch(/^PANEL_POOL_EXHAUSTED/);
          expect(await rig.sim.countClients(failedPart.remote.username)).toBe(0);
          expect(await rig.sim.peerAddresses(target)).toEqual(peers);
          expect((await refundsOf(shop, order.id)).map((entry) => entry.amount)).toEqual([share]);
          expect(await shop.balance(customerId)).toBe(5_000 - BUNDLE_PRICE + share);
        });
      });
    });
  }
}
