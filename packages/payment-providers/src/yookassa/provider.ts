import { PaymentProviderUnavailableError, PaymentSignatureError, type PaymentProvider } from '@panelkit/sdk';
import type { PaymentSignal, SavedPaymentMethodReport } from '@panelkit/sdk/payments';
import { fromMinorUnits, toMinorUnits } from '../core/money.js';
import { readNow, type ReadWhenNeeded } from '../core/read-when-needed.js';
import {
  createPayment,
  createRefund,
  getPayment,
  getRefund,
  listRefunds,
  YooKassaError,
  type YooKassaApi,
  type YooKassaPayment,
  type YooKassaRefund,
} from './api.js';
import { readYooKassaNotification, YOOKASSA_PROVIDER, yookassaUnavailable } from './notification.js';

/** The currency YooKassa takes: roubles. */
export const YOOKASSA_CURRENCY = 'RUB';
/**
 * The ways to pay the buyer picks from: `smart` (YooKassa's smart payment page: every method the owner has on, cards,
 * SberPay, T-Pay, ЮMoney, SBP) or `sbp` (straight to the SBP page: `payment_method_data.type = sbp`).
 */
export const YOOKASSA_METHODS = ['smart', 'sbp'] as const;
/** Payments one buyer may have waiting at once. */
export const MAX_PENDING_YOOKASSA = 5;
/** How long a payment waits before the SDK's sweep closes it (YooKassa cancels unpaid ones after about an hour). */
export const YOOKASSA_PENDING_TTL_MS = 2 * 3_600_000;

/**
 * The 54-FZ receipt as the owner set it up: sent with every payment when on, with the owner's VAT code (1–6), to
 * the buyer's e-mail (or phone), or to `fallbackEmail` for a buyer who gave neither (one who only ever used the
 * Telegram bot): the owner's own address, where the receipt is kept, as Russian shops' bots do.
 */
export interface YooKassaReceipts {
  enabled: boolean;
  vatCode: number;
  fallbackEmail?: string | null;
}

/** Options of {@link yookassaProvider}. */
export interface YooKassaOptions {
  /** The API and credentials (or a function reading them when needed; `null` while YooKassa is off or not set up). */
  api: ReadWhenNeeded<YooKassaApi | null>;
  /** Where the buyer comes back to when a payment names none (and after confirming an off-session charge). */
  callbackUrl: (paymentId: string) => string;
  /** The 54-FZ receipt settings (default: no receipts). */
  receipts?: ReadWhenNeeded<YooKassaReceipts>;
  /** Where a buyer's receipt goes: their e-mail or phone (needed with receipts on; default: neither, the `fallbackEmail`). */
  contactOf?: (customerId: string) => Promise<{ email: string | null; phone: string | null }>;
}

const NO_RECEIPTS: YooKassaReceipts = { enabled: false, vatCode: 1 };

/** The key of an engine refund, kept in the refund's metadata so a later attempt finds it. */
const REFUND_KEY = 'refundKey';

/** The method YooKassa saved with a payment, as the buyer recognises it ("Bank card *4444", "SBP"), with its id to charge. */
function savedMethodOf(payment: YooKassaPayment): SavedPaymentMethodReport | undefined {
  const method = payment.payment_method;
  if (method === undefined || !method.saved) return undefined;
  const label = (method.title ?? method.type).slice(0, 100);
  return { ref: method.id, label: label.includes(method.id) ? method.type : label };
}

/** YooKassa's word on a refund as the engine's outcome. */
function refundOutcome(refund: YooKassaRefund) {
  if (refund.status === 'succeeded') return { status: 'succeeded' as const, refundRef: refund.id };
  if (refund.status === 'pending') return { status: 'pending' as const, refundRef: refund.id, retryAfterMs: 60_000 };
  return { status: 'failed' as const, refundRef: refund.id, reason: refund.cancellation_details?.reason ?? 'canceled' };
}

/** YooKassa's word on a payment as one signal: only `succeeded` is money, for the amount YooKassa says was paid. */
function signalOf(payment: YooKassaPayment): PaymentSignal {
  const externalRef = payment.id;
  if (payment.status === 'canceled')
    return { externalRef, kind: 'failed', providerStatus: `canceled: ${payment.cancellation_details?.reason ?? 'unknown'}` };
  if (payment.status !== 'succeeded' || !payment.paid) return { externalRef, kind: 'waiting', providerStatus: payment.status };
  const paid = toMinorUnits(payment.amount.value, payment.amount.currency);
  const refunded =
    payment.refunded_amount === undefined ? 0 : (toMinorUnits(payment.refunded_amount.value, payment.refunded_amount.currency) ?? 0);
  if (paid !== null && refunded > 0 && refunded >= paid) return { externalRef, kind: 'refunded', providerStatus: 'refunded' };
  const saved = savedMethodOf(payment);
  return {
    externalRef,
    kind: 'paid',
    ...(paid === null ? {} : { amount: { amount: paid, currency: payment.amount.currency } }),
    providerStatus: 'succeeded',
    ...(saved === undefined ? {} : { savedMethod: saved }),
  };
}

