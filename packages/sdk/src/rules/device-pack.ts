import type { Money } from '../domain/money.js';
import type { Plan } from '../domain/plan.js';
import type { Subscription } from '../domain/subscription.js';
import { DAY_MS } from './time.js';

/** The days a device pack's `pricePer30Days` pays for: prices are prorated against this many days. */
export const DEVICE_PACK_PRICE_DAYS = 30;

/** Why `decideDevicePack` refuses extra devices. */
export type DevicePackDenyReason =
  /** The subscription's plan (as sold) sells no extra devices (`devicePack` is `null`). */
  | 'not_offered'
  /** The subscription has no device limit, so there is nothing to add to. */
  | 'unlimited'
  /** Only active and limited (out of traffic) subscriptions can add devices. */
  | 'not_active'
  | 'trial'
  /** The period is over (or not started): renew first. */
  | 'period_over'
  /** Not a whole number of devices of at least 1. */
  | 'invalid_amount'
  /** The extra devices held with these would pass the plan's `maxExtraDevices`. */
  | 'above_maximum'
  /** The price would pass the safe-integer range. */
  | 'too_large';

/** The terms of an allowed device pack. */
export interface DevicePackQuote {
  /** Devices added by this purchase. */
  devices: number;
  /** The price of the pack: `devices` × the price per 30 days × the days left ÷ 30, rounded up to a minor unit. */
  price: Money;
  /** What one device costs for the time left (the order line's unit price; `price` is it × `devices`). */
  unitPrice: Money;
  /** The limit after the purchase. */
  newDeviceLimit: number;
  /** Extra devices held on top of the plan's limit after the purchase. */
  extraDevices: number;
  /** Until when the devices are paid for: the subscription's expiry. */
  until: Date;
}

/** `decideDevicePack`'s answer: the quote, or why not. */
export type DevicePackDecision = { allowed: true; quote: DevicePackQuote } | { allowed: false; reason: DevicePackDenyReason };

/** What `decideDevicePack` decides on; `plan` is the plan as sold to the subscription (`planAsSold`). */
export interface DevicePackInput {
  subscription: Pick<Subscription, 'status' | 'expiresAt' | 'deviceLimit' | 'trial'>;
  plan: Pick<Plan, 'deviceLimit' | 'devicePack'>;
  /** Whole devices asked for. */
  devices: number;
  now: Date;
}

/**
 * How many devices the subscription holds on top of its plan's limit (as sold): its limit less the plan's, never
 * below zero. `0` for a subscription or plan without a limit.
 */
export function extraDevicesOf(sub: Pick<Subscription, 'deviceLimit'>, plan: Pick<Plan, 'deviceLimit'>): number {
  if (sub.deviceLimit === null || plan.deviceLimit === null) return 0;
  return Math.max(0, sub.deviceLimit - plan.deviceLimit);
}

/** `perDays`-day price × `count` over `ms`, rounded up to a minor unit (exact in bigint: money never passes a float). */
function prorated(pricePerPeriod: number, count: number, ms: number, periodDays: number): number {
  const num = BigInt(pricePerPeriod) * BigInt(count) * BigInt(ms);
  const den = BigInt(periodDays * DAY_MS);
  return Number((num + den - 1n) / den);
}

/**
 * Whether `devices` extra devices may be added to the subscription now, and on what terms. They raise its device
 * limit at once, up to the plan's `maxExtraDevices` above the plan's own limit, and are paid for the rest of the
 * current period: the price per 30 days prorated to the subscription's expiry (rounded up to a minor unit).
 */
export function decideDevicePack({ subscription: sub, plan, devices, now }: DevicePackInput): DevicePackDecision {
  const offer = plan.devicePack;
  if (offer === null) return { allowed: false, reason: 'not_offered' };
  if (sub.deviceLimit === null || plan.deviceLimit === null) return { allowed: false, reason: 'unlimited' };
  if (sub.trial) return { allowed: false, reason: 'trial' };
  if (sub.status !== 'active' && sub.status !== 'limited') return { allowed: false, reason: 'not_active' };
  if (sub.expiresAt === null || sub.expiresAt.getTime() <= now.getTime()) return { allowed: false, reason: 'period_over' };
  if (!Number.isSafeInteger(devices) || devices < 1) return { allowed: false, reason: 'invalid_amount' };
  const extraDevices = extraDevicesOf(sub, plan) + devices;
  if (extraDevices > offer.maxExtraDevices) return { allowed: false, reason: 'above_maximum' };
  const msLeft = sub.expiresAt.getTime() - now.getTime();
  const unit = prorated(offer.pricePer30Days.amount, 1, msLeft, DEVICE_PACK_PRICE_DAYS);
  const amount = unit * devices;
  if (!Number.isSafeInteger(amount)) return { allowed: false, reason: 'too_large' };
  const { currency } = offer.pricePer30Days;
  return {
    allowed: true,
    quote: {
      devices,
      price: { amount, currency },
      unitPrice: { amount: unit, currency },
      newDeviceLimit: sub.deviceLimit + devices,
      extraDevices,
      until: sub.expiresAt,
    },
  };
}

/**
 * What keeping `extraDevices` devices through a renewal of `durationDays` days costs: the price per 30 days prorated
 * to the new period (rounded up). A renewal without them lets the limit fall back to the plan's.
 */
export function devicePackRenewalPrice(
  offer: Pick<NonNullable<Plan['devicePack']>, 'pricePer30Days'>,
  extraDevices: number,
  durationDays: number,
): Money {
  const amount = prorated(offer.pricePer30Days.amount, extraDevices, durationDays * DAY_MS, DEVICE_PACK_PRICE_DAYS);
  return { amount, currency: offer.pricePer30Days.currency };
}
