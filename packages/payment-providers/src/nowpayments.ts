/**
 * NOWPayments (crypto invoices): the provider, the framework-free IPN check, the signature and the API calls (hosted
 * invoices, a payment read back).
 */
export { INVOICE_TTL_MS, MAX_PENDING_INVOICES, nowPaymentsProvider, type NowPaymentsOptions } from './nowpayments/provider.js';
export {
  NOWPAYMENTS_PAYMENT_ID,
  NOWPAYMENTS_PROVIDER,
  NOWPAYMENTS_SIGNATURE_HEADER,
  readNowPaymentsIpn,
  type NowPaymentsIpnInput,
} from './nowpayments/ipn.js';
export { ipnSignature, sortedJson, verifyIpnSignature } from './nowpayments/signature.js';
export {
  createInvoice,
  getPayment,
  NOWPAYMENTS_STATUSES,
  NowPaymentsError,
  NowPaymentsPaymentSchema,
  type NowPaymentsApi,
  type NowPaymentsPayment,
} from './nowpayments/api.js';
