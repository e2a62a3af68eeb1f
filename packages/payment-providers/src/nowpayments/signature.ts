import { createHmac, timingSafeEqual } from 'node:crypto';

/** A JSON value with every object's keys in sorted order, at every depth: what NOWPayments signs. */
export function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

/** The `x-nowpayments-sig` of a callback body: hex HMAC-SHA512 of its sorted JSON under the IPN secret. */
export function ipnSignature(body: unknown, ipnSecret: string): string {
  return createHmac('sha512', ipnSecret).update(sortedJson(body)).digest('hex');
}

/** Whether `signature` is the body's, compared in constant time (a wrong length is simply false). */
export function verifyIpnSignature(body: unknown, signature: string | undefined, ipnSecret: string): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-f]{128}$/i.test(signature)) return false;
  const expected = Buffer.from(ipnSignature(body, ipnSecret), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature.toLowerCase(), 'hex'));
}
