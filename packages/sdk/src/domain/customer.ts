import { z } from 'zod';
import { IdSchema } from './common.js';

const customerFields = {
  id: IdSchema,
  /** Stored lower-cased; unique when present. */
  email: z
    .email()
    .max(320)
    .transform((e) => e.toLowerCase())
    .nullable(),
  name: z.string().max(200).nullable(),
  /** BCP 47 language tag used for messages and calendars, e.g. `en`, `fa`. */
  locale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/),
  telegramId: z.string().max(64).nullable(),
  /** The host's own id for this customer, when it has one; unique when present. */
  externalRef: z.string().max(200).nullable(),
  /**
   * The reseller's storefront this customer buys from (`null`: the owner's own shop). Moved by the owner
   * (`kit.storefronts.moveBuyer`, audited), never by a patch.
   */
  storefrontId: IdSchema.nullable(),
};

/** A customer (buyer) as stored. */
export const CustomerSchema = z.object({ ...customerFields, createdAt: z.date(), updatedAt: z.date() });
/** A customer as stored (see `CustomerSchema`). */
export type Customer = z.infer<typeof CustomerSchema>;

/** Validates a customer to create; every field but `id` has a default (locale `en`). */
export const NewCustomerSchema = z.object({
  ...customerFields,
  id: IdSchema.optional(),
  email: customerFields.email.default(null),
  name: customerFields.name.default(null),
  locale: customerFields.locale.default('en'),
  telegramId: customerFields.telegramId.default(null),
  externalRef: customerFields.externalRef.default(null),
  storefrontId: customerFields.storefrontId.default(null),
});
/** Input of `customers.create`. */
export type NewCustomer = z.input<typeof NewCustomerSchema>;

/** Validates a customer patch: any stored field but `id` and `storefrontId`; unknown fields are rejected. */
export const CustomerPatchSchema = z.strictObject(customerFields).omit({ id: true, storefrontId: true }).partial();
/** Input of `customers.update`. */
export type CustomerPatch = z.input<typeof CustomerPatchSchema>;
