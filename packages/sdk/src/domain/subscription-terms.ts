import { z } from 'zod';
import { BytesSchema } from './common.js';
import { EntitlementKindsSchema } from './entitlement.js';
import { NoHwidPolicySchema } from './device.js';
import { NonNegativeMoneySchema } from './money.js';
import { BuiltTermsSchema } from './plan-builder.js';
import { DevicePackOfferSchema, ExtensionPolicySchema, PlanSharingSchema, TrafficTopUpSchema, type Plan } from './plan.js';

/**
 * The bounds of a period's days and a device limit, in terms and in the subscription sold with them: what the schemas
 * check, and what the storages' hand check of a placement's subscription (`parsePlacement`) checks without zod.
 */
export const TERMS_FIELD_RULES = {
  durationDaysMax: 3650,
  deviceLimitMax: 1000,
  defaultNoHwidPolicy: 'serve',
  /** The kinds of terms frozen before kinds. */
  defaultKind: 'xray',
} as const;

/**
 * The terms a subscription was sold with, frozen at purchase: what later decisions about it read
 * (extension window and price, renewal, traffic top-up price, the value a plan change prorates)
 * instead of the plan as it is today. Editing a plan changes what new buyers get; subscribers keep
 * their terms until an admin moves them to the plan's current ones (`kit.applyCurrentTerms`, audited).
 */
export const SubscriptionTermsSchema = z.object({
  /** The price of a period as bought new; an extension or an auto-renewal charges it when `extension.price` is `null`. */
  price: NonNegativeMoneySchema,
  durationDays: z.number().int().min(1).max(TERMS_FIELD_RULES.durationDaysMax),
  /** `null` is unlimited traffic. */
  trafficBytes: BytesSchema.nullable(),
  deviceLimit: z.number().int().min(1).max(TERMS_FIELD_RULES.deviceLimitMax).nullable(),
  /** Terms frozen before device policies existed read as `serve` (apps without an id served uncounted). */
  noHwidPolicy: NoHwidPolicySchema.default(TERMS_FIELD_RULES.defaultNoHwidPolicy),
  renewable: z.boolean(),
  startOnFirstUse: z.boolean(),
  extension: ExtensionPolicySchema,
  trafficTopUp: TrafficTopUpSchema.nullable(),
  /** The device pack offer as sold; terms frozen before device packs existed read as `null` (not offered). */
  devicePack: DevicePackOfferSchema.nullable().default(null),
  /**
   * The buyer's choice and the quoted price when the plan was built (`Plan.builder`), with this subscription's
   * location; `null` for a fixed plan (and terms frozen before builders existed). `price`, `durationDays`,
   * `trafficBytes` and `deviceLimit` above are already the built ones (`price` this subscription's share).
   */
  built: BuiltTermsSchema.nullable().default(null),
  /**
   * A family or team plan's seats as sold (`Plan.sharing`): a later edit of the plan does not change a group's seats.
   * Absent in terms frozen before seats were (port 22): such a subscription reads the plan's as it is.
   */
  sharing: PlanSharingSchema.nullable().optional(),
  /** The plan's kinds as sold (a later edit of the plan does not change a bundle); terms frozen before kinds read `['xray']`. */
  kinds: EntitlementKindsSchema.default([TERMS_FIELD_RULES.defaultKind]),
});
/** See {@link SubscriptionTermsSchema}. */
export type SubscriptionTerms = z.infer<typeof SubscriptionTermsSchema>;

/** The terms a subscription of `plan` gets when it is sold now. */
export function termsOf(plan: Plan): SubscriptionTerms {
  return {
    price: { ...plan.price },
    durationDays: plan.durationDays,
    trafficBytes: plan.trafficBytes,
    deviceLimit: plan.deviceLimit,
    noHwidPolicy: plan.noHwidPolicy,
    renewable: plan.renewable,
    startOnFirstUse: plan.startOnFirstUse,
    extension: { ...plan.extension, price: plan.extension.price === null ? null : { ...plan.extension.price } },
    trafficTopUp: plan.trafficTopUp === null ? null : { ...plan.trafficTopUp, pricePerGiB: { ...plan.trafficTopUp.pricePerGiB } },
    devicePack: plan.devicePack === null ? null : { ...plan.devicePack, pricePer30Days: { ...plan.devicePack.pricePer30Days } },
    built: null,
    sharing: plan.sharing === null ? null : { ...plan.sharing },
    kinds: [...plan.kinds],
  };
}

/**
 * The plan as it was sold to a subscription: today's plan (its id, name, family, placement) with the
 * subscription's frozen terms in place of the plan's. A subscription without terms (`null`: created
 * directly in storage, or by a host that does not freeze them) follows the plan as it is.
 */
export function planAsSold(plan: Plan, subscription: { terms: SubscriptionTerms | null }): Plan {
  if (subscription.terms === null) return plan;
  const { built: _built, sharing, ...terms } = subscription.terms;
  return { ...plan, ...terms, sharing: sharing === undefined ? plan.sharing : sharing };
}

/** Whether two sets of terms are the same (key order and defaulted fields aside). */
export function sameTerms(a: SubscriptionTerms | null, b: SubscriptionTerms | null): boolean {
  if (a === null || b === null) return a === b;
  const canonical = (t: SubscriptionTerms) => JSON.stringify(normalized(SubscriptionTermsSchema.parse(t)));
  return canonical(a) === canonical(b);
}

/** The terms with every object's keys in one order, for comparison. */
function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalized);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, normalized(v)]),
    );
  return value;
}
