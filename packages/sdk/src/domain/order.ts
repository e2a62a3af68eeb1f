import { z } from 'zod';
import { IdSchema } from './common.js';
import { MoneySchema, NonNegativeMoneySchema } from './money.js';

export const ORDER_STATUSES = ['provisioning', 'completed', 'partially_failed', 'failed'] as const;
export const OrderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

export const OrderItemSchema = z.object({
  planId: IdSchema,
  quantity: z.number().int().min(1).max(100),
  unitPrice: NonNegativeMoneySchema,
  trial: z.boolean(),
});
export type OrderItem = z.infer<typeof OrderItemSchema>;

const orderFields = {
  id: IdSchema,
  customerId: IdSchema,
  status: OrderStatusSchema,
  items: z.array(OrderItemSchema).min(1).max(20),
  total: MoneySchema,
  /** Unique per customer: the same key replays the same order. */
  idempotencyKey: z.string().min(1).max(200),
  /** A digest of the request; the same key with another request is a conflict. */
  requestHash: z.string().min(1).max(200),
  /** The purchase entry that paid for it (`null` for a free order). */
  ledgerEntryId: IdSchema.nullable(),
};

export const OrderSchema = z.object({ ...orderFields, createdAt: z.date(), updatedAt: z.date() });
export type Order = z.infer<typeof OrderSchema>;

export const NewOrderSchema = z.object({
  ...orderFields,
  id: IdSchema.optional(),
  status: OrderStatusSchema.default('provisioning'),
  ledgerEntryId: orderFields.ledgerEntryId.default(null),
});
export type NewOrder = z.input<typeof NewOrderSchema>;

export const OrderPatchSchema = z.strictObject({ status: OrderStatusSchema, ledgerEntryId: IdSchema.nullable() }).partial();
export type OrderPatch = z.input<typeof OrderPatchSchema>;
