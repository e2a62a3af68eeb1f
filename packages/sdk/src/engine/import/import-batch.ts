import { z } from 'zod';
import { ActorSchema, BytesSchema } from '../../domain/common.js';
import { CurrencySchema } from '../../domain/money.js';

/** The old shop's own id for a row: a customer's, a plan's or a service's primary key. */
const RefSchema = z.string().min(1).max(120);

/** A customer of the old shop, with the wallet balance it holds there. */
export const ImportCustomerSchema = z.object({
  /** The old row's id; keys everything imported for this customer. */
  ref: RefSchema,
  /** The host's id for the customer (`customers.externalRef`); an existing customer with it is adopted, not duplicated. */
  externalRef: z.string().min(1).max(200),
  /** Their Telegram user id, so the host's bot recognises them. */
  telegramId: z
    .string()
    .regex(/^[0-9]{1,20}$/)
    .nullable()
    .default(null),
  name: z.string().max(200).nullable().default(null),
  locale: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)
    .default('en'),
  /** The wallet balance in the old shop, in minor units of the batch's currency; 0 for none. */
  balance: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0),
});
/** A customer to import (see `ImportCustomerSchema`). */
export type ImportCustomer = z.input<typeof ImportCustomerSchema>;

/** A plan (product) of the old shop; imported off sale unless `onSale` says otherwise. */
export const ImportPlanSchema = z.object({
  ref: RefSchema,
  name: z.string().min(1).max(200),
  /** In minor units of the batch's currency. */
  price: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  durationDays: z.number().int().min(1).max(3650),
  /** `null` is unlimited. */
  trafficBytes: BytesSchema.nullable(),
  deviceLimit: z.number().int().min(1).max(1000).nullable().default(null),
  onSale: z.boolean().default(false),
});
/** A plan to import (see `ImportPlanSchema`). */
export type ImportPlan = z.input<typeof ImportPlanSchema>;

/**
 * A live service of the old shop: a client that exists on one of this shop's panels. It is adopted
 * as it is (same client, credentials, expiry, traffic and links), never created again.
 */
export const ImportServiceSchema = z.object({
  ref: RefSchema,
  /** The `ref` of its customer in the same batch. */
  customerRef: RefSchema,
  /** The `ref` of its plan in the same batch; `null` puts it on the batch's off-sale "imported service" plan. */
  planRef: RefSchema.nullable().default(null),
  /** The panel (as stored in this shop) the client lives on. */
  panelId: z.string().min(1).max(128),
  /** The client's username on that panel (3x-ui email, Marzban username, S-UI name). */
  username: z.string().min(1).max(255),
  /** Its uuid (or password) where the old shop recorded it; kept so a later re-creation keeps it. */
  uuid: z.string().min(1).max(255).nullable().default(null),
  /** Its 3x-ui subscription id where the old shop recorded it. */
  subId: z.string().min(1).max(255).nullable().default(null),
  /** Length of one period when the service has no plan; default 30. */
  durationDays: z.number().int().min(1).max(3650).nullable().default(null),
});
/** A service to adopt (see `ImportServiceSchema`). */
export type ImportService = z.input<typeof ImportServiceSchema>;

/** A row the reader of the old database could not map at all; it goes into the report as it is. */
export const ImportSkippedRowSchema = z.object({
  kind: z.enum(['customer', 'balance', 'plan', 'service']),
  ref: RefSchema,
  reason: z.string().min(1).max(100),
  detail: z.string().max(500).nullable().default(null),
});
/** A row the reader could not map (see `ImportSkippedRowSchema`). */
export type ImportSkippedRow = z.input<typeof ImportSkippedRowSchema>;

/**
 * What `kit.importShop` brings over from another shop: its customers with their balances, its plans
 * and its live services. `source` names the old shop and keys every row, so importing the same batch
 * again (or after a crash part-way) changes nothing already imported.
 */
export const ImportBatchSchema = z.object({
  /** A short name for the old shop, e.g. `mirza` or `wizwiz-main`: `[a-z0-9-]`, 1–40. */
  source: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a source is 1–40 of a-z 0-9 and -'),
  /** Currency of every balance and price in the batch. */
  currency: CurrencySchema,
  customers: z.array(ImportCustomerSchema).max(1_000_000).default([]),
  plans: z.array(ImportPlanSchema).max(100_000).default([]),
  services: z.array(ImportServiceSchema).max(1_000_000).default([]),
  skipped: z.array(ImportSkippedRowSchema).max(1_000_000).default([]),
});
/** Input of `kit.importShop` (see `ImportBatchSchema`). */
export type ImportBatch = z.input<typeof ImportBatchSchema>;
/** A validated batch. */
export type ValidImportBatch = z.output<typeof ImportBatchSchema>;

/** How `kit.importShop` runs. */
export const ImportOptionsSchema = z.object({
  /** Reads the panels and storage and reports what would happen; writes nothing. */
  dryRun: z.boolean().default(false),
  actor: ActorSchema.default({ type: 'admin', id: null }),
});
/** How far an import has come: rows handled (brought over, found there, or unmapped) of all its rows. */
export interface ImportProgress {
  /** What it is working on. */
  phase: 'customers' | 'plans' | 'services' | 'done';
  /** Customer, plan and service rows handled so far (a customer's balance goes with it). */
  done: number;
  /** Customer, plan and service rows in the batch. */
  total: number;
}

/** Options of `kit.importShop`. */
export type ImportOptions = z.input<typeof ImportOptionsSchema> & {
  /**
   * Hears how far the import has come after every chunk of rows (see `ImportProgress`), and once more when it is
   * done; a throw stops the import there.
   */
  onProgress?: (progress: ImportProgress) => void | Promise<void>;
};
