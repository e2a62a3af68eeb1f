import { z } from 'zod';
import { ValidationError } from '../errors.js';

/** What a currency code looks like: an ISO 4217 code, upper case. */
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
/** ISO 4217 code, upper case. */
export const CurrencySchema = z.string().regex(CURRENCY_PATTERN, 'a currency is a 3-letter ISO 4217 code');

/** Money is an integer amount of the currency's minor unit (cents, rials…). Never a float. */
export const MoneySchema = z.object({
  amount: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  currency: CurrencySchema,
});
/** An amount in integer minor units of a currency (see `MoneySchema`). */
export type Money = z.infer<typeof MoneySchema>;

/** Money that is zero or more (prices). */
export const NonNegativeMoneySchema = MoneySchema.extend({ amount: MoneySchema.shape.amount.nonnegative() });

/** Makes a validated {@link Money}; throws a zod error for a non-integer amount or a bad currency code. */
export function money(amount: number, currency: string): Money {
  return MoneySchema.parse({ amount, currency });
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new ValidationError(`cannot combine ${a.currency} with ${b.currency}`, [{ path: 'currency', message: 'currencies differ' }]);
  }
}

/** `a + b`; throws `ValidationError` when the currencies differ. */
export function addMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

/** `a - b` (may go negative); throws `ValidationError` when the currencies differ. */
export function subtractMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(a.amount - b.amount, a.currency);
}

/** `a × factor`; throws `ValidationError` unless `factor` is an integer. */
export function multiplyMoney(a: Money, factor: number): Money {
  if (!Number.isInteger(factor)) throw new ValidationError('money can only be multiplied by an integer');
  return money(a.amount * factor, a.currency);
}

/** Sum of several amounts in one currency; the currency of an empty sum must be given. */
export function sumMoney(amounts: readonly Money[], currency: string): Money {
  return amounts.reduce((total, m) => addMoney(total, m), money(0, currency));
}
