/** What `decideLedgerMove` answers: the balance after the move, or by how much it falls short. */
export type LedgerMoveDecision =
  | { allowed: true; balanceAfter: number }
  | {
      allowed: false;
      /** `insufficient_funds`: below the floor (zero, or minus the credit limit). `out_of_range`: past the safe-integer range. */
      reason: 'insufficient_funds' | 'out_of_range';
      /** How much more the customer would need (0 for `out_of_range`). */
      shortBy: number;
    };

/** Input of `decideLedgerMove`; every amount in integer minor units of one currency. */
export interface LedgerMoveInput {
  /** The balance before the move (negative only for a customer using its credit). */
  balance: number;
  /** How far below zero the balance may go; 0 for a customer without credit. */
  creditLimit: number;
  /** The signed amount: negative takes from the balance. */
  amount: number;
}

/**
 * Whether a ledger entry may be appended: the balance after it must stay at or above minus the credit
 * limit (zero without credit) and in the safe-integer range. A credit (positive amount) is always
 * allowed in range, even while the balance is below the floor (after a limit was lowered it pays the
 * debt back). Storages call this on the balance and limit they read under the lock that serialises the
 * customer's appends; it is never a substitute for that lock.
 */
export function decideLedgerMove({ balance, creditLimit, amount }: LedgerMoveInput): LedgerMoveDecision {
  const balanceAfter = balance + amount;
  if (!Number.isSafeInteger(balanceAfter)) return { allowed: false, reason: 'out_of_range', shortBy: 0 };
  const floor = -creditLimit;
  if (amount < 0 && balanceAfter < floor) return { allowed: false, reason: 'insufficient_funds', shortBy: floor - balanceAfter };
  return { allowed: true, balanceAfter };
}

/** What a customer can spend now in one currency: its balance plus its credit limit (never below 0). */
export function spendable(balance: number, creditLimit: number): number {
  return Math.max(0, balance + creditLimit);
}
