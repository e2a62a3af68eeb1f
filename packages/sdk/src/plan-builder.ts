/**
 * `@panelkit/sdk/plan-builder`: plans the buyer composes. A plan's builder (`Plan.builder`: a base price plus priced
 * parts — locations or location groups chosen from a list, devices, traffic in GiB, days — each with its own unit
 * price and min/max/step), the buyer's choice (`BuiltChoiceSchema`), and the one pricing rule `quoteBuiltPlan`
 * (price, lines and terms, or a typed reason) that every channel shows and checkout charges.
 *
 * A checkout item carries the choice (`CheckoutItem.choice`); the order line freezes the choice and its quote
 * (`OrderItem.built`), and each subscription's terms freeze the built period, traffic, device limit, its share of
 * the price and its location (`SubscriptionTerms.built`), so extension, renewal, plan change, device packs and
 * traffic top-ups read the built terms like any other. K chosen locations are sold as K subscriptions, one placed
 * in each location under the usual capacity rules (a full location refuses with `CapacityExhaustedError`, reason
 * `location_full`). `kit.planLocations(planId)` lists the locations a plan offers, each named from the owner's catalog
 * (`kit.locations`: a tag's country and display name) and `available` or `busy`; a
 * checkout item of a fixed plan may pin its subscriptions to one of them (`CheckoutItem.location`).
 *
 * @module
 */
export {
  BuilderDevicesPartSchema,
  BuilderDurationPartSchema,
  BuilderLocationsPartSchema,
  BuilderTrafficPartSchema,
  BuiltChoiceSchema,
  BuiltSaleSchema,
  BuiltTermsSchema,
  MAX_BUILT_TRAFFIC_GIB,
  PlanBuilderSchema,
} from './domain/plan-builder.js';
export type {
  BuilderDevicesPart,
  BuilderDurationPart,
  BuilderLocationsPart,
  BuilderTrafficPart,
  BuiltChoice,
  BuiltSale,
  BuiltTerms,
  PlanBuilder,
  PlanBuilderInput,
} from './domain/plan-builder.js';
export { GIB, builtFromPrice, defaultBuiltChoice, quoteBuiltPlan, splitBuiltPrice } from './rules/plan-builder.js';
export type {
  BuiltPart,
  BuiltPlanDecision,
  BuiltPlanDenyReason,
  BuiltPlanLine,
  BuiltPlanQuote,
  BuiltPlanTerms,
} from './rules/plan-builder.js';
export { offeredLocations, type PlanLocation } from './engine/plan-locations.js';
export { CountryCodeSchema, LocationEntrySchema, type LocationEntry } from './domain/location.js';
export {
  NameLocationRequestSchema,
  RemoveLocationRequestSchema,
  type NameLocationRequest,
  type PanelkitLocations,
  type RemoveLocationRequest,
} from './engine/location-catalog.js';
export { MoveSubscriptionRequestSchema } from './engine/evacuation/move.js';
export type { MoveSubscriptionRequest, MoveSubscriptionResult } from './engine/evacuation/move.js';
