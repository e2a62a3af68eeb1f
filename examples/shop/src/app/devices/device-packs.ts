import { NotFoundError, type Money, type Subscription } from '@panelkit/sdk';
import type { BuyDevicePackResult, DevicePackOffer, DevicePackQuoteResult } from '@panelkit/sdk/device-packs';
import { sellingRefusal } from '../selling/refusals.js';
import type { Refusal } from '../subscriptions/refusals.js';
import { ShopError } from '../shop-error.js';
import { isId } from '../input/ids.js';
import type { Shop } from '../shop.js';

/** What a buyer is offered for one of their subscriptions: extra devices, on the web page, the JSON API and the bot alike. */
export interface DevicePackOfferView {
  subscription: Subscription;
  /** The plan's offer as the subscription was sold it; `null`: its plan sells no extra devices. */
  offer: DevicePackOffer | null;
  /** Extra devices it holds now on top of its plan's limit. */
  extraDevices: number;
  /** How many more it may add now (0 when none may be bought). */
  canAdd: number;
  /** What one device costs now, for the time left until `until` (a pack of N costs N times it); `null` when none may be bought. */
  unitPrice: Money | null;
  /** Until when the devices are paid for: the subscription's expiry. */
  until: Date | null;
  /** Why none may be bought now (`devicePacks.reasons.*`); `null` when they may. */
  reason: string | null;
}

/** What buying a pack came to: the engine's result, or its refusal (nothing charged). */
export type DevicePackPurchase = { ok: true; result: BuyDevicePackResult } | { ok: false; refusal: Refusal };

/** The buyer's own subscription; another buyer's, or none, is `not_found` (ids reveal nothing). */
async function buyersSubscription(shop: Shop, customerId: string, subscriptionId: unknown): Promise<Subscription> {
  const sub = isId(subscriptionId) ? await shop.storage.subscriptions.get(subscriptionId) : null;
  if (sub === null || sub.customerId !== customerId) throw new ShopError('not_found', 'errors.notFound');
  return sub;
}

/** The offer for a subscription already known to be the buyer's (the subscription page reads it once). */
export async function devicePackOfferOf(shop: Shop, sub: Subscription): Promise<DevicePackOfferView> {
  let quoted: DevicePackQuoteResult;
  try {
    quoted = await shop.kit.devices.quotePack(sub.id, 1);
  } catch (error) {
    // Its plan is gone: nothing is sold on it.
    if (!NotFoundError.is(error)) throw error;
    return { subscription: sub, offer: null, extraDevices: 0, canAdd: 0, unitPrice: null, until: null, reason: 'not_offered' };
  }
  const { offer, extraDevices } = quoted;
  const base = { subscription: sub, offer, extraDevices };
  if (!quoted.allowed) return { ...base, canAdd: 0, unitPrice: null, until: null, reason: quoted.reason };
  const canAdd = offer === null ? 0 : offer.maxExtraDevices - extraDevices;
  return { ...base, canAdd, unitPrice: quoted.quote.unitPrice, until: quoted.quote.until, reason: null };
}

/** "Add devices": the offer on one of the buyer's subscriptions (`not_found` for another buyer's). Writes nothing. */
export async function devicePackOffer(shop: Shop, customerId: string, subscriptionId: unknown): Promise<DevicePackOfferView> {
  return devicePackOfferOf(shop, await buyersSubscription(shop, customerId, subscriptionId));
}

/**
 * The buyer adds `devices` devices to one of their subscriptions, paid from the wallet (`kit.devices.buyPack`): the
 * one use case the web page, the JSON API, the bot and the Mini App call. The limit rises at once on the buyer's
 * link, and on a panel that enforces its own by a job. A retried request with the same `idempotencyKey` (a double tap,
 * on any replica) charges once and answers the same order. A refusal the buyer can act on (the rule's reason, an
 * empty wallet, a change being applied) is a `Refusal`; another buyer's subscription is `not_found`.
 */
export async function buyDevicePackFor(
  shop: Shop,
  customerId: string,
  subscriptionId: unknown,
  request: { devices: number; idempotencyKey: string },
): Promise<DevicePackPurchase> {
  const sub = await buyersSubscription(shop, customerId, subscriptionId);
  try {
    const result = await shop.kit.devices.buyPack({
      subscriptionId: sub.id,
      devices: request.devices,
      idempotencyKey: request.idempotencyKey,
      actor: { type: 'customer', id: customerId },
    });
    return { ok: true, result };
  } catch (error) {
    const refusal = sellingRefusal('devicePacks', error);
    if (refusal === null) throw error;
    return { ok: false, refusal };
  }
}
