import { NoHwidPolicySchema } from './device.js';
import { z } from 'zod';
import { BytesSchema, IdSchema, TagSchema } from './common.js';
import { EntitlementKindsSchema } from './entitlement.js';
import { NonNegativeMoneySchema } from './money.js';
import { PlanBuilderSchema } from './plan-builder.js';

/**
 * The bounds and choices of a plan's offers (extension, traffic top-up, device pack, sharing): what their schemas
 * check, and what the storages' hand check of a placement's subscription terms (`parsePlacement`) checks without zod.
 */
export const PLAN_OFFER_RULES = {
  windowDaysMax: 3650,
  defaultWindowDays: 3,
  /** The first is the default. */
  trafficOnExtend: ['replace', 'carry_over'],
  /** The first is the default. */
  daysOnExtend: ['stack', 'restart'],
  maxGiBPerPurchaseMax: 100_000,
  defaultMaxGiBPerPurchase: 1000,
  maxExtraDevicesMax: 100,
  maxMembersMax: 20,
} as const;

/**
 * How an extension bought before expiry is applied. An expired or exhausted subscription is
 * always *reset* (a fresh period from now); these settings shape the other case.
 */
export const ExtensionPolicySchema = z.object({
  /** Extension opens when at most this many days are left (and traffic is left). */
  windowDays: z.number().nonnegative().max(PLAN_OFFER_RULES.windowDaysMax).default(PLAN_OFFER_RULES.defaultWindowDays),
  /** `replace`: the new limit is the plan's volume. `carry_over`: unused traffic is added to it. */
  trafficOnExtend: z.enum(PLAN_OFFER_RULES.trafficOnExtend).default(PLAN_OFFER_RULES.trafficOnExtend[0]),
  /** `stack`: the new period starts at the current expiry. `restart`: it starts now. */
  daysOnExtend: z.enum(PLAN_OFFER_RULES.daysOnExtend).default(PLAN_OFFER_RULES.daysOnExtend[0]),
  /**
   * Price of an extension, whether the buyer buys it or auto-renewal buys it for them before expiry;
   * `null` charges the plan's price.
   */
  price: NonNegativeMoneySchema.nullable().default(null),
});
/** How extensions of a plan work (see `ExtensionPolicySchema`). */
export type ExtensionPolicy = z.infer<typeof ExtensionPolicySchema>;
/** An {@link ExtensionPolicy} as written: every field optional, with the defaults of `ExtensionPolicySchema`. */
export type ExtensionPolicyInput = z.input<typeof ExtensionPolicySchema>;

/** The policy every default gives: window 3 days, traffic replaced, days stacked, the plan's price. */
export const DEFAULT_EXTENSION_POLICY: ExtensionPolicy = Object.freeze(ExtensionPolicySchema.parse({}));

/** Where a plan's subscriptions may be placed: preferred targets first, then any target its location and tag filters allow. */
export const PlacementPolicySchema = z.object({
  /** Targets tried first, in this order. */
  preferredTargetIds: z.array(IdSchema).max(64).default([]),
  /** Only panels carrying one of these location tags qualify; empty means anywhere. */
  allowedLocations: z.array(TagSchema).max(64).default([]),
  /** Only targets carrying every one of these tags qualify. */
  requiredTargetTags: z.array(TagSchema).max(16).default([]),
});
/** Where a plan's clients go (see `PlacementPolicySchema`). */
export type PlacementPolicy = z.infer<typeof PlacementPolicySchema>;

/**
 * A plan's trial: its length in days, its traffic in bytes (`null` unlimited), what it costs (absent or `null`: free)
 * and whether the buyer must bring a phone number the host verified. One per person as far as the shop can tell: per
 * customer and plan family, and per identity (Telegram id, e-mail without aliases, verified phone, device) in the family.
 */
export const TrialSchema = z.object({
  days: z.number().int().min(1).max(365),
  /** `null` is unlimited; a trial normally has a small volume. */
  trafficBytes: BytesSchema.nullable(),
  /** A paid trial's price, in the plan's currency (minor units), charged through the ledger like a purchase; absent or `null` is free. */
  price: NonNegativeMoneySchema.nullable().optional(),
  /** When true, checkout refuses the trial (`phone_required`) unless the host passes a verified phone in `trialIdentity`. */
  requirePhone: z.boolean().optional(),
});
/** A plan's trial (see `TrialSchema`). */
export type Trial = z.infer<typeof TrialSchema>;

/**
 * Extra traffic a subscriber of the plan may buy for the current period (a "top-up"), or `null`
 * (the default) when the plan does not offer it. The price is per whole GiB (2^30 bytes).
 */
export const TrafficTopUpSchema = z.object({
  /** Price of one GiB, in minor units; must be positive. */
  pricePerGiB: NonNegativeMoneySchema.refine((m) => m.amount > 0, 'must be positive'),
  /** Most GiB one purchase may add. */
  maxGiBPerPurchase: z.number().int().min(1).max(PLAN_OFFER_RULES.maxGiBPerPurchaseMax).default(PLAN_OFFER_RULES.defaultMaxGiBPerPurchase),
});
/** A plan's traffic top-up offer (see `TrafficTopUpSchema`). */
export type TrafficTopUp = z.infer<typeof TrafficTopUpSchema>;

/**
 * Extra devices a subscriber of the plan may add on top of its device limit for the rest of the current period (a
 * "device pack"), or `null` (the default) when the plan does not sell them. Only a plan with a device limit sells
 * them. A pack is prorated to the subscription's end; at renewal the extra devices fall back unless the buyer renews
 * with them (see `decideDevicePack`).
 */
