import { z } from 'zod';
import { minorDigits, parseMajorAmount } from '../../i18n/format.js';
import { asciiDigits } from '../input/digits.js';

/** The smallest top-up, in minor units: anything above nothing. */
export const MIN_TOP_UP = 1;

/**
 * The largest single top-up, in minor units: a million in currencies with minor units (USD
 * 1,000,000.00), a hundred billion in those without (IRR 100,000,000,000). Above it a typo
 * (or a joke) is refused before an admin has to look at it.
 */
export function maxTopUp(currency: string): number {
  const digits = minorDigits(currency);
  return digits === 0 ? 100_000_000_000 : 1_000_000 * 10 ** digits;
}

/**
 * An amount a buyer typed in major units ("12.50", "۱۲٫۵"; a JSON number too) as minor units:
 * at least {@link MIN_TOP_UP}, no more decimals than the currency has, at most `maxTopUp`.
 */
export function amountSchema(currency: string) {
  return z.union([z.string(), z.number()], { message: 'forms.amount' }).transform((value, ctx) => {
    const text = asciiDigits(String(value)).replace('\u066B', '.');
    const minor = text.length > 40 ? null : parseMajorAmount(text, currency);
    if (minor === null) {
      ctx.addIssue({ code: 'custom', message: 'forms.amount' });
      return z.NEVER;
    }
    if (minor < MIN_TOP_UP) {
      ctx.addIssue({ code: 'custom', message: 'wallet.errors.amountZero' });
      return z.NEVER;
    }
    if (minor > maxTopUp(currency)) {
      ctx.addIssue({ code: 'custom', message: 'wallet.errors.amountTooLarge' });
      return z.NEVER;
    }
    return minor;
  });
}
