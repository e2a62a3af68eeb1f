import { timingSafeEqual } from 'node:crypto';
import { PaymentProviderUnavailableError, PaymentSignatureError, type PaymentProvider } from '@panelkit/sdk';
import type { PaymentSignal } from '@panelkit/sdk/payments';
import { z } from 'zod';
import { headerOf } from '../core/headers.js';
import { readNow, type ReadWhenNeeded } from '../core/read-when-needed.js';
import { starsFor } from './stars-amount.js';

/** The provider id Stars payments are recorded under. */
export const STARS_PROVIDER = 'stars';
/** Telegram's currency code for Stars. */
export const STARS_CURRENCY = 'XTR';
/** Unpaid Stars invoices one buyer may have at once. */
export const MAX_PENDING_STARS = 5;
/** How long an unpaid invoice stays payable: after it, the pre-checkout check refuses it. */
export const STARS_INVOICE_TTL_MS = 24 * 3_600_000;
/**
 * The header a Stars callback carries: the update reached the host from Telegram (long polling, or the
 * webhook with its secret), and the host's bot hands it on with this secret. Anything else is forged.
 */
export const STARS_SECRET_HEADER = 'x-panelkit-stars-secret';

/** One price line of a Stars invoice: a label and whole Stars. */
export interface StarsPrice {
  label: string;
  amount: number;
}

/**
 * The two Bot API calls Stars need, made by the host's bot (any library: grammY's `Api` fits as it is): make an
 * invoice link (`createInvoiceLink`, currency `XTR`, no provider token) and give Stars back (`refundStarPayment`).
 * A refusal by Telegram is thrown with the Bot API's own `error_code` and `description` (as grammY's `GrammyError`
 * and most libraries do); anything else thrown is an outage.
 */
export interface StarsBotApi {
  /** `createInvoiceLink`: the link of a new invoice. */
  createInvoiceLink(
    title: string,
    description: string,
    payload: string,
    providerToken: string,
    currency: string,
    prices: readonly StarsPrice[],
  ): Promise<string>;
  /** `refundStarPayment`: gives the Stars of a charge back to the user who paid. */
  refundStarPayment(userId: number, telegramPaymentChargeId: string): Promise<unknown>;
}

/** A refusal as the Bot API answers one (`ok: false` with a code and a description), thrown by the host's bot library. */
function botApiRefusal(error: unknown): { code: number; description: string } | null {
  if (error === null || typeof error !== 'object') return null;
  const { error_code: code, description } = error as { error_code?: unknown; description?: unknown };
  return typeof code === 'number' && typeof description === 'string' ? { code, description } : null;
}

/** Telegram's answer when the charge was refunded already: the refund is done, whoever did it. */
const ALREADY_REFUNDED = /CHARGE_ALREADY_REFUNDED/i;

/** Options of {@link starsProvider}. */
export interface StarsOptions {
  /**
   * The rate in Stars per unit of the payment's currency (a decimal string of at most four decimals), or a function
   * reading it when needed; `null` while Stars are off.
   */
  rate: ReadWhenNeeded<string | null>;
  /** The bot's API calls, or a function giving them; `null` when the host has no bot (Stars cannot be taken then). */
  api: ReadWhenNeeded<StarsBotApi | null>;
  /** The secret the bot's Stars callbacks carry in {@link STARS_SECRET_HEADER}. */
  callbackSecret: string;
  /**
   * The Telegram user who paid the customer's Stars (their linked account: {@link checkStarsPreCheckout} lets only
   * them pay), or `null` when none is linked. A refund goes back to them.
   */
  payerOf: (customerId: string) => Promise<number | null>;
}

/**
 * An invoice's payload: the payment's id and the Stars it costs. Telegram hands it back unchanged on the
 * pre-checkout query and the successful payment, and only this bot's token can make an invoice with it.
 */
export function starsPayload(paymentId: string, stars: number): string {
  return `${paymentId}:${stars}`;
}

/** The payment id and Stars of a payload, or `null` for one no {@link starsPayload} made. */
export function parseStarsPayload(payload: string): { paymentId: string; stars: number } | null {
  const match = /^(pay_[A-Za-z0-9_-]{1,60}):([1-9]\d{0,9})$/.exec(payload);
  return match === null ? null : { paymentId: match[1] as string, stars: Number(match[2]) };
}