export const DevicePackOfferSchema = z.object({
  /** Price of one extra device for 30 days, in minor units; must be positive. A purchase pays it prorated to the period's end. */
  pricePer30Days: NonNegativeMoneySchema.refine((m) => m.amount > 0, 'must be positive'),
  /** Most extra devices one subscription may hold on top of the plan's limit at once. */
  maxExtraDevices: z.number().int().min(1).max(PLAN_OFFER_RULES.maxExtraDevicesMax),
});
/** A plan's device pack offer (see `DevicePackOfferSchema`). */
export type DevicePackOffer = z.infer<typeof DevicePackOfferSchema>;

/**
 * A family or team plan (`Plan.sharing`): the payer's subscription is the group, and up to `maxMembers` other
 * customers, invited by the payer, each get their own subscription of the plan (own client, link and device limit)
 * that follows the payer's expiry and costs them nothing. Not to be confused with `Plan.family`, the trial family.
 */
export const PlanSharingSchema = z.strictObject({
  /** How many members besides the payer the group may hold at once. */
  maxMembers: z.number().int().min(1).max(PLAN_OFFER_RULES.maxMembersMax),
});
/** A plan's sharing (see `PlanSharingSchema`). */
export type PlanSharing = z.infer<typeof PlanSharingSchema>;

const planFields = {
  id: IdSchema,
  name: z.string().min(1).max(200),
  /** Plans that are variants of one product share a family; one trial per customer per family. */
  family: z.string().min(1).max(100),
  description: z.string().max(2000).nullable(),
  price: NonNegativeMoneySchema,
  durationDays: z.number().int().min(1).max(3650),
  /** `null` is unlimited traffic. */
  trafficBytes: BytesSchema.nullable(),
  /** Simultaneous devices/IPs, where the panel enforces it; `null` is no limit. */
  deviceLimit: z.number().int().min(1).max(1000).nullable(),
  /** What a subscription does with an app that sends no hardware id: serve it uncounted, or refuse it. */
  noHwidPolicy: NoHwidPolicySchema,
  placement: PlacementPolicySchema,
  /** How many subscriptions of this plan may exist at once; `null` is unlimited. */
  maxClients: z.number().int().nonnegative().nullable(),
  /** When false, paid orders wait for an admin to provision them. */
  autoProvision: z.boolean(),
  /** A trial of this plan (free or paid), or `null`. */
  trial: TrialSchema.nullable(),
  renewable: z.boolean(),
  /** The period starts when the client first connects (Marzban on_hold, 3x-ui negative expiry…). */
  startOnFirstUse: z.boolean(),
  extension: ExtensionPolicySchema,
  /** Off-sale plans are not sold but their subscriptions live on. */
  onSale: z.boolean(),
  /** Extra traffic for sale to its subscribers; `null` is not offered. */
  trafficTopUp: TrafficTopUpSchema.nullable(),
  /** Extra devices for sale to its subscribers; `null` is not offered. */
  devicePack: DevicePackOfferSchema.nullable(),
  /** A family or team plan's members (see `PlanSharingSchema`); `null` is a plan for one. */
  sharing: PlanSharingSchema.nullable(),
  /**
   * The buyer composes this plan from priced parts (see `PlanBuilderSchema`), or `null`: a fixed plan. A built
   * plan is sold at `quoteBuiltPlan`'s price for a choice; `price`, `durationDays`, `trafficBytes` and `deviceLimit`
   * are what a part the builder does not offer keeps, and what a sale without a choice gets.
   */
  builder: PlanBuilderSchema.nullable(),
  /**
   * What one unit of the plan sells (see `ENTITLEMENT_KINDS`): `['xray']` for today's plans; several kinds make a
   * bundle, sold as one subscription per kind sharing a `bundleId`.
   */
  kinds: EntitlementKindsSchema,
};

/** A plan as stored: price (integer minor units), duration, traffic in bytes, limits, placement, trial and extension policy. */
export const PlanSchema = z.object({
  ...planFields,
  /** Subscriptions of this plan currently holding a slot; maintained by the capacity repository. */
  allocated: z.number().int().nonnegative(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
/** A plan as stored (see `PlanSchema`). */
export type Plan = z.infer<typeof PlanSchema>;

/** Validates a plan to create; optional fields take the defaults shown in the schema. */
export const NewPlanSchema = z.object({
  ...planFields,
  id: IdSchema.optional(),
  description: planFields.description.default(null),
  trafficBytes: planFields.trafficBytes,
  deviceLimit: planFields.deviceLimit.default(null),
  noHwidPolicy: NoHwidPolicySchema.default('serve'),
  placement: PlacementPolicySchema.default({ preferredTargetIds: [], allowedLocations: [], requiredTargetTags: [] }),
  maxClients: planFields.maxClients.default(null),
  autoProvision: z.boolean().default(true),
  trial: planFields.trial.default(null),
  renewable: z.boolean().default(true),
  startOnFirstUse: z.boolean().default(false),
  extension: ExtensionPolicySchema.default(DEFAULT_EXTENSION_POLICY),
  onSale: z.boolean().default(true),
  trafficTopUp: planFields.trafficTopUp.default(null),
  devicePack: planFields.devicePack.default(null),
  sharing: planFields.sharing.default(null),
  builder: planFields.builder.default(null),
  kinds: planFields.kinds.default(['xray']),
});
/** Input of `plans.create`. */
export type NewPlan = z.input<typeof NewPlanSchema>;

/** Validates a plan patch: any field but `id`. Live subscriptions keep the terms they were sold with. */
export const PlanPatchSchema = z.strictObject(planFields).omit({ id: true }).partial();
/** Input of `plans.update`. */
export type PlanPatch = z.input<typeof PlanPatchSchema>;
