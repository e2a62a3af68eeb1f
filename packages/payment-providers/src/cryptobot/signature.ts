import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The `crypto-pay-api-signature` of a webhook's raw body: hex HMAC-SHA256 keyed by the SHA-256 of the app's API token. */
export function cryptoPaySignature(rawBody: string, token: string): string {
  const key = createHash('sha256').update(token).digest();
  return createHmac('sha256', key).update(rawBody).digest('hex');
}

/** Whether `signature` is the raw body's, compared in constant time (anything not 64 hex digits is simply false). */
export function verifyCryptoPaySignature(rawBody: string, signature: string | undefined, token: string): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  return timingSafeEqual(Buffer.from(cryptoPaySignature(rawBody, token), 'hex'), Buffer.from(signature.toLowerCase(), 'hex'));
}
