import { PaymentProviderUnavailableError, PaymentSignatureError, type PaymentProvider } from '@panelkit/sdk';
import type { PaymentSignal } from '@panelkit/sdk/payments';
import { fromMinorUnits, toMinorUnits } from '../core/money.js';
import type { ReadWhenNeeded } from '../core/read-when-needed.js';
import { readSetUp } from '../core/set-up.js';
import { createInvoice, CryptoPayError, getInvoice, type CryptoPayApi, type CryptoPayInvoice } from './api.js';
import { CRYPTOBOT_PROVIDER, readCryptoBotWebhook } from './webhook.js';

/** Invoices one buyer may have waiting at once. */
export const MAX_PENDING_CRYPTOBOT = 5;
/** How long an invoice is payable: Crypto Pay expires it then (`expires_in`), and the SDK's sweep closes the payment. */
export const CRYPTOBOT_INVOICE_TTL_MS = 3_600_000;
/** The fiat currencies Crypto Pay prices invoices in: a shop in another currency cannot offer CryptoBot. */
export const CRYPTOBOT_FIATS: ReadonlySet<string> = new Set([
  'USD',
  'EUR',
  'RUB',
  'BYN',
  'UAH',
  'GBP',
  'CNY',
  'KZT',
  'UZS',
  'GEL',
  'TRY',
  'AMD',
  'THB',
  'INR',
  'BRL',
  'IDR',
  'AZN',
  'AED',
  'PLN',
  'ILS',
]);
/** Options of {@link cryptoBotProvider}. */
export interface CryptoBotOptions {
  /** The API and the app's token, or a function reading them when needed; `null` while CryptoBot is off. */
  api: ReadWhenNeeded<CryptoPayApi | null>;
}

/** Crypto Pay's word on an invoice as one signal: only `paid` is money (the fiat amount it was priced at). */
function signalOf(invoice: CryptoPayInvoice): PaymentSignal {
  const externalRef = String(invoice.invoice_id);
  const kind = invoice.status === 'paid' ? 'paid' : invoice.status === 'expired' ? 'expired' : 'waiting';
  const fiat = invoice.fiat ?? '';
  // Crypto Pay may write more zeros than the currency has decimals ("10.00000000"): they are not money.
  const amount = invoice.amount.includes('.') ? invoice.amount.replace(/\.?0+$/, '') : invoice.amount;
  const minor = invoice.currency_type === 'fiat' && fiat !== '' ? toMinorUnits(amount, fiat) : null;
  return { externalRef, kind, ...(minor === null ? {} : { amount: { amount: minor, currency: fiat } }), providerStatus: invoice.status };
}

const unavailable = (error: unknown): never => {
  if (error instanceof CryptoPayError) throw new PaymentProviderUnavailableError(CRYPTOBOT_PROVIDER, error.message, { cause: error });
  throw error;
};

/**
 * CryptoBot (Telegram's Crypto Pay API): `open` makes an invoice priced in the shop's currency, payable in any
 * crypto in the buyer's `@CryptoBot` wallet (the payment's external reference is the invoice id). A webhook is
 * read by {@link readCryptoBotWebhook} (the callback's `rawBody`, or its `body` as the raw string), and even then
 * Crypto Pay is asked (`getInvoices`) about the invoice it names before anything is credited. Invoices expire after
 * {@link CRYPTOBOT_INVOICE_TTL_MS}. An admin may "mark paid" (a lost webhook), never approve.
 */
export function cryptoBotProvider(options: CryptoBotOptions): PaymentProvider {
  const apiOf = () => readSetUp(options.api, CRYPTOBOT_PROVIDER, 'CryptoBot');
  return {
    id: CRYPTOBOT_PROVIDER,
    capabilities: { confirmations: ['gateway', 'admin_mark_paid'], adminReject: false },
    maxPending: MAX_PENDING_CRYPTOBOT,
    pendingTtlMs: CRYPTOBOT_INVOICE_TTL_MS,
    async open(request) {
      const { currency } = request.amount;
      if (!CRYPTOBOT_FIATS.has(currency))
        throw new PaymentProviderUnavailableError(CRYPTOBOT_PROVIDER, `Crypto Pay does not price in ${currency}`);
      const api = await apiOf();
      const invoice = await createInvoice(api, {
        fiat: currency,
        amount: fromMinorUnits(request.amount.amount, currency),
        description: request.description,
        payload: request.paymentId,
        expiresInS: CRYPTOBOT_INVOICE_TTL_MS / 1000,
        returnUrl: request.returnUrl,
      }).catch(unavailable);
      const externalRef = String(invoice.invoice_id);
      return {
        externalRef,
        redirectUrl: invoice.bot_invoice_url,
        details: { invoiceId: externalRef, invoiceUrl: invoice.bot_invoice_url },
      };
    },
    async parseCallback(callback) {
      const api = await apiOf();
      // A host that does not parse the body may pass it as `body`; the signature is over these exact bytes either way.
      const raw = callback.rawBody ?? callback.body;
      if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) throw new PaymentSignatureError(CRYPTOBOT_PROVIDER, 'no raw body');
      const { invoiceId } = readCryptoBotWebhook({ rawBody: raw, headers: callback.headers, token: api.token });
      // The webhook says which invoice; only Crypto Pay's own answer says what became of it.
      const remote = await getInvoice(api, invoiceId).catch(unavailable);
      if (remote === null) throw new PaymentSignatureError(CRYPTOBOT_PROVIDER, 'an invoice Crypto Pay does not know');
      return signalOf(remote);
    },
    async verify(payment) {
      const externalRef = payment.externalRef ?? '';
      const remote = await getInvoice(await apiOf(), externalRef).catch(unavailable);
      return remote === null ? { externalRef, kind: 'waiting' } : signalOf(remote);
    },
  };
}
