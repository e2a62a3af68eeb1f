import { describe, expect, it } from 'vitest';
import { EligibilityError, PanelRejectedError } from '../../src/index.js';
import { StorefrontRefusedError } from '../../src/storefronts.js';
import { renewalKey } from '../../src/scheduler/renewals.js';
import { createHarness } from './harness.js';
import type { StorageFactory } from './harness.js';
import type { StoragePort, StorageTransaction } from '../../src/storage.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });
/**
 * List: 1000 a period, extension 900, 20 per GiB. The reseller's price book: 700 (so extension 630, 14 per GiB). The
 * storefront's retail: 1200 (so its buyers' extension 1080, 24 per GiB).
 */
const PLAN = {
  deviceLimit: 2,
  devicePack: { pricePer30Days: usd(300), maxExtraDevices: 3 },
  extension: { windowDays: 3, trafficOnExtend: 'replace' as const, daysOnExtend: 'stack' as const, price: usd(900) },
  trafficTopUp: { pricePerGiB: usd(20), maxGiBPerPurchase: 100 },
};

async function bought(
  storage: StorageFactory | undefined,
  options: { resellerBalance?: number; autoRenew?: boolean; drain?: boolean; wrapStorage?: (storage: StoragePort) => StoragePort } = {},
) {
  const h = await createHarness({
    plan: PLAN,
    ...(storage === undefined ? {} : { storage }),
    ...(options.wrapStorage === undefined ? {} : { wrapStorage: options.wrapStorage }),
  });
  const resellerId = await h.customer(options.resellerBalance ?? 10_000);
  await h.kit.resellers.setPrice({ customerId: resellerId, planId: h.plan.id, price: usd(700) });
  const storefront = await h.kit.storefronts.create({ resellerId, name: 'Fast VPN' });
  await h.kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: h.plan.id, retailPrice: usd(1200) });
  const buyerId = await h.customer(10_000);
  await h.kit.storefronts.moveBuyer({ customerId: buyerId, storefrontId: storefront.id });
  const { subscriptions } = await h.kit.checkout({
    customerId: buyerId,
    items: [{ planId: h.plan.id, autoRenew: options.autoRenew ?? false }],
    idempotencyKey: 'buy',
  });
  if (options.drain ?? true) await h.worker().drain();
  const subscriptionId = subscriptions[0]!.id;
  // After the checkout's split: the reseller paid 700 and was credited the 1200 collected.
  const payout = async () => (await h.kit.payouts.balances(resellerId))[0]?.amount ?? 0;
  return { h, resellerId, storefront, buyerId, subscriptionId, payout };
}

/**
 * A storage whose transactions, while `moved.armed`, answer their first read of a storefront's buyer as the owner's
 * buyer: the buyer read before a move into the storefront committed, later reads after it (what a concurrent
 * `moveBuyer` does to a charge's reads in PostgreSQL's read committed).
 */
function movedDuringCharges(moved: { armed: boolean }) {
  const wrapTx = (tx: StorageTransaction): StorageTransaction => {
    let first = moved.armed;
    const customers = new Proxy(tx.customers, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (property !== 'get' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return async (id: string) => {
          const customer = await target.get(id);
          if (!first || customer === null || customer.storefrontId === null) return customer;
          first = false;
          return { ...customer, storefrontId: null };
        };
      },
    });
    return new Proxy(tx, { get: (target, property) => (property === 'customers' ? customers : Reflect.get(target, property, target)) });
  };
  return (storage: StoragePort): StoragePort =>
    new Proxy(storage, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (property !== 'transaction') return typeof value === 'function' ? value.bind(target) : value;
        return (fn: Parameters<StoragePort['transaction']>[0]) => target.transaction((tx) => fn(wrapTx(tx)));
      },
    });
}

