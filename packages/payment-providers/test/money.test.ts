import { describe, expect, it } from 'vitest';
import { fromMinorUnits, minorDigits, toMinorUnits } from '../src/index.js';

describe('amounts in minor units', () => {
  it('knows each currency’s minor digits', () => {
    expect([minorDigits('RUB'), minorDigits('usd'), minorDigits('JPY'), minorDigits('IRR'), minorDigits('KWD')]).toEqual([2, 2, 0, 0, 3]);
  });

  it('writes minor units as the decimal strings gateways take', () => {
    expect(fromMinorUnits(10_000, 'RUB')).toBe('100.00');
    expect(fromMinorUnits(5, 'RUB')).toBe('0.05');
    expect(fromMinorUnits(123_456, 'RUB')).toBe('1234.56');
    expect(fromMinorUnits(700, 'JPY')).toBe('700');
    expect(fromMinorUnits(1_234, 'KWD')).toBe('1.234');
    expect(() => fromMinorUnits(1.5, 'RUB')).toThrow(RangeError);
    expect(() => fromMinorUnits(-1, 'RUB')).toThrow(RangeError);
  });

  it('reads decimal strings back, refusing what does not fit the currency', () => {
    expect(toMinorUnits('1234.56', 'RUB')).toBe(123_456);
    expect(toMinorUnits('10.5', 'RUB')).toBe(1050);
    expect(toMinorUnits('700', 'JPY')).toBe(700);
    expect(toMinorUnits('7.5', 'JPY')).toBeNull();
    expect(toMinorUnits('1.001', 'RUB')).toBeNull();
    expect(toMinorUnits('1,00', 'RUB')).toBeNull();
    expect(toMinorUnits('-1', 'RUB')).toBeNull();
    expect(toMinorUnits('1234567890123', 'RUB')).toBeNull();
    for (const amount of [0, 1, 99, 100, 987_654_321]) expect(toMinorUnits(fromMinorUnits(amount, 'USD'), 'USD')).toBe(amount);
  });
});
