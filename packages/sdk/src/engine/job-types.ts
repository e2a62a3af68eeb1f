import { z } from 'zod';
import { IdSchema } from '../domain/common.js';
import { MoneySchema } from '../domain/money.js';
import type { JsonObject } from '../domain/common.js';
import type { NewJob } from '../domain/job.js';
import { parseInput } from '../domain/validate.js';
import type { ResolvedPolicy } from './policy.js';
import { SubscriptionTermsSchema } from '../domain/subscription-terms.js';

/** The job types the engine's worker runs. */
export const JOB_TYPES = {
  /** Create the client on its panel (adopting one that exists), then mark the subscription live. */
  provision: 'subscription.provision',
  /**
   * Apply a paid extension, renewal, traffic top-up or plan change: in place, or delete and recreate
   * with new credentials (a plan change to another target creates the new client before the old goes).
   */
  update: 'subscription.update',
  /** Push the subscription's stored state (enabled, expiry, limit) to its panel. */
  push: 'subscription.push',
  /** Remove a terminated subscription's client from its panel. */
  remove: 'subscription.remove',
  /** Remove a client the shop does not know (reconciliation repair). */
  removeOrphan: 'panel.remove_orphan',
  /** Make a subscription's panel forget one device (a device removed with `kit.devices.remove`). */
  removePanelDevice: 'device.panel_remove',
  /** Make a subscription's panel forget every device of its client (`kit.devices.reset`). */
  resetPanelDevices: 'device.panel_reset',
  /** Set a subscription's device limit on its panel to the stored one (a device pack bought or refunded, where the panel enforces a limit). */
  pushDeviceLimit: 'device.panel_limit',
  /**
   * At the end of the period a device pack's extra devices were paid for, when a renewal before it did not keep them:
   * lower the stored limit by them (the panel's follows by `device.panel_limit`).
   */
  devicePackLapse: 'device.pack_lapse',
  /** Give (part of) a credited payment back at its provider, then write its ledger reversal once (`kit.payments.refund`). */
  refundPayment: 'payment.refund',
  /** Charge a saved payment method off-session for one pending payment (`kit.payments.chargeSavedMethod`, auto-renewal). */
  chargeSavedMethod: 'payment.charge_saved',
  /**
   * Renew the subscription a credited off-session charge paid for (queued with the credit, whichever path
   * credited it: the charge itself, or the buyer's confirmation at the gateway later).
   */
  renewCharged: 'payment.renew_charged',
  /** Make a payment provider forget a saved method the buyer removed (`kit.payments.removeSavedMethod`). */
  forgetSavedMethod: 'payment.forget_method',
} as const;

/** The job types the engine enqueues and its worker handles (values of `JOB_TYPES`). */
export type EngineJobType = (typeof JOB_TYPES)[keyof typeof JOB_TYPES];

export const ProvisionPayloadSchema = z.object({
  subscriptionId: IdSchema,
  /** What was paid for this subscription; refunded if provisioning fails for good. */
  price: MoneySchema,
  /** 0 for the order's own attempt; bumped by an admin's retry (keys its charge and refund). */
  round: z.number().int().nonnegative(),
});
export type ProvisionPayload = z.infer<typeof ProvisionPayloadSchema>;

/** What an update job of a plan change carries besides the new period: where the subscription ends up. */
export const PlanChangePayloadSchema = z.object({
  fromPlanId: IdSchema,
  toPlanId: IdSchema,
  /** The slot it holds now, released once the change is applied. */
  fromTargetId: IdSchema,
  /** The slot reserved for the new plan (the same target for an in-place change), released if the change fails for good. */
  toTargetId: IdSchema,
  toPanelId: IdSchema,
  durationDays: z.number().int().min(1).max(3650),
  deviceLimit: z.number().int().min(1).max(1000).nullable(),
  /** Unused value a downgrade gives back: credited to the wallet in the transaction that records the change. */
  credit: MoneySchema,
  /**
   * A storefront buyer's downgrade: the storefront, and what the same downgrade gives back at its reseller's prices
   * (credited to the reseller's wallet, the buyer's `credit` taken back from their payout balance, when applied).
   */
  storefrontCredit: z.object({ storefrontId: IdSchema, wholesale: MoneySchema }).nullable().default(null),
  /** The new plan's terms as the buyer accepted them, frozen on the subscription when applied (`null` in jobs from before terms existed: it then follows the plan). */
  terms: SubscriptionTermsSchema.nullable().default(null),
});
/** See `PlanChangePayloadSchema`. */
export type PlanChangePayload = z.infer<typeof PlanChangePayloadSchema>;

