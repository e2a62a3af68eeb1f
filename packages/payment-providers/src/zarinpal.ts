/**
 * Zarinpal (Iranian cards, in rials): the provider (redirect, then a server-to-server verify) and the API calls.
 */
export { ZARINPAL_CURRENCY, ZARINPAL_PROVIDER, zarinpalProvider, type ZarinpalOptions } from './zarinpal/provider.js';
export {
  requestPayment,
  startPayUrl,
  verifyPayment,
  ZarinpalUnreachableError,
  type VerifyAnswer,
  type ZarinpalApi,
} from './zarinpal/api.js';
