import { z } from 'zod';
import { BytesSchema, IdSchema } from './common.js';
import { MoneySchema, NonNegativeMoneySchema } from './money.js';

/** `active`: sells. `suspended`: sells nothing (its buyers' subscriptions keep running). */
export const STOREFRONT_STATUSES = ['active', 'suspended'] as const;
/** One of `STOREFRONT_STATUSES`. */
export type StorefrontStatus = (typeof STOREFRONT_STATUSES)[number];

/** The most commission tiers one storefront has. */
export const MAX_COMMISSION_TIERS = 10;

/**
 * What the owner lets a storefront sell; `null` is no limit. Checked on every sale under the storefront's lock,
 * so concurrent sales never pass a quota together.
 */
export const StorefrontQuotasSchema = z.strictObject({
  /** The most live subscriptions (not expired, terminated or failed) its buyers may hold at once. */
  maxActiveSubscriptions: z.number().int().nonnegative().max(10_000_000).nullable().default(null),
  /** The most traffic, in bytes, the live subscriptions of its buyers may have as their limits together (unlimited plans count 0). */
  maxTrafficBytes: BytesSchema.nullable().default(null),
  /** The panels its sales may be placed on; `null`: every panel. */
  panelIds: z.array(IdSchema).max(1000).nullable().default(null),
});
/** A storefront's quotas (see `StorefrontQuotasSchema`). */
export type StorefrontQuotas = z.output<typeof StorefrontQuotasSchema>;
/** Quotas as callers may write them (each defaults to `null`). */
export type StorefrontQuotasInput = z.input<typeof StorefrontQuotasSchema>;

/**
 * A volume tier: once a storefront has made `minMonthlySales` sales in the calendar month (UTC) before a sale, that
 * sale's margin earns the reseller `bonusBps` (basis points: 100 = 1%) of the margin more, out of the owner's share.
 */
export const CommissionTierSchema = z.strictObject({
  minMonthlySales: z.number().int().min(1).max(10_000_000),
  bonusBps: z.number().int().min(1).max(10_000),
});
/** One volume tier (see `CommissionTierSchema`). */
export type CommissionTier = z.infer<typeof CommissionTierSchema>;

const CommissionTiersSchema = z
  .array(CommissionTierSchema)
  .max(MAX_COMMISSION_TIERS)
  .refine((tiers) => new Set(tiers.map((t) => t.minMonthlySales)).size === tiers.length, 'two tiers start at the same number of sales');

const storefrontFields = {
  id: IdSchema,
  /** The reseller who runs it: a customer; one storefront each. Its wallet pays the wholesale price of every sale. */
  resellerId: IdSchema,
  /** The shop name buyers see. */
  name: z.string().trim().min(1).max(100),
  status: z.enum(STOREFRONT_STATUSES),
  quotas: StorefrontQuotasSchema,
  /** Volume tiers, any order; the highest reached applies (see `commissionBonusBps`). */
  commissionTiers: CommissionTiersSchema,
};

/**
 * A reseller's storefront: the reseller sells the owner's plans under their own name, at their own retail prices
 * (its menu), to buyers of their own (`Customer.storefrontId`). Each sale debits the reseller's wallet at their
 * price book and credits the retail (and a tier's bonus) to their payout balance (see `@panelkit/sdk/storefronts`).
 */
export const StorefrontSchema = z.object({ ...storefrontFields, createdAt: z.date(), updatedAt: z.date() });
/** A storefront as stored (see `StorefrontSchema`). */
export type Storefront = z.infer<typeof StorefrontSchema>;

/** Validates a storefront to create: `status` defaults to `active`, quotas to none, tiers to none. */
export const NewStorefrontSchema = z.strictObject({
  ...storefrontFields,
  id: IdSchema.optional(),
  status: storefrontFields.status.default('active'),
  quotas: StorefrontQuotasSchema.default({ maxActiveSubscriptions: null, maxTrafficBytes: null, panelIds: null }),
  commissionTiers: CommissionTiersSchema.default([]),
});
/** Input of `storefronts.create`. */
export type NewStorefront = z.input<typeof NewStorefrontSchema>;

/** Validates a storefront patch: name, status, quotas (whole), tiers (whole); nothing else. */
export const StorefrontPatchSchema = z
  .strictObject({
    name: storefrontFields.name,
    status: storefrontFields.status,
    quotas: StorefrontQuotasSchema,
    commissionTiers: CommissionTiersSchema,
  })
  .partial();
