const digitsByCurrency = new Map<string, number>();

/**
 * How many minor digits `currency` (ISO 4217) has: 2 for USD and RUB, 0 for JPY and IRR, 3 for KWD, as the
 * runtime's Intl data says. Every amount a provider sends or reads is an integer of these minor units inside.
 */
export function minorDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = digitsByCurrency.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(code, digits);
  }
  return digits;
}

/**
 * A decimal amount in major units (`"100.00"`, `"12.5"`, `"700"`) as minor units of `currency`, or `null` when it is
 * not one: not plain digits with an optional fraction, more than 12 whole digits, or more decimals than the currency has.
 */
export function toMinorUnits(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const match = /^(\d{1,12})(?:\.(\d+))?$/.exec(text.trim());
  if (match === null) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/** Minor units of `currency` as the decimal string gateways take (`10000` RUB → `"100.00"`, `700` JPY → `"700"`). */
export function fromMinorUnits(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`not an amount in minor units: ${amount}`);
  const digits = minorDigits(currency);
  if (digits === 0) return String(amount);
  const unit = 10 ** digits;
  return `${Math.trunc(amount / unit)}.${String(amount % unit).padStart(digits, '0')}`;
}
