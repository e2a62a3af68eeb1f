import { z } from 'zod';
import { IdSchema } from './common.js';
import { MoneySchema, NonNegativeMoneySchema } from './money.js';
import { BuiltSaleSchema } from './plan-builder.js';

/**
 * Every status an order can have: `provisioning` until each subscription is provisioned or failed,
 * then `completed`, `partially_failed` (some refunded) or `failed` (all refunded).
 */
export const ORDER_STATUSES = ['provisioning', 'completed', 'partially_failed', 'failed'] as const;
/** Validates an {@link OrderStatus}. */
export const OrderStatusSchema = z.enum(ORDER_STATUSES);
/** One of {@link ORDER_STATUSES}. */
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

/**
 * The bounds of an order's fields: what `NewOrderSchema` checks, and what the storages' hand check of a placement's
 * order (`parsePlacement`) checks without zod.
 */
export const ORDER_FIELD_RULES = {
  quantityMax: 100,
  itemsMax: 20,
  /** The idempotency key and the request hash: 1 to this many characters. */
  keyMaxLength: 200,
  defaultStatus: 'provisioning',
} as const;

/** One line of an order: a plan, how many (1–100), the unit price paid and whether it is a trial. */
export const OrderItemSchema = z.object({
  planId: IdSchema,
  quantity: z.number().int().min(1).max(ORDER_FIELD_RULES.quantityMax),
  unitPrice: NonNegativeMoneySchema,
  trial: z.boolean(),
  /**
   * A built plan (`Plan.builder`): the buyer's choice and its quote, frozen at purchase. The line is then one
   * built plan (`quantity` 1, `unitPrice` the quoted price) sold as one subscription per chosen location.
   */
  built: BuiltSaleSchema.optional(),
});
/** One line of an order (see `OrderItemSchema`). */
export type OrderItem = z.infer<typeof OrderItemSchema>;

const orderFields = {
  id: IdSchema,
  customerId: IdSchema,
  status: OrderStatusSchema,
  items: z.array(OrderItemSchema).min(1).max(ORDER_FIELD_RULES.itemsMax),
  total: MoneySchema,
  /** Unique per customer: the same key replays the same order. */
  idempotencyKey: z.string().min(1).max(ORDER_FIELD_RULES.keyMaxLength),
  /** A digest of the request; the same key with another request is a conflict. */
  requestHash: z.string().min(1).max(ORDER_FIELD_RULES.keyMaxLength),
  /** The purchase entry that paid for it (`null` for a free order). */
  ledgerEntryId: IdSchema.nullable(),
};

/** An order as stored: what checkout sold, for how much, under which idempotency key. */
export const OrderSchema = z.object({ ...orderFields, createdAt: z.date(), updatedAt: z.date() });
/** An order as stored (see `OrderSchema`). */
export type Order = z.infer<typeof OrderSchema>;

/** Validates an order to create; status defaults to `provisioning`. */
export const NewOrderSchema = z.object({
  ...orderFields,
  id: IdSchema.optional(),
  status: OrderStatusSchema.default(ORDER_FIELD_RULES.defaultStatus),
  ledgerEntryId: orderFields.ledgerEntryId.default(null),
});
/** Input of `orders.create`. */
export type NewOrder = z.input<typeof NewOrderSchema>;

/** Validates an order patch: only `status` and `ledgerEntryId` may change. */
export const OrderPatchSchema = z.strictObject({ status: OrderStatusSchema, ledgerEntryId: IdSchema.nullable() }).partial();
/** Input of `orders.update`. */
export type OrderPatch = z.input<typeof OrderPatchSchema>;
