import { createHmac, timingSafeEqual } from 'node:crypto';
import { PaymentSignatureError } from '@panelkit/sdk';
import type Stripe from 'stripe';

/** The provider id Stripe payments are recorded under. */
export const STRIPE_PROVIDER = 'stripe';

/** How old a signed webhook may be before it is refused as a replay: Stripe's libraries' default, five minutes. */
export const STRIPE_WEBHOOK_TOLERANCE_SEC = 300;

/** What {@link verifyStripeWebhook} checks: the raw body, the request's headers, and the endpoint's signing secret. */
export interface StripeWebhookInput {
  /** The body exactly as it arrived (the signature covers these bytes; a re-serialised parsed body does not verify). */
  rawBody: string | Uint8Array;
  /** The request's headers (names in any case); `Stripe-Signature` is read. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The endpoint's signing secret (`whsec_…`). */
  secret: string;
  /** The time now (default: the system clock), against which the signature's timestamp is checked. */
  now?: Date;
  /** How many seconds old a signature may be (default {@link STRIPE_WEBHOOK_TOLERANCE_SEC}). */
  toleranceSec?: number;
}

/**
 * Verifies a Stripe webhook as Stripe documents it, without a web framework or Stripe's library: the
 * `Stripe-Signature` header's `t=<unix time>` and one or more `v1=<hex>` signatures, each an HMAC-SHA256 of
 * `"<t>.<raw body>"` under the endpoint's secret; one must match (compared in constant time) and `t` must be within
 * the tolerance of `now`. Returns the signed event; throws the SDK's `PaymentSignatureError` for a missing or
 * malformed header, no matching signature, a stale timestamp, or a body that is not an event.
 */
export function verifyStripeWebhook(input: StripeWebhookInput): Stripe.Event {
  const header = headerOf(input.headers, 'stripe-signature');
  if (header === undefined) throw new PaymentSignatureError(STRIPE_PROVIDER, 'no Stripe-Signature header');
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && /^\d{1,12}$/.test(value ?? '')) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value ?? '')) signatures.push(Buffer.from(value!, 'hex'));
  }
  if (timestamp === null || signatures.length === 0)
    throw new PaymentSignatureError(STRIPE_PROVIDER, 'the Stripe-Signature header has no timestamp or no v1 signature');
  const raw = typeof input.rawBody === 'string' ? Buffer.from(input.rawBody, 'utf8') : Buffer.from(input.rawBody);
  const expected = createHmac('sha256', input.secret).update(`${timestamp}.`).update(raw).digest();
  if (!signatures.some((signature) => timingSafeEqual(signature, expected)))
    throw new PaymentSignatureError(STRIPE_PROVIDER, 'the Stripe-Signature does not verify');
  const age = (input.now ?? new Date()).getTime() / 1000 - timestamp;
  if (Math.abs(age) > (input.toleranceSec ?? STRIPE_WEBHOOK_TOLERANCE_SEC))
    throw new PaymentSignatureError(STRIPE_PROVIDER, 'the Stripe-Signature is outside the tolerance (a replay, or a wrong clock)');
  let event: unknown;
  try {
    event = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new PaymentSignatureError(STRIPE_PROVIDER, 'the signed body is not JSON');
  }
  const shape = event as { object?: unknown; type?: unknown; data?: { object?: unknown } };
  if (shape?.object !== 'event' || typeof shape.type !== 'string' || typeof shape.data?.object !== 'object')
    throw new PaymentSignatureError(STRIPE_PROVIDER, 'the signed body is not a Stripe event');
  return event as Stripe.Event;
}

function headerOf(headers: StripeWebhookInput['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return typeof value === 'string' ? value : value?.[0];
  return undefined;
}
