import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The string EPay (易支付) signs: every parameter but `sign` and `sign_type` whose value is not empty, sorted by name
 * (ASCII, ascending), joined as `name=value&name=value` with the values as they are (not URL-encoded).
 */
export function epaySignedString(params: Readonly<Record<string, string | undefined>>): string {
  return Object.keys(params)
    .filter((name) => name !== 'sign' && name !== 'sign_type' && params[name] !== undefined && params[name] !== '')
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join('&');
}

/** The `sign` of a request or notify: the lower-case hex MD5 of the signed string with the merchant's key appended to it. */
export function epaySign(params: Readonly<Record<string, string | undefined>>, key: string): string {
  return createHash('md5')
    .update(epaySignedString(params) + key, 'utf8')
    .digest('hex');
}

/** Whether `params.sign` is theirs under `key`, compared in constant time (anything not 32 hex digits is simply false). */
export function verifyEpaySign(params: Readonly<Record<string, string | undefined>>, key: string): boolean {
  const sign = params['sign'];
  if (typeof sign !== 'string' || !/^[0-9a-f]{32}$/i.test(sign)) return false;
  return timingSafeEqual(Buffer.from(epaySign(params, key), 'hex'), Buffer.from(sign.toLowerCase(), 'hex'));
}