const ChargeSchema = z.object({
  currency: z.string(),
  total_amount: z.number().int(),
  invoice_payload: z.string().max(128),
  telegram_payment_charge_id: z.string().min(1).max(200),
});
/** The part of a Telegram message a Stars callback carries: who paid, and the payment or its refund. */
const StarsMessageSchema = z.object({
  from: z.object({ id: z.number().int() }),
  successful_payment: ChargeSchema.optional(),
  refunded_payment: ChargeSchema.optional(),
});

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Telegram Stars: `open` prices the top-up in Stars at the owner's rate and makes an invoice link
 * (currency `XTR`, payload {@link starsPayload}); the bot sends the same invoice in the chat. A payment is
 * confirmed by Telegram's `successful_payment`, handed on by the bot as a callback: keyed by Telegram's
 * `telegram_payment_charge_id` (the SDK's settlement reference), so the same charge delivered again, under
 * any update id, on any replica, credits once. A `refunded_payment` reverses it. A charge whose Stars are
 * not the invoice's is a mismatch left for an admin. Refunds (whole payments only) go back through
 * `refundStarPayment`: Telegram refunds a charge once and answers `CHARGE_ALREADY_REFUNDED` after, so the SDK's
 * refund job asking again (a lost answer, another replica) is the same refund.
 */
export function starsProvider(options: StarsOptions): PaymentProvider {
  return {
    id: STARS_PROVIDER,
    capabilities: { confirmations: ['gateway'], adminReject: false, refunds: { partial: false } },
    maxPending: MAX_PENDING_STARS,
    pendingTtlMs: STARS_INVOICE_TTL_MS,
    async open(request) {
      const api = await readNow(options.api);
      const rate = await readNow(options.rate);
      if (api === null || rate === null) throw new PaymentProviderUnavailableError(STARS_PROVIDER, 'Telegram Stars are not set up');
      const stars = starsFor(request.amount.amount, request.amount.currency, rate);
      const payload = starsPayload(request.paymentId, stars);
      try {
        const link = await api.createInvoiceLink(request.description, request.description, payload, '', STARS_CURRENCY, [
          { label: request.description, amount: stars },
        ]);
        return { externalRef: payload, redirectUrl: link, details: { stars, invoiceLink: link } };
      } catch (error) {
        throw new PaymentProviderUnavailableError(STARS_PROVIDER, 'Telegram did not make the invoice', { cause: error });
      }
    },
    async refund({ payment }) {
      const charge = payment.details['settlementRef'];
      if (typeof charge !== 'string') return { status: 'failed', refundRef: null, reason: 'the payment names no Telegram charge' };
      const api = await readNow(options.api);
      if (api === null) throw new PaymentProviderUnavailableError(STARS_PROVIDER, 'the host has no bot to refund Stars with');
      const payer = await options.payerOf(payment.customerId);
      if (payer === null) return { status: 'failed', refundRef: null, reason: 'the buyer has no linked Telegram account' };
      try {
        await api.refundStarPayment(payer, charge);
      } catch (error) {
        const refusal = botApiRefusal(error);
        if (refusal !== null && ALREADY_REFUNDED.test(refusal.description)) return { status: 'succeeded', refundRef: charge };
        // Telegram refusing the refund itself (a charge not of this user, say) is final; anything else is retried.
        if (refusal?.code === 400) return { status: 'failed', refundRef: null, reason: refusal.description };
        throw new PaymentProviderUnavailableError(STARS_PROVIDER, 'Telegram did not answer the refund', { cause: error });
      }
      return { status: 'succeeded', refundRef: charge };
    },
    async parseCallback({ headers, body }) {
      if (!sameSecret(headerOf(headers, STARS_SECRET_HEADER), options.callbackSecret))
        throw new PaymentSignatureError(STARS_PROVIDER, 'not handed on by the bot');
      const message = StarsMessageSchema.safeParse(body);
      const charge = message.data?.successful_payment ?? message.data?.refunded_payment;
      if (!message.success || charge === undefined) throw new PaymentSignatureError(STARS_PROVIDER, 'not a Stars payment');
      const invoice = parseStarsPayload(charge.invoice_payload);
      if (invoice === null) throw new PaymentSignatureError(STARS_PROVIDER, 'not an invoice of this provider');
      const signal: PaymentSignal = {
        externalRef: charge.invoice_payload,
        kind: message.data.successful_payment === undefined ? 'refunded' : 'paid',
        settlementRef: charge.telegram_payment_charge_id,
        providerStatus: message.data.successful_payment === undefined ? 'refunded_payment' : 'successful_payment',
      };
      // Telegram charges what the invoice asked; anything else is a mismatch (in Stars, never the payment's currency).
      if (charge.currency !== STARS_CURRENCY || charge.total_amount !== invoice.stars)
        signal.amount = { amount: charge.total_amount, currency: charge.currency };
      return signal;
    },
  };
}
