import { PaymentProviderUnavailableError, PaymentSignatureError, type PaymentProvider } from '@panelkit/sdk';
import type { PaymentSignal } from '@panelkit/sdk/payments';
import { parseMajorAmount } from '../../../i18n/format.js';
import {
  createMapiOrder,
  EPAY_METHODS,
  EpayError,
  queryOrder,
  submitUrl,
  type EpayApi,
  type EpayMethod,
  type EpayOrderState,
} from './api.js';
import { verifyEpaySign } from './signature.js';
import { GatewayKeyRefusedError, keyRefusalIn } from '@panelkit/payment-providers';

/** The provider id EPay payments are recorded under. */
export const EPAY_PROVIDER = 'epay';
/** The one currency EPay gateways take: yuan (`money` in yuan with two decimals). */
export const EPAY_CURRENCY = 'CNY';
/** Orders one buyer may have waiting at once. */
export const MAX_PENDING_EPAY = 5;
/** How long an order waits to be paid before the SDK's sweep closes it (after one last query of the gateway). */
export const EPAY_ORDER_TTL_MS = 2 * 3_600_000;
/** The only `trade_status` that is money: the buyer paid. */
export const EPAY_TRADE_SUCCESS = 'TRADE_SUCCESS';

/** Options of `epayProvider`. */
export interface EpayOptions {
  /** The gateway as the owner set it up, read when needed; `null` while EPay is off or not set up. */
  api: () => Promise<EpayApi | null> | EpayApi | null;
  /** Where the gateway sends its asynchronous notify (the shop's public `/payments/epay/notify`). */
  notifyUrl: () => string;
  /** Where the buyer comes back to when a payment names no return address. */
  callbackUrl: (paymentId: string) => string;
}

/** Yuan as EPay writes them ("12.50") from fen. */
export function yuanOf(fen: number): string {
  return (fen / 100).toFixed(2);
}

// A wrong merchant key is carried as the cause, for the shop to tell the buyer and the owner what is wrong.
const unavailable = (error: unknown): never => {
  if (error instanceof EpayError || error instanceof GatewayKeyRefusedError)
    throw new PaymentProviderUnavailableError(EPAY_PROVIDER, error.message, { cause: error });
  throw error;
};

/** A notify's or a query's amount as money, or `null` when it is not an amount in yuan. */
function paidAmount(money: string | null | undefined): { amount: number; currency: string } | null {
  const fen = typeof money === 'string' ? parseMajorAmount(money, EPAY_CURRENCY) : null;
  return fen === null ? null : { amount: fen, currency: EPAY_CURRENCY };
}

/** The gateway's answer to an order query as one signal: only a paid order is money, for what the gateway says was paid. */
function signalOfOrder(order: EpayOrderState): PaymentSignal {
  if (!order.paid) return { externalRef: order.outTradeNo, kind: 'waiting', providerStatus: 'unpaid' };
  const amount = paidAmount(order.money);
  // A paid order whose amount cannot be read is not credited blind: an admin looks at it.
  return amount === null
    ? { externalRef: order.outTradeNo, kind: 'waiting', providerStatus: 'paid, amount unreadable' }
    : { externalRef: order.outTradeNo, kind: 'paid', amount, providerStatus: EPAY_TRADE_SUCCESS };
}

/** A notify's parameters: the query (EPay notifies by GET) and a form body's, as strings. */
function notifyParams(query: Readonly<Record<string, string | undefined>>, body: unknown): Record<string, string> {
  const params: Record<string, string> = {};
  const add = (source: unknown) => {
    if (source === null || typeof source !== 'object') return;
    for (const [name, value] of Object.entries(source)) if (typeof value === 'string') params[name] = value;
  };
  add(query);
  add(body);
  return params;
}

/**
 * EPay (易支付), the protocol hundreds of Chinese payment providers speak, for Alipay and WeChat Pay in yuan. `open`
 * numbers the order with the payment's id (`out_trade_no`) and sends the buyer to the gateway's cashier (`submit.php`,
 * signed), or asks `mapi.php` for a pay link or QR code. The asynchronous notify is read only with its MD5 `sign`
 * (every parameter but `sign`/`sign_type` and empty ones, sorted, `k=v&…`, the merchant key appended) and this
 * merchant's `pid`; only `trade_status=TRADE_SUCCESS` is money, and its `money` must be the payment's (the engine
 * leaves another amount for an admin). `verify` asks the order query API (`api.php?act=order`): on the buyer's
 * return and from the shop's sweep when a notify never came. EPay has no refund API: refunds happen in the
 * gateway's own back office, and the shop records them with an order refund in the ledger.
 */
