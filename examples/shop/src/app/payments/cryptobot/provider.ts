import { PaymentProviderUnavailableError, PaymentSignatureError, type PaymentProvider } from '@panelkit/sdk';
import type { PaymentSignal } from '@panelkit/sdk/payments';
import { z } from 'zod';
import { minorDigits } from '../../../i18n/format.js';
import { createInvoice, CryptoPayError, getInvoice, type CryptoPayApi, type CryptoPayInvoice } from './api.js';
import { verifyCryptoPaySignature } from './signature.js';

/** The provider id CryptoBot payments are recorded under. */
export const CRYPTOBOT_PROVIDER = 'cryptobot';
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
/** The header Crypto Pay signs its webhooks in. */
export const CRYPTOBOT_SIGNATURE_HEADER = 'crypto-pay-api-signature';

const WebhookSchema = z.object({
  update_type: z.string(),
  payload: z.object({ invoice_id: z.number().int() }),
});

const toMinor = (major: string, currency: string): number => {
  const digits = minorDigits(currency);
  const [whole = '0', fraction = ''] = major.split('.');
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0').slice(0, digits) || '0');
};

/** Crypto Pay's word on an invoice as one signal: only `paid` is money (the fiat amount it was priced at). */
function signalOf(invoice: CryptoPayInvoice): PaymentSignal {
  const externalRef = String(invoice.invoice_id);
  const kind = invoice.status === 'paid' ? 'paid' : invoice.status === 'expired' ? 'expired' : 'waiting';
  const fiat = invoice.fiat ?? '';
  return {
    externalRef,
    kind,
    ...(invoice.currency_type === 'fiat' && fiat !== '' ? { amount: { amount: toMinor(invoice.amount, fiat), currency: fiat } } : {}),
    providerStatus: invoice.status,
  };
}

const unavailable = (error: unknown): never => {
  if (error instanceof CryptoPayError) throw new PaymentProviderUnavailableError(CRYPTOBOT_PROVIDER, error.message, { cause: error });
  throw error;
};

/**
 * CryptoBot (Telegram's Crypto Pay API): `open` makes an invoice priced in the shop's currency, payable in any
 * crypto in the buyer's @CryptoBot wallet (the payment's external reference is the invoice id). A webhook is
 * read only with its `crypto-pay-api-signature` (HMAC-SHA256 of the raw body, keyed by the SHA-256 of the app's
 * token: the callback's `body` must be the raw body as a string), and even then the shop asks Crypto Pay
 * (`getInvoices`) about the invoice it names before anything is credited. Invoices expire after
 * {@link CRYPTOBOT_INVOICE_TTL_MS}. An admin may "mark paid" (a lost webhook), never approve.
 */
export function cryptoBotProvider(options: { api: () => Promise<CryptoPayApi | null> | CryptoPayApi | null }): PaymentProvider {
  const apiOf = async (): Promise<CryptoPayApi> => {
    const api = await options.api();
    if (api === null) throw new PaymentProviderUnavailableError(CRYPTOBOT_PROVIDER, 'CryptoBot is not set up');
    return api;
  };
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
      const digits = minorDigits(currency);
      const invoice = await createInvoice(api, {
        fiat: currency,
        amount: (request.amount.amount / 10 ** digits).toFixed(digits),
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
    async parseCallback({ headers, body }) {
      const api = await apiOf();
      if (typeof body !== 'string' || !verifyCryptoPaySignature(body, headers[CRYPTOBOT_SIGNATURE_HEADER], api.token))
        throw new PaymentSignatureError(CRYPTOBOT_PROVIDER, 'bad signature');
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new PaymentSignatureError(CRYPTOBOT_PROVIDER, 'not JSON');
      }
      const update = WebhookSchema.safeParse(parsed);
      if (!update.success) throw new PaymentSignatureError(CRYPTOBOT_PROVIDER, 'not a Crypto Pay update');
      const invoiceId = String(update.data.payload.invoice_id);
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