/** Input of `storefronts.update`. */
export type StorefrontPatch = z.input<typeof StorefrontPatchSchema>;

const menuFields = {
  storefrontId: IdSchema,
  planId: IdSchema,
  /** What the storefront's buyers pay for a period of the plan; in the plan's currency, zero or more. */
  retailPrice: NonNegativeMoneySchema,
};

/** One line of a storefront's menu: a plan it sells, at its retail price. A plan not on the menu is not sold there. */
export const MenuItemSchema = z.object({ ...menuFields, updatedAt: z.date() });
/** A menu line as stored (see `MenuItemSchema`). */
export type MenuItem = z.infer<typeof MenuItemSchema>;
/** Validates a menu line to set. */
export const NewMenuItemSchema = z.strictObject(menuFields);
/** Input of `storefronts.setMenuItem`. */
export type NewMenuItem = z.input<typeof NewMenuItemSchema>;

/** `sale`: a charge to a storefront's buyer (an order, or a sale on a subscription). `refund`: (part of) it given back, the split reversed in proportion. */
export const STOREFRONT_SALE_KINDS = ['sale', 'refund'] as const;

/**
 * What a storefront sale sold: a `checkout` order, or on a buyer's subscription an `extension`, a `renewal` (auto-renew),
 * a `plan_change`, a `device_pack` (its own order), a `traffic_top_up`; or a `gift` bought by the buyer.
 */
export const STOREFRONT_SALE_SOURCES = [
  'checkout',
  'extension',
  'renewal',
  'plan_change',
  'device_pack',
  'traffic_top_up',
  'gift',
] as const;
/** One of `STOREFRONT_SALE_SOURCES`. */
export type StorefrontSaleSource = (typeof STOREFRONT_SALE_SOURCES)[number];

const saleFields = {
  id: IdSchema,
  storefrontId: IdSchema,
  resellerId: IdSchema,
  buyerId: IdSchema,
  /** The order the buyer paid (a checkout, a device pack); `null` for a charge with no order of its own (see `chargeKey`). */
  orderId: IdSchema.nullable(),
  /** The buyer's subscription the charge was for, when there is one. */
  subscriptionId: IdSchema.nullable(),
  source: z.enum(STOREFRONT_SALE_SOURCES),
  /**
   * A charge with no order (an extension, a renewal, a plan change, a traffic top-up, a gift): the idempotency key of
   * the buyer's ledger debit, which its refunds name (`salesOfCharge`); `null` for an order's sale.
   */
  chargeKey: z.string().min(1).max(400).nullable(),
  kind: z.enum(STOREFRONT_SALE_KINDS),
  retail: MoneySchema,
  wholesale: MoneySchema,
  margin: MoneySchema,
  /** The part of `margin` a commission tier added. */
  bonus: MoneySchema,
  idempotencyKey: z.string().min(1).max(200),
};

/**
 * The split of one storefront sale or refund, written in the same transaction as its ledger and payout entries:
 * what the buyer paid (`retail`), what the reseller's wallet paid (`wholesale`), and what the reseller earned
 * (`margin`, the tier `bonus` included); their payout balance got `wholesale + margin`. A refund's amounts are
 * negative. Unique by `idempotencyKey`; names its order, or its charge (`chargeKey`), or both.
 */
export const StorefrontSaleSchema = z.object({ ...saleFields, createdAt: z.date() });
/** A storefront sale or refund as stored (see `StorefrontSaleSchema`). */
export type StorefrontSale = z.infer<typeof StorefrontSaleSchema>;
/**
 * Validates a sale to record: `subscriptionId` and `chargeKey` default to `null`, `source` to `checkout`; an order or a
 * charge key is required.
 */
export const NewStorefrontSaleSchema = z
  .strictObject({
    ...saleFields,
    id: IdSchema.optional(),
    subscriptionId: saleFields.subscriptionId.default(null),
    source: saleFields.source.default('checkout'),
    chargeKey: saleFields.chargeKey.default(null),
  })
  .refine((s) => s.orderId !== null || s.chargeKey !== null, { message: 'a sale names its order or its charge', path: ['chargeKey'] });
/** Input of `storefronts.recordSale`. */
export type NewStorefrontSale = z.input<typeof NewStorefrontSaleSchema>;

/** What a storefront's buyers hold now, against its quotas. */
export interface StorefrontUsage {
  /** Live subscriptions (every status but `expired`, `terminated` and `failed`) of its buyers. */
  activeSubscriptions: number;
  /** The traffic limits of those subscriptions added up, in bytes. */
  trafficBytes: number;
}