export function epayProvider(options: EpayOptions): PaymentProvider {
  const apiOf = async (): Promise<EpayApi> => {
    const api = await options.api();
    if (api === null) throw new PaymentProviderUnavailableError(EPAY_PROVIDER, 'EPay is not set up');
    return api;
  };
  return {
    id: EPAY_PROVIDER,
    capabilities: { confirmations: ['gateway', 'admin_mark_paid'], adminReject: false, methods: EPAY_METHODS },
    maxPending: MAX_PENDING_EPAY,
    pendingTtlMs: EPAY_ORDER_TTL_MS,
    async open(request) {
      if (request.amount.currency !== EPAY_CURRENCY)
        throw new PaymentProviderUnavailableError(EPAY_PROVIDER, `EPay takes ${EPAY_CURRENCY}, not ${request.amount.currency}`);
      const api = await apiOf();
      const method: EpayMethod = request.method === 'wxpay' ? 'wxpay' : 'alipay';
      const order = {
        type: method,
        outTradeNo: request.paymentId,
        notifyUrl: options.notifyUrl(),
        returnUrl: request.returnUrl ?? options.callbackUrl(request.paymentId),
        name: request.description,
        money: yuanOf(request.amount.amount),
      };
      if (api.mode === 'submit') {
        // The cashier page makes the order only when the buyer opens it: the gateway is asked first (the order query,
        // for the order it cannot know yet), so a gateway that is down or refuses the merchant's key is refused here,
        // not on the buyer's screen.
        await queryOrder(api, request.paymentId).catch(unavailable);
        return { externalRef: request.paymentId, redirectUrl: submitUrl(api, order), details: { method } };
      }
      const made = await createMapiOrder(api, order)
        // mapi.php refuses a wrong key only as a failed signature (`code` -1, like any refusal): the order query says
        // whether the key is the cause.
        .catch(async (error: unknown) => {
          if (!(error instanceof EpayError)) throw error;
          const refusal = await queryOrder(api, request.paymentId).then(() => null, keyRefusalIn);
          throw refusal ?? error;
        })
        .catch(unavailable);
      return {
        externalRef: request.paymentId,
        redirectUrl: made.payUrl ?? made.qrCode,
        details: {
          method,
          ...(made.tradeNo === null ? {} : { tradeNo: made.tradeNo }),
          ...(made.qrCode === null ? {} : { qrCode: made.qrCode }),
        },
      };
    },
    async parseCallback({ query, body }) {
      const api = await apiOf();
      const params = notifyParams(query, body);
      if (!verifyEpaySign(params, api.key)) throw new PaymentSignatureError(EPAY_PROVIDER, 'bad signature');
      if (params['pid'] !== api.pid) throw new PaymentSignatureError(EPAY_PROVIDER, 'a notify for another merchant');
      const externalRef = params['out_trade_no'] ?? '';
      if (externalRef === '') throw new PaymentSignatureError(EPAY_PROVIDER, 'a notify naming no order');
      const status = params['trade_status'] ?? '';
      if (status !== EPAY_TRADE_SUCCESS) return { externalRef, kind: 'waiting', providerStatus: status || 'none' };
      const amount = paidAmount(params['money']);
      if (amount === null) throw new PaymentSignatureError(EPAY_PROVIDER, 'a notify with no readable amount');
      return { externalRef, kind: 'paid', amount, providerStatus: EPAY_TRADE_SUCCESS };
    },
    async verify(payment) {
      const externalRef = payment.externalRef ?? '';
      const order = await queryOrder(await apiOf(), externalRef).catch(unavailable);
      return order === null ? { externalRef, kind: 'waiting', providerStatus: 'unknown order' } : signalOfOrder(order);
    },
  };
}

/** Whether `value` is one of EPay's ways to pay. */
export function isEpayMethod(value: unknown): value is EpayMethod {
  return typeof value === 'string' && (EPAY_METHODS as readonly string[]).includes(value);
}
