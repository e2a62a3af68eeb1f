import { z } from 'zod';
import { BytesSchema, IdSchema } from './common.js';
import { EntitlementKindSchema } from './entitlement.js';
import { RemoteIdentitySchema } from './remote-identity.js';
import { SubscriptionStatusSchema } from './subscription-status.js';
import { SubscriptionTermsSchema, TERMS_FIELD_RULES } from './subscription-terms.js';

/**
 * A name the buyer gives one of their subscriptions ("Phone", "Mum's laptop"): 1 to 64 characters once trimmed, no
 * control characters.
 */
export const SubscriptionLabelSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  .refine((label) => !/[\u0000-\u001f\u007f]/.test(label), 'must not contain control characters');

/**
 * The bounds of a subscription's fields: what `NewSubscriptionSchema` checks, and what the storages' hand check of a
 * placement's subscription (`parsePlacement`) checks without zod. Its days, device limit and default kind are its terms'.
 */
export const SUBSCRIPTION_FIELD_RULES = {
  durationDaysMax: TERMS_FIELD_RULES.durationDaysMax,
  deviceLimitMax: TERMS_FIELD_RULES.deviceLimitMax,
  /** The kind of a subscription made before kinds, as its terms' kinds. */
  defaultKind: TERMS_FIELD_RULES.defaultKind,
  remoteClientIdMaxLength: 256,
  subscriptionUrlMaxLength: 2048,
  shareLinksMax: 64,
  shareLinkMaxLength: 8192,
  noticesMax: 100,
  noticeMaxLength: 100,
  failureReasonMaxLength: 1000,
  defaultStatus: 'pending',
} as const;
const RULES = SUBSCRIPTION_FIELD_RULES;

const subscriptionFields = {
  id: IdSchema,
  customerId: IdSchema,
  /** The order that bought it; `null` for one created by an admin or imported. */
  orderId: IdSchema.nullable(),
  planId: IdSchema,
  panelId: IdSchema,
  targetId: IdSchema,
  status: SubscriptionStatusSchema,
  statusChangedAt: z.date(),
  remote: RemoteIdentitySchema,
  /** The panel's own id for the client once it exists (e.g. S-UI's numeric id), when it has one. */
  remoteClientId: z.string().max(RULES.remoteClientIdMaxLength).nullable(),
  /** `null` is unlimited. */
  trafficLimitBytes: BytesSchema.nullable(),
  /** Traffic used in the current period as last read from the panel; `null` before the first reading. */
  usedBytes: BytesSchema.nullable(),
  /** When `usedBytes` was observed; older readings are ignored. */
  usageObservedAt: z.date().nullable(),
  /** `null` while a start-on-first-use subscription has not started. */
  expiresAt: z.date().nullable(),
  durationDays: z.number().int().min(1).max(RULES.durationDaysMax),
  startOnFirstUse: z.boolean(),
  /** When the current period started (first use, provisioning, or the last reset). */
  activatedAt: z.date().nullable(),
  deviceLimit: z.number().int().min(1).max(RULES.deviceLimitMax).nullable(),
  subscriptionUrl: z.string().max(RULES.subscriptionUrlMaxLength).nullable(),
  shareLinks: z.array(z.string().max(RULES.shareLinkMaxLength)).max(RULES.shareLinksMax),
  autoRenew: z.boolean(),
  trial: z.boolean(),
  /** Keys of notices already sent this period (e.g. `expiry:72h`, `traffic:80`), so each goes once. */
  notices: z.array(z.string().max(RULES.noticeMaxLength)).max(RULES.noticesMax),
  /** Why provisioning failed, for `failed` subscriptions. */
  failureReason: z.string().max(RULES.failureReasonMaxLength).nullable(),
  /** The terms it was sold with (see `SubscriptionTermsSchema`); `null` follows the plan as it is. */
  terms: SubscriptionTermsSchema.nullable(),
  /** The buyer's name for it (see `SubscriptionLabelSchema`); `null` when unnamed. */
  label: SubscriptionLabelSchema.nullable(),
  /**
   * The subscriptions sold together as one built plan (one per chosen location, `Plan.builder`) share this id;
   * `null` for a subscription sold alone. Set at purchase, never changed.
   */
  bundleId: IdSchema.nullable(),
  /** The one entitlement this subscription is (see `ENTITLEMENT_KINDS`); set at purchase, never changed. */
  kind: EntitlementKindSchema,
};

/** A subscription as stored: one remote client, its status, identity, limits, usage (bytes), expiry, links, notices and revision. */
export const SubscriptionSchema = z.object({
  ...subscriptionFields,
  /** Optimistic concurrency: every update must name the revision it read. */
  revision: z.number().int().nonnegative(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
/** A subscription as stored (see `SubscriptionSchema`). On PostgreSQL its credentials are sealed at rest and opened when read. */
export type Subscription = z.infer<typeof SubscriptionSchema>;

/** Validates a subscription to create (checkout does this; hosts rarely need to). */
export const NewSubscriptionSchema = z.object({
  ...subscriptionFields,
  status: SubscriptionStatusSchema.default(RULES.defaultStatus),
  statusChangedAt: z.date().optional(),
  remoteClientId: subscriptionFields.remoteClientId.default(null),
  usedBytes: subscriptionFields.usedBytes.default(null),
  usageObservedAt: subscriptionFields.usageObservedAt.default(null),
  activatedAt: subscriptionFields.activatedAt.default(null),
  deviceLimit: subscriptionFields.deviceLimit.default(null),
  subscriptionUrl: subscriptionFields.subscriptionUrl.default(null),
  shareLinks: subscriptionFields.shareLinks.default([]),
  autoRenew: z.boolean().default(false),
  trial: z.boolean().default(false),
  notices: subscriptionFields.notices.default([]),
  failureReason: subscriptionFields.failureReason.default(null),
  terms: subscriptionFields.terms.default(null),
  label: subscriptionFields.label.default(null),
  bundleId: subscriptionFields.bundleId.default(null),
  kind: subscriptionFields.kind.default(RULES.defaultKind),
});
/** Input of `subscriptions.create`. */
export type NewSubscription = z.input<typeof NewSubscriptionSchema>;

/** Fields an update may set. `statusChangedAt` follows `status` automatically when omitted. */
export const SubscriptionPatchSchema = z
  .strictObject(subscriptionFields)
  .omit({ id: true, customerId: true, orderId: true, bundleId: true, kind: true })
  .partial();
/** Input of `subscriptions.update` (see `SubscriptionPatchSchema`). */
export type SubscriptionPatch = z.input<typeof SubscriptionPatchSchema>;

/** One usage observation from a panel: the cumulative bytes of the current period. */
export const UsageReadingSchema = z.object({
  subscriptionId: IdSchema,
  usedBytes: BytesSchema,
  observedAt: z.date(),
});
/** One usage observation (see `UsageReadingSchema`). */
export type UsageReading = z.infer<typeof UsageReadingSchema>;

/** One panel client's cumulative usage as its panel lists it, keyed by the client's username there. */
export const PanelUsageReadingSchema = z.object({
  username: z.string().min(1).max(255),
  usedBytes: BytesSchema,
});
/** One panel client's usage by username (see `PanelUsageReadingSchema`). */
export type PanelUsageReading = z.infer<typeof PanelUsageReadingSchema>;
