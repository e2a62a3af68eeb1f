/**
 * YooKassa (ЮKassa): cards, SBP and the rest of its smart payment page in roubles, saved methods charged
 * off-session, 54-FZ receipts, partial refunds, and notifications believed only once read back from its API.
 */
export { YOOKASSA_API_BASE, YooKassaError, type YooKassaApi, type YooKassaPayment, type YooKassaRefund } from './yookassa/api.js';
export { YOOKASSA_PROVIDER, readYooKassaNotification, type YooKassaNotice } from './yookassa/notification.js';
export {
  YOOKASSA_CURRENCY,
  YOOKASSA_METHODS,
  yookassaProvider,
  type YooKassaOptions,
  type YooKassaReceipts,
} from './yookassa/provider.js';
