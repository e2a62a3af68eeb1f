import { minorDigits } from '../core/money.js';

/**
 * How many Stars a top-up of `amount` (minor units of `currency`) costs at `starsPerUnit` (Stars per one
 * unit of the currency, a decimal string of at most four decimals): rounded up to a whole Star, at least
 * one. Exact: computed in integers, never in floating point.
 */
export function starsFor(amount: number, currency: string, starsPerUnit: string): number {
  const [whole = '0', fraction = ''] = starsPerUnit.split('.');
  const rateE4 = BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, '0'));
  const denominator = 10n ** BigInt(minorDigits(currency)) * 10_000n;
  const numerator = BigInt(amount) * rateE4;
  const stars = (numerator + denominator - 1n) / denominator;
  return Number(stars < 1n ? 1n : stars);
}