/**
 * The payload of an update job: a paid change to a live subscription (extend, reset, renew, traffic
 * top-up, plan change) that the job applies on the panel. Times are ISO strings, traffic in bytes.
 */
export const UpdatePayloadSchema = z.object({
  subscriptionId: IdSchema,
  /** The idempotency key of the ledger entry that paid for it. */
  ledgerKey: z.string().min(1).max(200),
  /** What was paid; refunded if the change cannot be applied for good. */
  price: MoneySchema,
  /** `traffic`: only the limit grows (usage and expiry kept). `change_plan`: see `planChange`. */
  action: z.enum(['extend', 'reset', 'renew', 'traffic', 'change_plan']),
  newExpiresAt: z.iso.datetime(),
  newTrafficLimitBytes: z.number().int().nonnegative().nullable(),
  /** The remote identity generation the client must have afterwards. */
  generation: z.number().int().nonnegative(),
  /** Set for `change_plan` only. */
  planChange: PlanChangePayloadSchema.nullable().default(null),
  /**
   * The device limit afterwards, for an extension or renewal: the plan's own (extra devices of a pack fall back) or
   * with the extra devices the buyer renewed. Absent: the limit stays (top-ups, plan changes, jobs queued before packs).
   */
  newDeviceLimit: z.number().int().min(1).max(1000).nullable().optional(),
  /**
   * A move off an evacuated panel (`kit.evacuate`): its old slot was freed when it was queued (so it
   * is not freed again when applied, and is taken back if the move fails for good), and it is audited
   * as `subscription.evacuated`.
   */
  evacuation: z.boolean().default(false),
});
export type UpdatePayload = z.infer<typeof UpdatePayloadSchema>;

export const SubscriptionPayloadSchema = z.object({ subscriptionId: IdSchema });
export type SubscriptionPayload = z.infer<typeof SubscriptionPayloadSchema>;

/** The payload of a `device.panel_remove` job: the subscription and the hardware id its panel must forget. */
export const PanelDevicePayloadSchema = z.object({ subscriptionId: IdSchema, hwid: z.string().min(1).max(1000) });
/** A `device.panel_remove` job's payload, parsed. */
export type PanelDevicePayload = z.infer<typeof PanelDevicePayloadSchema>;

/** The payload of a `removeOrphan` job: the client a reconciliation found on the panel that no subscription holds. */
export const OrphanPayloadSchema = z.object({ panelId: IdSchema, username: z.string().min(1), targetRef: z.string().min(1) });
export type OrphanPayload = z.infer<typeof OrphanPayloadSchema>;

export function parsePayload<S extends z.ZodType>(schema: S, payload: unknown, type: string): z.output<S> {
  return parseInput(schema, payload, `${type} payload`);
}

/**
 * A job for one subscription; its dedupe key starts with the type (dedupe keys are global). Every
 * engine job writes to a panel, so it carries that write's serialisation key (`writeSerialKey`).
 */
export function subscriptionJob(
  type: EngineJobType,
  subscriptionId: string,
  payload: JsonObject,
  maxAttempts: number,
  serialKey: string | null,
): NewJob {
  return { type, payload, dedupeKey: `${type}:${subscriptionId}`, serialKey, maxAttempts };
}

/**
 * The batch key of a target's provisioning jobs: a claim that takes one takes the target's other due ones
 * with it (up to `ClaimRequest.batchLimit`), so the worker writes them in one `createClients`.
 */
export function provisionBatchKey(targetId: string): string {
  return `${JOB_TYPES.provision}|target:${targetId}`;
}

/** The provisioning job of a subscription on `targetId`, with the target's batch key (`provisionBatchKey`). */
export function provisionJob(
  subscriptionId: string,
  targetId: string,
  payload: ProvisionPayload,
  maxAttempts: number,
  serialKey: string | null,
): NewJob {
  return {
    ...subscriptionJob(JOB_TYPES.provision, subscriptionId, { ...payload }, maxAttempts, serialKey),
    batchKey: provisionBatchKey(targetId),
  };
}

/**
 * The attempts a job row gets: the policy's attempts plus one held back. A worker that dies on
 * the last real attempt leaves the job to be reaped and claimed once more; that reserved attempt
 * only runs the job's compensation (refund), never the panel call.
 */
export function jobAttempts(policy: ResolvedPolicy): number {
  return policy.jobRetry.maxAttempts + 1;
}
