import { PaymentProviderUnavailableError, type PaymentProvider } from '@panelkit/sdk';
import type { PaymentSignal } from '@panelkit/sdk/payments';
import { GatewayKeyRefusedError, keyRefusalIn } from '../core/key-refused.js';
import { fromMinorUnits, toMinorUnits } from '../core/money.js';
import { readNow, type ReadWhenNeeded } from '../core/read-when-needed.js';
import { readSetUp } from '../core/set-up.js';
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
import { EPAY_CURRENCY, EPAY_PROVIDER, EPAY_TRADE_SUCCESS, readEpayNotify } from './notify.js';

/** Orders one buyer may have waiting at once. */
export const MAX_PENDING_EPAY = 5;
/** How long an order waits to be paid before the SDK's sweep closes it (after one last query of the gateway). */
export const EPAY_ORDER_TTL_MS = 2 * 3_600_000;

/** Options of {@link epayProvider}. */
export interface EpayOptions {
  /** The gateway, or a function reading it when needed (the merchant may change it); `null` while EPay is off. */
  api: ReadWhenNeeded<EpayApi | null>;
  /** Where the gateway sends its asynchronous notify (the host's public notify route). */
  notifyUrl: ReadWhenNeeded<string>;
  /** Where the buyer comes back to when a payment names no return address. */
  callbackUrl: (paymentId: string) => string;
}

// A wrong merchant key is carried as the cause, for the host to tell the buyer and the merchant what is wrong.
const unavailable = (error: unknown): never => {
  if (error instanceof EpayError || error instanceof GatewayKeyRefusedError)
    throw new PaymentProviderUnavailableError(EPAY_PROVIDER, error.message, { cause: error });
  throw error;
};

/** The gateway's answer to an order query as one signal: only a paid order is money, for what the gateway says was paid. */
function signalOfOrder(order: EpayOrderState): PaymentSignal {
  if (!order.paid) return { externalRef: order.outTradeNo, kind: 'waiting', providerStatus: 'unpaid' };
  const fen = order.money === null ? null : toMinorUnits(order.money, EPAY_CURRENCY);
  // A paid order whose amount cannot be read is not credited blind: an admin looks at it.
  return fen === null
    ? { externalRef: order.outTradeNo, kind: 'waiting', providerStatus: 'paid, amount unreadable' }
    : { externalRef: order.outTradeNo, kind: 'paid', amount: { amount: fen, currency: EPAY_CURRENCY }, providerStatus: EPAY_TRADE_SUCCESS };
}

/**
 * EPay (易支付), the protocol hundreds of Chinese payment providers speak, for Alipay and WeChat Pay in yuan. `open`
 * numbers the order with the payment's id (`out_trade_no`) and sends the buyer to the gateway's cashier (`submit.php`,
 * signed), or asks `mapi.php` for a pay link or QR code. The asynchronous notify is read by {@link readEpayNotify}
 * (the callback's `query`, and its `rawBody` or `body` where the gateway posts a form); its `money` must be the
 * payment's (the engine leaves another amount for an admin). `verify` asks the order query API (`api.php?act=order`):
 * on the buyer's return and from the sweep when a notify never came. EPay has no refund API: refunds happen in the
 * gateway's own back office.
 */
export function epayProvider(options: EpayOptions): PaymentProvider {
  const apiOf = () => readSetUp(options.api, EPAY_PROVIDER, 'EPay');
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
        notifyUrl: await readNow(options.notifyUrl),
        returnUrl: request.returnUrl ?? options.callbackUrl(request.paymentId),
        name: request.description,
        money: fromMinorUnits(request.amount.amount, EPAY_CURRENCY),
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
    async parseCallback(callback) {
      const api = await apiOf();
      return readEpayNotify({ query: callback.query, body: callback.rawBody ?? callback.body }, api);
    },
    async verify(payment) {
      const externalRef = payment.externalRef ?? '';
      const order = await queryOrder(await apiOf(), externalRef).catch(unavailable);
      return order === null ? { externalRef, kind: 'waiting', providerStatus: 'unknown order' } : signalOfOrder(order);
    },
  };
}
