/**
 * CryptoBot (Telegram's Crypto Pay API): the provider, the framework-free webhook check, the signature and the API
 * calls (fiat-priced invoices payable in any crypto of the buyer's `@CryptoBot` wallet).
 */
export {
  CRYPTOBOT_FIATS,
  CRYPTOBOT_INVOICE_TTL_MS,
  cryptoBotProvider,
  MAX_PENDING_CRYPTOBOT,
  type CryptoBotOptions,
} from './cryptobot/provider.js';
export {
  CRYPTOBOT_PROVIDER,
  CRYPTOBOT_SIGNATURE_HEADER,
  readCryptoBotWebhook,
  type CryptoBotWebhook,
} from './cryptobot/webhook.js';
export { cryptoPaySignature, verifyCryptoPaySignature } from './cryptobot/signature.js';
export {
  createInvoice,
  CryptoPayError,
  CryptoPayInvoiceSchema,
  getInvoice,
  INVOICE_STATUSES,
  type CryptoPayApi,
  type CryptoPayInvoice,
} from './cryptobot/api.js';