/**
 * YooKassa (ЮKassa), API v3 with Basic auth `shopId:secretKey`: `open` creates a payment with `capture: true` and a
 * redirect confirmation (the smart payment page, or SBP when the buyer picks it; `save_payment_method` when the
 * buyer asks to keep the method; the 54-FZ `receipt` with the owner's VAT code when receipts are on), under the
 * payment's id as its `Idempotence-Key`. Notifications (`payment.succeeded`, `payment.canceled`, `refund.succeeded`)
 * are not signed: one only names a payment, which is then read back from the API (`GET payments/{id}`), and only
 * that answer is believed. Refunds (`POST refunds`, full or partial, a partial one of a payment with a receipt with
 * its refund receipt) and off-session charges of a saved method (`payment_method_id`) carry the engine's idempotency
 * key as theirs; a refund also keeps it in its metadata and is looked up before it is sent again. Amounts are kopecks inside, "100.00" strings
 * only at the edge.
 */
export function yookassaProvider(options: YooKassaOptions): PaymentProvider {
  const apiOf = async (): Promise<YooKassaApi> => {
    const api = await readNow(options.api);
    if (api === null) throw new PaymentProviderUnavailableError(YOOKASSA_PROVIDER, 'YooKassa is not set up');
    return api;
  };
  const readReceipts = async (): Promise<YooKassaReceipts> => (options.receipts === undefined ? NO_RECEIPTS : readNow(options.receipts));
  /** The receipt for `kopecks` of the buyer's service, to their contact (or the owner's fallback); `null` when there is none. */
  const receiptOf = async (
    receipts: YooKassaReceipts,
    customerId: string,
    kopecks: number,
    description: string,
  ): Promise<Record<string, unknown> | null> => {
    const contact = (await options.contactOf?.(customerId)) ?? { email: null, phone: null };
    const customer = contact.email
      ? { email: contact.email }
      : contact.phone
        ? { phone: contact.phone }
        : receipts.fallbackEmail
          ? { email: receipts.fallbackEmail }
          : null;
    if (customer === null) return null;
    return {
      customer,
      items: [
        {
          description: description.slice(0, 128),
          quantity: '1.00',
          amount: { value: fromMinorUnits(kopecks, YOOKASSA_CURRENCY), currency: YOOKASSA_CURRENCY },
          vat_code: receipts.vatCode,
          payment_mode: 'full_prepayment',
          payment_subject: 'service',
        },
      ],
    };
  };
  const receiptFor = async (customerId: string, kopecks: number, description: string): Promise<Record<string, unknown> | null> => {
    const receipts = await readReceipts();
    if (!receipts.enabled) return null;
    const receipt = await receiptOf(receipts, customerId, kopecks, description);
    if (receipt === null) throw new PaymentProviderUnavailableError(YOOKASSA_PROVIDER, 'a receipt needs the buyer’s e-mail or phone');
    return receipt;
  };
  /**
   * The refund receipt a partial refund of a payment that had a receipt needs (the same service and contact, the
   * refund's amount); a full refund takes the payment's own, so it sends none, as YooKassa documents.
   */
  const refundReceiptFor = async (
    api: YooKassaApi,
    request: { payment: { customerId: string; amount: number; externalRef: string | null }; amount: { amount: number } },
  ): Promise<Record<string, unknown> | 'none' | 'missing'> => {
    if (request.amount.amount === request.payment.amount) return 'none';
    const paid = await getPayment(api, request.payment.externalRef ?? '');
    if (paid?.receipt_registration === undefined) return 'none';
    const receipt = await receiptOf(await readReceipts(), request.payment.customerId, request.amount.amount, paid.description ?? '');
    return receipt ?? 'missing';
  };
  return {
    id: YOOKASSA_PROVIDER,
    capabilities: {
      confirmations: ['gateway', 'admin_mark_paid'],
      adminReject: false,
      methods: YOOKASSA_METHODS,
      refunds: { partial: true },
      savedMethods: true,
    },
    maxPending: MAX_PENDING_YOOKASSA,
    pendingTtlMs: YOOKASSA_PENDING_TTL_MS,
    async open(request) {
      if (request.amount.currency !== YOOKASSA_CURRENCY)
        throw new PaymentProviderUnavailableError(YOOKASSA_PROVIDER, `YooKassa takes ${YOOKASSA_CURRENCY}, not ${request.amount.currency}`);
      const api = await apiOf();
      const receipt = await receiptFor(request.customerId, request.amount.amount, request.description);
      const payment = await createPayment(
        api,
        {
          amount: { value: fromMinorUnits(request.amount.amount, YOOKASSA_CURRENCY), currency: YOOKASSA_CURRENCY },
          capture: true,
          confirmation: { type: 'redirect', return_url: request.returnUrl ?? options.callbackUrl(request.paymentId) },
          description: request.description.slice(0, 128),
          metadata: { paymentId: request.paymentId },
          ...(request.method === 'sbp' ? { payment_method_data: { type: 'sbp' } } : {}),
          ...(request.saveMethod ? { save_payment_method: true } : {}),
          ...(receipt === null ? {} : { receipt }),
        },
        request.paymentId,
      ).catch(yookassaUnavailable);
      const url = payment.confirmation?.confirmation_url;
      if (url === undefined)
        throw new PaymentProviderUnavailableError(YOOKASSA_PROVIDER, 'YooKassa gave no page to confirm the payment on');
      return { externalRef: payment.id, redirectUrl: url, details: { method: request.method ?? 'smart' } };
    },
    async parseCallback({ rawBody, body }) {
      const raw = rawBody ?? (typeof body === 'string' ? body : null);
      if (raw === null) throw new PaymentSignatureError(YOOKASSA_PROVIDER, 'no raw body');
      const { payment } = await readYooKassaNotification({ rawBody: raw, api: await apiOf() });
      return signalOf(payment);
    },
    async verify(payment) {
      const externalRef = payment.externalRef ?? '';
      const remote = await getPayment(await apiOf(), externalRef).catch(yookassaUnavailable);
      return remote === null ? { externalRef, kind: 'waiting', providerStatus: 'unknown payment' } : signalOf(remote);
    },
    async refund(request) {
      const api = await apiOf();
      const paymentId = request.payment.externalRef ?? '';
      try {
        // The job may ask again days later, past the 24 hours YooKassa keeps an Idempotence-Key: a refund an
        // earlier attempt made is looked up (by its id, or by the key kept in its metadata), never made twice.
        const known = request.refundRef ? await getRefund(api, request.refundRef) : null;
        const earlier =
          known ?? (await listRefunds(api, paymentId)).find((refund) => refund.metadata?.[REFUND_KEY] === request.idempotencyKey);
        if (earlier !== undefined) return refundOutcome(earlier);
        const receipt = await refundReceiptFor(api, request);
        if (receipt === 'missing')
          return { status: 'failed', refundRef: null, reason: 'a refund receipt needs the buyer’s e-mail or phone' };
        const refund = await createRefund(
          api,
          {
            payment_id: paymentId,
            amount: { value: fromMinorUnits(request.amount.amount, YOOKASSA_CURRENCY), currency: request.amount.currency },
            ...(request.reason === null ? {} : { description: request.reason.slice(0, 250) }),
            metadata: { [REFUND_KEY]: request.idempotencyKey },
            ...(receipt === 'none' ? {} : { receipt }),
          },
          request.idempotencyKey,
        );
        return refundOutcome(refund);
      } catch (error) {
        if (error instanceof YooKassaError && error.kind === 'refused') return { status: 'failed', refundRef: null, reason: error.message };
        return yookassaUnavailable(error);
      }
    },
    async chargeSavedMethod(request) {
      const api = await apiOf();
      try {
        const receipt = await receiptFor(request.customerId, request.amount.amount, request.description);
        const payment = await createPayment(
          api,
          {
            amount: { value: fromMinorUnits(request.amount.amount, YOOKASSA_CURRENCY), currency: request.amount.currency },
            capture: true,
            payment_method_id: request.methodRef,
            // Where the bank sends the buyer when it wants them to confirm this charge.
            confirmation: { type: 'redirect', return_url: options.callbackUrl(request.paymentId) },
            description: request.description.slice(0, 128),
            metadata: { paymentId: request.paymentId },
            ...(receipt === null ? {} : { receipt }),
          },
          request.idempotencyKey,
        );
        if (payment.status === 'succeeded') {
          const paid = toMinorUnits(payment.amount.value, payment.amount.currency);
          return {
            status: 'succeeded',
            externalRef: payment.id,
            amount: paid === null ? null : { amount: paid, currency: payment.amount.currency },
          };
        }
        if (payment.status === 'canceled')
          return { status: 'declined', externalRef: payment.id, reason: payment.cancellation_details?.reason ?? 'canceled' };
        const url = payment.confirmation?.confirmation_url;
        if (url !== undefined) return { status: 'requires_action', externalRef: payment.id, actionUrl: url };
        return { status: 'pending', externalRef: payment.id };
      } catch (error) {
        if (error instanceof YooKassaError && error.kind === 'refused')
          return { status: 'declined', externalRef: null, reason: error.message };
        return yookassaUnavailable(error);
      }
    },
  };
}
