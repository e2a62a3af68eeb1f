/**
 * Telegram Stars: the provider (invoice links and refunds through the host's bot, injected as two Bot API calls;
 * `successful_payment` and `refunded_payment` handed on by the bot as callbacks), the pre-checkout check, and the
 * pricing in whole Stars.
 */
export {
  MAX_PENDING_STARS,
  parseStarsPayload,
  STARS_CURRENCY,
  STARS_INVOICE_TTL_MS,
  STARS_PROVIDER,
  STARS_SECRET_HEADER,
  starsPayload,
  starsProvider,
  type StarsBotApi,
  type StarsOptions,
  type StarsPrice,
} from './stars/provider.js';
export {
  checkStarsPreCheckout,
  type PreCheckoutHost,
  type PreCheckoutQuery,
  type PreCheckoutRefusal,
} from './stars/pre-checkout.js';
export { starsFor } from './stars/stars-amount.js';
