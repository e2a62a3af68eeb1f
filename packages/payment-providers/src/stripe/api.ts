import Stripe from 'stripe';

/** Stripe's API address in production. */
export const STRIPE_API_BASE = 'https://api.stripe.com';

/**
 * Stripe's API as a shop reaches it: the address ({@link STRIPE_API_BASE}, or the simulator's `url`), the secret key
 * (`sk_live_…` / `sk_test_…` or a restricted `rk_…`) and the webhook endpoint's signing secret (`whsec_…`).
 */
export interface StripeApi {
  baseUrl: string;
  secretKey: string;
  webhookSecret: string;
}

/**
 * The currencies the provider takes through Stripe, with the number of minor digits Stripe counts them in. Only
 * currencies where Stripe's minor unit is the shop's own (ISO 4217's) are listed, so an amount in minor units passes unchanged:
 * zero-decimal ones (JPY, KRW…) are whole units on both sides; Stripe's special cases (HUF, TWD, ISK, UGX, IDR, where
 * Stripe counts hundredths of a zero-decimal amount, and the three-decimal BHD, JOD, KWD, OMR, TND) are left out.
 */
export const STRIPE_CURRENCIES: Readonly<Record<string, 0 | 2>> = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  NZD: 2,
  SGD: 2,
  HKD: 2,
  CNY: 2,
  INR: 2,
  AED: 2,
  ILS: 2,
  SAR: 2,
  TRY: 2,
  PLN: 2,
  CZK: 2,
  DKK: 2,
  NOK: 2,
  SEK: 2,
  RON: 2,
  BGN: 2,
  MXN: 2,
  BRL: 2,
  ZAR: 2,
  THB: 2,
  MYR: 2,
  PHP: 2,
  JPY: 0,
  KRW: 0,
  VND: 0,
  CLP: 0,
  PYG: 0,
  XOF: 0,
  XAF: 0,
};

/** Whether Stripe takes the currency (see {@link STRIPE_CURRENCIES}). */
export function stripeTakes(currency: string): boolean {
  return Object.hasOwn(STRIPE_CURRENCIES, currency.toUpperCase());
}

const clients = new Map<string, Stripe>();

/**
 * Stripe's Node library for these credentials, pointed at `baseUrl` (its `host`/`port`/`protocol`). The library
 * makes no retries of its own: a failed call is the engine's to retry, under the same idempotency key.
 */
export function stripeClient(api: StripeApi): Stripe {
  const key = `${api.baseUrl} ${api.secretKey}`;
  let client = clients.get(key);
  if (client === undefined) {
    const url = new URL(api.baseUrl);
    const protocol = url.protocol === 'http:' ? 'http' : 'https';
    client = new Stripe(api.secretKey, {
      host: url.hostname,
      port: Number(url.port || (protocol === 'http' ? 80 : 443)),
      protocol,
      maxNetworkRetries: 0,
      timeout: 20_000,
      telemetry: false,
      appInfo: { name: '@panelkit/payment-providers' },
    });
    if (clients.size > 20) clients.clear();
    clients.set(key, client);
  }
  return client;
}

/**
 * A failed call as the provider reads it: `unreachable` (no answer, a 5xx, a rate limit: the same request may be sent
 * again with its key), or `refused` (Stripe's own answer that this request will not work as it is).
 */
export function stripeFailureKind(error: unknown): 'unreachable' | 'refused' | null {
  if (!(error instanceof Stripe.errors.StripeError)) return null;
  if (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    (error.statusCode ?? 500) >= 500
  )
    return 'unreachable';
  return 'refused';
}
