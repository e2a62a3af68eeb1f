import { PaymentSignatureError } from '@panelkit/sdk';

/** A notification's raw body as text: a string as it is, bytes decoded as UTF-8. */
export function textOf(rawBody: string | Uint8Array): string {
  return typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
}

/** A notification's body parsed as JSON; the SDK's `PaymentSignatureError` naming `providerId` when it is not JSON. */
export function jsonOf(text: string, providerId: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PaymentSignatureError(providerId, 'not JSON');
  }
}
