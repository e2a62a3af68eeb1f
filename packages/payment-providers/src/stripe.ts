/**
 * Stripe: Checkout Sessions, saved cards charged off-session, partial refunds, and webhooks verified over their raw
 * body. Needs Stripe's Node library (`stripe`, an optional peer): a shop that does not import this subpath does not
 * install it.
 */
export { STRIPE_API_BASE, STRIPE_CURRENCIES, stripeTakes, type StripeApi } from './stripe/api.js';
export { STRIPE_EVENTS, stripeProvider, type StripeOptions } from './stripe/provider.js';
export { STRIPE_PROVIDER, STRIPE_WEBHOOK_TOLERANCE_SEC, verifyStripeWebhook, type StripeWebhookInput } from './stripe/webhook.js';
