import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { Actor } from '../domain/common.js';
import type { LedgerEntry } from '../domain/ledger.js';
import { CurrencySchema } from '../domain/money.js';
import { parseInput } from '../domain/validate.js';
import type { EngineContext } from './context.js';

const ADMIN: Actor = Object.freeze({ type: 'admin', id: null });

/** Validates an admin's manual balance adjustment: signed amount in minor units, currency, idempotency key and a required note. */
export const AdjustmentSchema = z.object({
  customerId: IdSchema,
  /** Signed, in minor units: positive credits the wallet, negative debits it. Never zero. */
  amount: z
    .number()
    .int()
    .min(Number.MIN_SAFE_INTEGER)
    .max(Number.MAX_SAFE_INTEGER)
    .refine((a) => a !== 0, 'cannot be zero'),
  currency: CurrencySchema,
  /** The same key adjusts once (e.g. the admin form's nonce). */
  idempotencyKey: z.string().min(1).max(200),
  /** Why: required, it is the only record of the reason. */
  note: z.string().trim().min(1, 'a note is required').max(1000),
  reference: z.string().max(200).nullable().default(null),
  actor: ActorSchema.optional(),
});
/** Input of `kit.adjust`. */
export type Adjustment = z.input<typeof AdjustmentSchema>;

/**
 * An admin's manual correction of a wallet: one signed `adjustment` entry with its note, audited
 * as `ledger.adjusted`. A debit the balance does not cover is an `InsufficientFundsError` and
 * writes nothing; the same key with the same content returns the first entry (`created: false`).
 */
export async function adjust(ctx: EngineContext, input: Adjustment): Promise<{ entry: LedgerEntry; created: boolean }> {
  const a = parseInput(AdjustmentSchema, input, 'adjustment');
  const actor = a.actor ?? ADMIN;
  const result = await ctx.storage.transaction(async (tx) => {
    const appended = await tx.ledger.append({
      customerId: a.customerId,
      kind: 'adjustment',
      amount: a.amount,
      currency: a.currency,
      idempotencyKey: a.idempotencyKey,
      reference: a.reference,
      note: a.note,
      actor,
    });
    if (appended.created) {
      await tx.audit.append({
        actor,
        action: 'ledger.adjusted',
        subjectType: 'customer',
        subjectId: a.customerId,
        data: { amount: a.amount, currency: a.currency, note: a.note },
      });
    }
    return appended;
  });
  if (result.created) ctx.events.emit('ledger:appended', { entry: result.entry, at: ctx.clock.now() });
  return result;
}
