import { z } from 'zod';
import { TagSchema } from './common.js';
import { NonNegativeMoneySchema } from './money.js';

/** The most GiB a built plan's traffic part may offer: keeps the bytes within the safe-integer range. */
export const MAX_BUILT_TRAFFIC_GIB = 1_000_000;

/** A count the buyer picks between `min` and `max` (inclusive) in steps of `step` from `min`, each unit at `unitPrice`. */
function countPart(lowest: number, highest: number) {
  return z
    .object({
      /** What one unit adds to the price, in minor units of the builder's currency. */
      unitPrice: NonNegativeMoneySchema,
      min: z.number().int().min(lowest).max(highest),
      max: z.number().int().min(lowest).max(highest),
      /** Allowed values are `min`, `min + step`, … up to `max`. */
      step: z.number().int().min(1).max(highest).default(1),
    })
    .refine((p) => p.min <= p.max, { message: 'min must not be above max', path: ['max'] });
}

/** The devices part: a device limit of `min`–`max`, each device at `unitPrice`. */
export const BuilderDevicesPartSchema = countPart(1, 1000);
/** See {@link BuilderDevicesPartSchema}. */
export type BuilderDevicesPart = z.infer<typeof BuilderDevicesPartSchema>;

/** The traffic part: `min`–`max` GiB (2^30 bytes) for the period, each GiB at `unitPrice`. */
export const BuilderTrafficPartSchema = countPart(1, MAX_BUILT_TRAFFIC_GIB);
/** See {@link BuilderTrafficPartSchema}. */
export type BuilderTrafficPart = z.infer<typeof BuilderTrafficPartSchema>;

/** The duration part: a period of `min`–`max` days, each day at `unitPrice`. */
export const BuilderDurationPartSchema = countPart(1, 3650);
/** See {@link BuilderDurationPartSchema}. */
export type BuilderDurationPart = z.infer<typeof BuilderDurationPartSchema>;

/**
 * The locations part: the buyer picks `min`–`max` distinct locations from `options`, each at `unitPrice`. An option
 * is a panel location tag (`Panel.locationTags`); a tag several panels carry (`eu`) is a location group. A built plan
 * with K locations is sold as K subscriptions, one placed in each chosen location.
 */
export const BuilderLocationsPartSchema = countPart(1, 64)
  .and(z.object({ options: z.array(TagSchema).min(1).max(64) }))
  .refine((p) => new Set(p.options).size === p.options.length, { message: 'options must be distinct', path: ['options'] })
  .refine((p) => p.min <= p.options.length, { message: 'min must not be above the number of options', path: ['min'] });
/** See {@link BuilderLocationsPartSchema}. */
export type BuilderLocationsPart = z.infer<typeof BuilderLocationsPartSchema>;

/**
 * A plan the buyer composes (`Plan.builder`): a base price plus priced parts, each optional. A part that is `null`
 * is not chosen by the buyer: the plan's own value holds (`durationDays`, `trafficBytes`, `deviceLimit`, its
 * placement). The price of a choice is the base plus each part's count × its unit price (`quoteBuiltPlan`); every
 * price is in one currency, the plan's.
 */
export const PlanBuilderSchema = z
  .object({
    basePrice: NonNegativeMoneySchema,
    locations: BuilderLocationsPartSchema.nullable().default(null),
    devices: BuilderDevicesPartSchema.nullable().default(null),
    trafficGiB: BuilderTrafficPartSchema.nullable().default(null),
    durationDays: BuilderDurationPartSchema.nullable().default(null),
  })
  .refine(
    (b) => [b.locations, b.devices, b.trafficGiB, b.durationDays].every((p) => p === null || p.unitPrice.currency === b.basePrice.currency),
    { message: 'every part must be priced in the base price currency', path: ['basePrice'] },
  );
/** A plan's builder (see {@link PlanBuilderSchema}). */
export type PlanBuilder = z.infer<typeof PlanBuilderSchema>;
/** A {@link PlanBuilder} as written: parts may be left out (not offered) and steps default to 1. */
export type PlanBuilderInput = z.input<typeof PlanBuilderSchema>;

/**
 * What a buyer chose for a built plan. A count left out takes its part's minimum; `locations` are option tags,
 * distinct. Naming a part the plan does not offer is refused (`part_not_offered`).
 */
export const BuiltChoiceSchema = z.strictObject({
  locations: z.array(TagSchema).min(1).max(64).optional(),
  devices: z.number().int().min(1).max(1000).optional(),
  trafficGiB: z.number().int().min(1).max(MAX_BUILT_TRAFFIC_GIB).optional(),
  days: z.number().int().min(1).max(3650).optional(),
});
/** A buyer's choice (see {@link BuiltChoiceSchema}). */
export type BuiltChoice = z.infer<typeof BuiltChoiceSchema>;

/** A built plan as sold, frozen in its order line (`OrderItem.built`): the complete choice and the quoted price. */
export const BuiltSaleSchema = z.object({
  /** The choice with every offered part filled in. */
  choice: BuiltChoiceSchema,
  /** The quoted price of the whole built plan (every location). */
  price: NonNegativeMoneySchema,
});
/** See {@link BuiltSaleSchema}. */
export type BuiltSale = z.infer<typeof BuiltSaleSchema>;

/**
 * A built plan as sold to one of its subscriptions, frozen in its terms (`SubscriptionTerms.built`): the sale and
 * the location this subscription was placed in. Each subscription's `terms.price` is its share of `price`, so
 * extending every subscription of the bundle charges the quoted price again.
 */
export const BuiltTermsSchema = BuiltSaleSchema.extend({
  /** The chosen location this subscription was placed in; `null` when the plan has no locations part. */
  location: TagSchema.nullable(),
});
/** See {@link BuiltTermsSchema}. */
export type BuiltTerms = z.infer<typeof BuiltTermsSchema>;
