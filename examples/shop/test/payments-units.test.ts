import { describe, expect, it } from 'vitest';
import { amountSchema, maxTopUp } from '../src/app/payments/amount.js';
import { asciiDigits, referenceKey } from '../src/app/input/digits.js';
import { instantToZoned, zonedToInstant } from '../src/app/input/zoned-time.js';

describe('receipt references', () => {
  it('fold to one key however they are typed', () => {
    const key = referenceKey('AB-123 456');
    for (const typed of ['ab123456', ' AB 123-456 ', 'AB–۱۲۳۴۵۶', 'ab_١٢٣٤٥٦', 'ＡＢ１２３４５６', 'AB\u200C123\t456'])
      expect({ typed, key: referenceKey(typed) }).toEqual({ typed, key });
    expect(referenceKey('AB-123 457')).not.toBe(key);
    expect(asciiDigits('۰۱۲۳۴۵۶۷۸۹ ٠١٢٣٤٥٦٧٨٩')).toBe('0123456789 0123456789');
  });
});

describe('amounts', () => {
  it('are minor units of the currency, positive and capped', () => {
    const usd = amountSchema('USD');
    expect(usd.parse('12.5')).toBe(1250);
    expect(usd.parse(7)).toBe(700);
    expect(usd.parse('۱۰')).toBe(1000);
    expect(usd.safeParse('1.234').success).toBe(false);
    expect(usd.safeParse(String(maxTopUp('USD') / 100 + 1)).success).toBe(false);
    const irr = amountSchema('IRR');
    expect(irr.parse('5000000')).toBe(5_000_000);
    expect(irr.safeParse('10.5').success).toBe(false);
    expect(irr.safeParse('0').success).toBe(false);
  });
});

describe('datetime-local in the shop zone', () => {
  it('names the right instant, across a DST change too, and refuses dates that do not exist', () => {
    expect(zonedToInstant('2026-03-01T11:30', 'Asia/Tehran')?.toISOString()).toBe('2026-03-01T08:00:00.000Z');
    expect(zonedToInstant('2026-03-01T11:30', 'UTC')?.toISOString()).toBe('2026-03-01T11:30:00.000Z');
    // Berlin: winter UTC+1, summer UTC+2 (from 2026-03-29 02:00).
    expect(zonedToInstant('2026-03-28T12:00', 'Europe/Berlin')?.toISOString()).toBe('2026-03-28T11:00:00.000Z');
    expect(zonedToInstant('2026-03-30T12:00', 'Europe/Berlin')?.toISOString()).toBe('2026-03-30T10:00:00.000Z');
    expect(zonedToInstant('2026-02-29T10:00', 'UTC')).toBeNull();
    expect(zonedToInstant('2026-01-01T24:00', 'UTC')).toBeNull();
    expect(zonedToInstant('01/03/2026 10:00', 'UTC')).toBeNull();
    expect(instantToZoned(new Date('2026-03-01T08:00:00Z'), 'Asia/Tehran')).toBe('2026-03-01T11:30');
  });
});