/** A storage whose reads outside a transaction, while `moved.armed`, answer a storefront's buyer as the owner's. */
function movedAfterOutsideReads(moved: { armed: boolean }) {
  return (storage: StoragePort): StoragePort => {
    const customers = new Proxy(storage.customers, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (property !== 'get' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return async (id: string) => {
          const customer = await target.get(id);
          return moved.armed && customer !== null ? { ...customer, storefrontId: null } : customer;
        };
      },
    });
    return new Proxy(storage, {
      get(target, property) {
        if (property === 'customers') return customers;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
}

/** Whether `run` fails with `StorefrontRefusedError`, and its reason. */
async function refusal(run: () => Promise<unknown>): Promise<string | null> {
  const error = await run().catch((e: unknown) => e);
  return StorefrontRefusedError.is(error) ? error.reason : null;
}

/**
 * The storefront's money on every sale that is not a checkout (extension, top-up, renewal, device pack, plan change),
 * a gift refused, and a checkout whose provisioning dies, on the storage `storage` makes (memory when omitted): the
 * SDK's own test runs them on memory, `storage-postgres`'s on PGlite.
 */
export function describeStorefrontCharges(name: string, storage?: StorageFactory): void {
  describe(`storefront money on every sale, not only the checkout (${name})`, () => {
    it('an extension splits once: the buyer pays the retail extension, the reseller their own; a replay writes nothing', async () => {
      const { h, resellerId, storefront, buyerId, subscriptionId, payout } = await bought(storage);
      h.clock.set('2026-03-29T00:00:00.000Z');
      const first = await h.kit.extend({ subscriptionId, idempotencyKey: 'e' });
      expect(first.entry?.amount).toBe(-1080);
      const again = await h.kit.extend({ subscriptionId, idempotencyKey: 'e' });
      expect(again.replayed).toBe(true);
      expect(await h.balance(buyerId)).toBe(10_000 - 1200 - 1080);
      expect(await h.balance(resellerId)).toBe(10_000 - 700 - 630);
      expect(await payout()).toBe(1200 + 1080);
      const key = `extension:${subscriptionId}:e`;
      const rows = await h.storage.storefronts.salesOfCharge(key);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        kind: 'sale',
        source: 'extension',
        orderId: null,
        subscriptionId,
        chargeKey: key,
        retail: usd(1080),
        wholesale: usd(630),
        margin: usd(450),
      });
      const figures = await h.kit.storefronts.figures({ from: '2026-03-01', to: '2026-03-31', timeZone: 'UTC' });
      expect(figures.storefronts[0]).toMatchObject({ storefrontId: storefront.id, sales: 2, retail: [usd(2280)], margin: [usd(950)] });
    });

    it('a traffic top-up splits at the reseller’s price per GiB', async () => {
      const { h, resellerId, subscriptionId, payout } = await bought(storage);
      const topUp = await h.kit.buyTraffic({ subscriptionId, gib: 5, idempotencyKey: 't' });
      expect(topUp.entry?.amount).toBe(-120);
      expect(await h.balance(resellerId)).toBe(10_000 - 700 - 70);
      expect(await payout()).toBe(1200 + 120);
      const [row] = await h.storage.storefronts.salesOfCharge(`traffic:${subscriptionId}:t`);
      expect(row).toMatchObject({ source: 'traffic_top_up', retail: usd(120), wholesale: usd(70), margin: usd(50) });
    });

    it('the owner’s discount code is refused on an extension and a top-up (quotes too), whatever the code; nothing is written', async () => {
      const { h, resellerId, buyerId, subscriptionId, payout } = await bought(storage);
      await h.kit.createDiscountCode({ code: 'HALF', value: { type: 'percent', percent: 50 }, appliesTo: ['extension', 'traffic_top_up'] });
      h.clock.set('2026-03-29T00:00:00.000Z');
      const reasonOf = (error: unknown) => (EligibilityError.is(error) ? error.details?.['discountReason'] : error);
      for (const code of ['HALF', 'NO-SUCH-CODE']) {
        expect(
          reasonOf(await h.kit.extend({ subscriptionId, idempotencyKey: `e-${code}`, discountCode: code }).catch((e: unknown) => e)),
        ).toBe('storefront_buyer');
        const topUp = h.kit.buyTraffic({ subscriptionId, gib: 5, idempotencyKey: `t-${code}`, discountCode: code });
        expect(reasonOf(await topUp.catch((e: unknown) => e))).toBe('storefront_buyer');
      }
      expect((await h.kit.quoteExtension(subscriptionId, { discountCode: 'HALF' })).discount).toEqual({
        allowed: false,
        reason: 'storefront_buyer',
      });
      expect((await h.kit.quoteTrafficTopUp(subscriptionId, 5, { discountCode: 'HALF' })).discount).toEqual({
        allowed: false,
        reason: 'storefront_buyer',
      });
      expect(await h.balance(buyerId)).toBe(10_000 - 1200);
      expect(await h.balance(resellerId)).toBe(10_000 - 700);
      expect(await payout()).toBe(1200);
      expect((await h.storage.discounts.getByCode('HALF'))?.uses).toBe(0);
      expect((await h.storage.jobs.list({ state: 'queued' }, { limit: 10 })).items).toHaveLength(0);
    });

    it('a buyer moved into the storefront during an extension or a top-up: the owner’s code never reaches a split', async () => {
      const moved = { armed: false };
      const { h, resellerId, buyerId, subscriptionId, payout } = await bought(storage, { wrapStorage: movedDuringCharges(moved) });
      await h.kit.createDiscountCode({ code: 'HALF', value: { type: 'percent', percent: 50 }, appliesTo: ['extension', 'traffic_top_up'] });
      h.clock.set('2026-03-29T00:00:00.000Z');
      moved.armed = true;
      // Each charge is judged on one read of the buyer: here the owner's buyer, so the code applies and nothing splits.
      const extended = await h.kit.extend({ subscriptionId, idempotencyKey: 'e', discountCode: 'HALF' });
      await h.worker().drain();
      const topUp = await h.kit.buyTraffic({ subscriptionId, gib: 5, idempotencyKey: 't', discountCode: 'HALF' });
      moved.armed = false;
      expect([extended.entry?.amount, topUp.entry?.amount]).toEqual([-540, -60]);
      expect(await h.storage.storefronts.salesOfCharge(`extension:${subscriptionId}:e`)).toEqual([]);
      expect(await h.storage.storefronts.salesOfCharge(`traffic:${subscriptionId}:t`)).toEqual([]);
      expect(await h.balance(buyerId)).toBe(10_000 - 1200 - 540 - 60);
      expect(await h.balance(resellerId)).toBe(10_000 - 700);
      expect(await payout()).toBe(1200);
    });

    it('an auto-renewal of a buyer moved into the storefront renews at full price: its renewal code never reaches the split', async () => {
      const moved = { armed: false };
      const h = await createHarness({
        plan: PLAN,
        ...(storage === undefined ? {} : { storage }),
        wrapStorage: movedAfterOutsideReads(moved),
      });
      const resellerId = await h.customer(10_000);
      await h.kit.resellers.setPrice({ customerId: resellerId, planId: h.plan.id, price: usd(700) });
      const storefront = await h.kit.storefronts.create({ resellerId, name: 'Fast VPN' });
      await h.kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: h.plan.id, retailPrice: usd(1200) });
      await h.kit.createDiscountCode({ code: 'RENEW', value: { type: 'percent', percent: 50 }, appliesTo: ['purchase', 'renewal'] });
      // Bought in the owner's shop with the code (list 1000, extension 900), then moved into the storefront.
      const buyerId = await h.customer(10_000);
      const { subscriptions } = await h.kit.checkout({
        customerId: buyerId,
        items: [{ planId: h.plan.id, autoRenew: true }],
        idempotencyKey: 'buy',
        discountCode: 'RENEW',
      });
      await h.worker().drain();
      await h.kit.storefronts.moveBuyer({ customerId: buyerId, storefrontId: storefront.id });
      // The renewal's code is judged on a read from before the move; its charge's transaction reads after it.
      const key = renewalKey((await h.storage.subscriptions.get(subscriptions[0]!.id))!);
      moved.armed = true;
      h.clock.set('2026-03-30T00:00:00.000Z');
      expect((await h.kit.createScheduler().tick()).renewed).toBe(1);
      moved.armed = false;
      expect(await h.balance(buyerId)).toBe(10_000 - 500 - 900);
      const [sale] = await h.storage.storefronts.salesOfCharge(key);
      expect(sale).toMatchObject({ source: 'renewal', retail: usd(900), wholesale: usd(630), margin: usd(270) });
    });

    it('a suspended storefront, a quota passed or a reseller short of credit refuses the sale; nothing is written', async () => {
      const { h, resellerId, storefront, buyerId, subscriptionId, payout } = await bought(storage, { resellerBalance: 700 + 60 });
      h.clock.set('2026-03-29T00:00:00.000Z');
      // The reseller's wallet holds 60: not the 630 of an extension, nor the 70 of 5 GiB.
      expect(await refusal(() => h.kit.extend({ subscriptionId, idempotencyKey: 'e1' }))).toBe('reseller_credit');
      expect(await refusal(() => h.kit.buyTraffic({ subscriptionId, gib: 5, idempotencyKey: 't1' }))).toBe('reseller_credit');
      await h.kit.storefronts.update(storefront.id, { quotas: { maxTrafficBytes: 1 } });
      expect(await refusal(() => h.kit.buyTraffic({ subscriptionId, gib: 1, idempotencyKey: 't2' }))).toBe('quota_traffic');
      await h.kit.storefronts.update(storefront.id, { quotas: {} });
      await h.kit.storefronts.suspend(storefront.id, undefined, 'unpaid');
      expect(await refusal(() => h.kit.extend({ subscriptionId, idempotencyKey: 'e2' }))).toBe('storefront_suspended');
      expect(await h.balance(buyerId)).toBe(10_000 - 1200);
      expect(await h.balance(resellerId)).toBe(60);
      expect(await payout()).toBe(1200);
      expect((await h.storage.jobs.list({ state: 'queued' }, { limit: 10 })).items).toHaveLength(0);
    });

    it('auto-renew of a suspended storefront’s buyer is refused with a notice and runs to its expiry; resumed, it renews and splits', async () => {
      const { h, resellerId, storefront, buyerId, subscriptionId, payout } = await bought(storage, { autoRenew: true });
      await h.kit.storefronts.suspend(storefront.id);
      const scheduler = h.kit.createScheduler();
      h.clock.set('2026-03-30T00:00:00.000Z');
      expect((await scheduler.tick()).renewed).toBe(0);
      const sub = (await h.storage.subscriptions.get(subscriptionId))!;
      expect(sub.notices).toContain('renewal:storefront:storefront_suspended');
      expect(sub.status).toBe('active');
      expect(await h.balance(buyerId)).toBe(10_000 - 1200);
      expect(await h.balance(resellerId)).toBe(10_000 - 700);
      await h.kit.storefronts.resume(storefront.id);
      // The last try at expiry renews it, now split.
      h.clock.set('2026-03-31T00:00:01.000Z');
      await scheduler.tick();
      await h.worker().drain();
      expect(await h.balance(buyerId)).toBe(10_000 - 1200 - 1080);
      expect(await h.balance(resellerId)).toBe(10_000 - 700 - 630);
      expect(await payout()).toBe(1200 + 1080);
      const sales = await h.kit.storefronts.figures({ from: '2026-03-01', to: '2026-03-31', timeZone: 'UTC' });
      expect(sales.storefronts[0]).toMatchObject({ sales: 2 });
    });

    it('a device pack splits on its order, and a refund of the order reverses it', async () => {
      const { h, resellerId, buyerId, subscriptionId, payout } = await bought(storage);
      const pack = await h.kit.devices.buyPack({ subscriptionId, devices: 1, idempotencyKey: 'd' });
      const price = pack.quote!.price.amount;
      expect(price).toBeGreaterThan(0);
      const [row] = await h.storage.storefronts.salesOfOrder(pack.order.id);
      expect(row).toMatchObject({ source: 'device_pack', subscriptionId, retail: usd(price), wholesale: usd(price), margin: usd(0) });
      expect(await h.balance(resellerId)).toBe(10_000 - 700 - price);
      expect(await payout()).toBe(1200 + price);
      await h.kit.refund({ orderId: pack.order.id, customerId: buyerId, amount: usd(price), idempotencyKey: 'r' });
      expect(await h.balance(resellerId)).toBe(10_000 - 700);
      expect(await payout()).toBe(1200);
    });

    it('a storefront buyer buys no gift: refused, nothing written; the owner’s own buyer still can', async () => {
      const { h, resellerId, storefront, buyerId, payout } = await bought(storage);
      const gift = () => h.kit.gifts.buy({ customerId: buyerId, planId: h.plan.id, validDays: 3, idempotencyKey: 'g' });
      const error = await gift().catch((e: unknown) => e);
      expect(StorefrontRefusedError.is(error) && error.reason).toBe('gifts_not_sold');
      expect((error as StorefrontRefusedError).storefrontId).toBe(storefront.id);
      expect(await h.balance(buyerId)).toBe(10_000 - 1200);
      expect(await h.balance(resellerId)).toBe(10_000 - 700);
      expect(await payout()).toBe(1200);
      expect(await h.storage.gifts.getByIdempotencyKey(buyerId, 'g')).toBeNull();
      const own = await h.customer(2_000);
      expect((await h.kit.gifts.buy({ customerId: own, planId: h.plan.id, validDays: 3, idempotencyKey: 'g' })).gift.price).toEqual(
        usd(1000),
      );
    });

    it('a checkout whose provisioning dies refunds the buyer and reverses the split once', async () => {
      const { h, resellerId, buyerId, subscriptionId, payout } = await bought(storage, { drain: false });
      h.panels[0]!.fake.failNext('createClients', () => new PanelRejectedError('bad inbound', { panelKind: 'fake' }));
      await h.worker().drain();
      const sub = (await h.storage.subscriptions.get(subscriptionId))!;
      expect(sub.status).toBe('failed');
      expect(await h.balance(buyerId)).toBe(10_000);
      expect(await h.balance(resellerId)).toBe(10_000);
      expect(await payout()).toBe(0);
      const rows = await h.storage.storefronts.salesOfOrder(sub.orderId!);
      // Sale and refund rows may come in either order (written at one instant).
      const split = rows.map((r) => [r.kind, r.retail.amount, r.wholesale.amount, r.margin.amount]);
      expect(split.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
        ['refund', -1200, -700, -500],
        ['sale', 1200, 700, 500],
      ]);
      // Drained again (a replica's late pass): nothing more moves.
      await h.worker().drain();
      expect(await h.storage.storefronts.salesOfOrder(sub.orderId!)).toHaveLength(2);
      expect(await h.balance(resellerId)).toBe(10_000);
      expect(await payout()).toBe(0);
    });

    it('a plan-change downgrade credits the buyer and runs the sale backwards at the reseller’s prices, once', async () => {
      const { h, resellerId, storefront, buyerId, subscriptionId, payout } = await bought(storage);
      const cheap = await h.addPlan({ name: 'cheap', price: usd(500) });
      await h.kit.resellers.setPrice({ customerId: resellerId, planId: cheap.id, price: usd(300) });
      await h.kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: cheap.id, retailPrice: usd(400) });
      h.clock.set('2026-03-16T00:00:00.000Z');
      await h.kit.changePlan({ subscriptionId, planId: cheap.id, idempotencyKey: 'down' });
      await h.worker().drain();
      await h.worker().drain();
      expect((await h.storage.subscriptions.get(subscriptionId))!.planId).toBe(cheap.id);
      const credits = (await h.storage.ledger.list(buyerId, { limit: 20 })).items.filter((e) => e.kind === 'plan_change');
      expect(credits).toHaveLength(1);
      const credit = credits[0]!.amount;
      expect(credit).toBeGreaterThan(0);
      const rows = await h.storage.storefronts.salesOfCharge(`plan_change:${subscriptionId}:down`);
      expect(rows).toHaveLength(1);
      const back = -rows[0]!.wholesale.amount;
      // The reseller's prices are lower: their wallet gets less back than the buyer, and the margin goes back too.
      expect(back).toBeGreaterThan(0);
      expect(back).toBeLessThan(credit);
      expect(rows[0]).toMatchObject({ kind: 'refund', source: 'plan_change', retail: usd(-credit), margin: usd(-(credit - back)) });
      expect(await h.balance(resellerId)).toBe(10_000 - 700 + back);
      expect(await payout()).toBe(1200 - credit);
      expect(await h.balance(buyerId)).toBe(10_000 - 1200 + credit);
    });
  });
}
