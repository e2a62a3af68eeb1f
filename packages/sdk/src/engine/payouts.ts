import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { Actor, ActorInput } from '../domain/common.js';
import { CurrencySchema, MoneySchema } from '../domain/money.js';
import type { PayoutEntry, Withdrawal, WithdrawalStatus } from '../domain/payout.js';
import { WithdrawalSchema } from '../domain/payout.js';
import { parseInput } from '../domain/validate.js';
import { EligibilityError, InsufficientFundsError, NotFoundError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import type { EngineContext } from './context.js';

const ADMIN: Actor = Object.freeze({ type: 'admin', id: null });

/** Why a withdrawal's step was refused; machine-readable. */
export type WithdrawalRefusalReason =
  /** The payout balance does not cover the amount (another withdrawal holds it, or it was never earned). */
  | 'insufficient_payout_balance'
  /**
   * A reseller's withdrawal would leave less on the payout balance than they owe on their wallet in that currency
   * (`max(0, −wallet balance)`): the wholesale their storefront's sales debited past their prepaid balance.
   */
  | 'owes_wholesale'
  /** The withdrawal is no longer in a state this step starts from (another admin decided it first). */
  | 'already_decided';

/** A withdrawal step was refused; nothing was written. `reason` says why, `withdrawalId` which (when there is one). */
export class WithdrawalRefusedError extends EligibilityError {
  static override readonly errorName: string = 'WithdrawalRefusedError';
  constructor(
    readonly reason: WithdrawalRefusalReason,
    readonly withdrawalId: string | null,
    details: Record<string, string | number | null> = {},
  ) {
    super(`withdrawal refused: ${reason}`, [reason], { details: { withdrawalId, ...details } });
  }
}

/** Validates a partner's withdrawal request. */
export const WithdrawalRequestSchema = z.strictObject({
  partnerId: IdSchema,
  amount: WithdrawalSchema.shape.amount,
  destination: WithdrawalSchema.shape.destination,
  /** The partner's key: the same key replays the request. */
  idempotencyKey: z.string().min(1).max(200),
  actor: ActorSchema.optional(),
});
/** Input of `kit.payouts.request`. */
export type WithdrawalRequest = z.input<typeof WithdrawalRequestSchema>;

/** What a withdrawal step did: the withdrawal as it is now, and whether this call moved it. */
export interface WithdrawalStepResult {
  withdrawal: Withdrawal;
  /** False on a replay of the same request, or when the withdrawal was already where this step takes it. */
  changed: boolean;
}

function auditOf(tx: StorageRepositories, actor: Actor, action: string, w: Withdrawal, data: Record<string, string | number | null> = {}) {
  return tx.audit.append({
    actor,
    action,
    subjectType: 'withdrawal',
    subjectId: w.id,
    data: { partnerId: w.partnerId, amount: w.amount.amount, currency: w.amount.currency, ...data },
  });
}

/**
 * A partner (a reseller, or a referral partner) asks to be paid part of their payout balance: the amount is held at
 * once (a `withdrawal_hold` entry), so the same money cannot be asked for twice; audited `withdrawal.requested`. More
 * than the balance is a `WithdrawalRefusedError` (`insufficient_payout_balance`) and writes nothing; the same key
 * again replays the first request (`changed: false`), from any replica. A reseller may take at most the balance less
 * what they owe on their wallet in that currency, else `owes_wholesale` and nothing held; the check runs under the
 * lock a storefront sale takes (the storefront, then the reseller's customer row), so no wallet debit runs between
 * the read of the wallet and the hold.
 */
export async function requestWithdrawal(ctx: EngineContext, input: WithdrawalRequest): Promise<WithdrawalStepResult> {
  const request = parseInput(WithdrawalRequestSchema, input, 'withdrawal request');
  const actor = request.actor ?? { type: 'customer' as const, id: request.partnerId };
  return ctx.storage.transaction(async (tx) => {
    if ((await tx.customers.get(request.partnerId)) === null) throw new NotFoundError('customer', request.partnerId);
    const storefront = await tx.storefronts.getByReseller(request.partnerId);
    if (storefront !== null) await tx.storefronts.lockForSale(storefront.id);
    try {
      const { withdrawal, created } = await tx.payouts.createWithdrawal({
        partnerId: request.partnerId,
        amount: request.amount,
        destination: request.destination,
        idempotencyKey: request.idempotencyKey,
      });
      if (created && storefront !== null) await refuseOverOwed(tx, request.partnerId, request.amount);
      if (created) await auditOf(tx, actor, 'withdrawal.requested', withdrawal);
      return { withdrawal, changed: created };
    } catch (error) {
      if (!InsufficientFundsError.is(error)) throw error;
      throw new WithdrawalRefusedError('insufficient_payout_balance', null, { balance: error.balance, amount: request.amount.amount });
    }
  });
}

/**
 * Throws `owes_wholesale` (rolling back the hold just written) when the payout balance left after it is below what
 * the reseller owes on their wallet. A replay never gets here: it was judged when first asked for.
 */
async function refuseOverOwed(tx: StorageRepositories, partnerId: string, amount: { amount: number; currency: string }): Promise<void> {
  const [wallet, left] = await Promise.all([tx.ledger.balance(partnerId, amount.currency), tx.payouts.balance(partnerId, amount.currency)]);
  const owed = Math.max(0, -wallet);
  if (left < owed)
    throw new WithdrawalRefusedError('owes_wholesale', null, {
      owed,
      balance: left + amount.amount,
      amount: amount.amount,
      available: Math.max(0, left + amount.amount - owed),
    });
}

async function step(
  ctx: EngineContext,
  id: string,
  from: readonly WithdrawalStatus[],
  to: WithdrawalStatus,
  actor: Actor,
  extra: { reason?: string | null; reference?: string | null },
): Promise<WithdrawalStepResult> {
  const withdrawalId = parseInput(IdSchema, id, 'withdrawal id');
  return ctx.storage.transaction(async (tx) => {
    const moved = await tx.payouts.transitionWithdrawal(withdrawalId, from, {
      to,
      actor,
      reason: extra.reason ?? null,
      reference: extra.reference ?? null,
    });
    if (moved === null) {
      const now = await tx.payouts.getWithdrawal(withdrawalId);
      if (now === null) throw new NotFoundError('withdrawal', withdrawalId);
      if (now.status === to) return { withdrawal: now, changed: false };
      throw new WithdrawalRefusedError('already_decided', withdrawalId, { status: now.status });
    }
    if (to === 'refused')
      await tx.payouts.append({
        partnerId: moved.partnerId,
        kind: 'withdrawal_release',
        amount: moved.amount.amount,
        currency: moved.amount.currency,
        idempotencyKey: `withdrawal.release:${moved.id}`,
        withdrawalId: moved.id,
        note: moved.reason,
        actor,
      });
    await auditOf(tx, actor, `withdrawal.${to}`, moved, { reason: moved.reason, reference: moved.reference });
    return { withdrawal: moved, changed: true };
  });
}

/**
 * The owner approves a requested withdrawal (audited `withdrawal.approved`). Two admins approving at once: one
 * approval (the other answers `changed: false`); a refused or paid one is a `WithdrawalRefusedError` (`already_decided`).
 */
export function approveWithdrawal(ctx: EngineContext, id: string, actor?: ActorInput): Promise<WithdrawalStepResult> {
  return step(ctx, id, ['requested'], 'approved', actorOf(actor), {});
}

/**
 * Marks an approved withdrawal paid, with the payment's reference (audited `withdrawal.paid`); the money was held
 * when it was asked for. Paid again: `changed: false`; not approved: `already_decided`.
 */
export function markWithdrawalPaid(
  ctx: EngineContext,
  id: string,
  reference: string | null,
  actor?: ActorInput,
): Promise<WithdrawalStepResult> {
  return step(ctx, id, ['approved'], 'paid', actorOf(actor), {
    reference: parseInput(z.string().trim().min(1).max(200).nullable(), reference, 'reference'),
  });
}

/**
 * Refuses a requested or approved withdrawal with a reason (required), releasing its hold back to the payout balance
 * (audited `withdrawal.refused`). Refused again: `changed: false`; paid: `already_decided`.
 */
export function refuseWithdrawal(ctx: EngineContext, id: string, reason: string, actor?: ActorInput): Promise<WithdrawalStepResult> {
  return step(ctx, id, ['requested', 'approved'], 'refused', actorOf(actor), {
    reason: parseInput(z.string().trim().min(1).max(1000), reason, 'reason'),
  });
}

function actorOf(actor: ActorInput | undefined): Actor {
  return actor === undefined ? ADMIN : parseInput(ActorSchema, actor, 'actor');
}

/** Validates an owner's credit (or signed correction) of a partner's payout balance. */
export const PayoutCreditSchema = z.strictObject({
  partnerId: IdSchema,
  /** `commission`: a referral partner's commission; `adjustment`: a correction. Signed; never zero. */
  kind: z.enum(['commission', 'adjustment']),
  amount: MoneySchema.refine((m) => m.amount !== 0, 'amount cannot be zero'),
  idempotencyKey: z.string().min(1).max(200),
  note: z.string().trim().min(1).max(1000),
  actor: ActorSchema.optional(),
});
/** Input of `kit.payouts.credit`. */
export type PayoutCredit = z.input<typeof PayoutCreditSchema>;

/** Credits (or debits) a partner's payout balance once per key, audited `payout.credited`; a referral partner's commission. */
export async function creditPayout(ctx: EngineContext, input: PayoutCredit): Promise<{ entry: PayoutEntry; created: boolean }> {
  const c = parseInput(PayoutCreditSchema, input, 'payout credit');
  const actor = c.actor ?? ADMIN;
  return ctx.storage.transaction(async (tx) => {
    const result = await tx.payouts.append({
      partnerId: c.partnerId,
      kind: c.kind,
      amount: c.amount.amount,
      currency: c.amount.currency,
      idempotencyKey: c.idempotencyKey,
      note: c.note,
      actor,
    });
    if (result.created)
      await tx.audit.append({
        actor,
        action: 'payout.credited',
        subjectType: 'customer',
        subjectId: c.partnerId,
        data: { kind: c.kind, amount: c.amount.amount, currency: c.amount.currency, note: c.note },
      });
    return result;
  });
}

/** A partner's payout position in one currency: what they can ask for now, and what is held by open withdrawals. */
export interface PayoutPosition {
  currency: string;
  /** The payout balance: what a withdrawal may ask for now (negative while a refund's reversal is owed). */
  available: number;
  /** Held by `requested` and `approved` withdrawals: waiting to be paid (`StorefrontFigures.payoutsWaiting`, the same read). */
  held: number;
}

/** A partner's payout positions, one a currency they have entries in, ordered by currency. Reads only. */
export async function payoutPositions(ctx: EngineContext, partnerId: string): Promise<PayoutPosition[]> {
  const id = parseInput(IdSchema, partnerId, 'partner id');
  const [balances, held] = await Promise.all([ctx.storage.payouts.balances(id), ctx.storage.payouts.held(id)]);
  const currencies = [...new Set([...balances, ...held].map((m) => parseInput(CurrencySchema, m.currency, 'currency')))].sort();
  return currencies.map((currency) => ({
    currency,
    available: balances.find((m) => m.currency === currency)?.amount ?? 0,
    held: held.find((m) => m.currency === currency)?.amount ?? 0,
  }));
}
