import { PaymentSignatureError } from '@panelkit/sdk';
import type { PaymentSignal } from '@panelkit/sdk/payments';
import { textOf } from '../core/body.js';
import { toMinorUnits } from '../core/money.js';
import { verifyEpaySign } from './signature.js';

/** The provider id EPay payments are recorded under. */
export const EPAY_PROVIDER = 'epay';
/** The one currency EPay gateways take: yuan (`money` in yuan with two decimals). */
export const EPAY_CURRENCY = 'CNY';
/** The only `trade_status` that is money: the buyer paid. */
export const EPAY_TRADE_SUCCESS = 'TRADE_SUCCESS';

/** A notify as it reached the host: its query string (EPay notifies by GET) and, where the gateway posts, the form body. */
export interface EpayNotifyInput {
  /** The query's values, or the raw query string (with or without `?`). */
  query?: Readonly<Record<string, string | undefined>> | string;
  /** A posted form: the raw `application/x-www-form-urlencoded` body, or its values already parsed. */
  body?: unknown;
}

function valuesOf(source: unknown): Record<string, string> {
  if (typeof source === 'string' || source instanceof Uint8Array) return Object.fromEntries(new URLSearchParams(textOf(source)));
  const values: Record<string, string> = {};
  if (source === null || typeof source !== 'object') return values;
  for (const [name, value] of Object.entries(source)) if (typeof value === 'string') values[name] = value;
  return values;
}

/** A notify's parameters: the query's and a form body's, as strings (the body's win, as a gateway posting them means them). */
export function epayNotifyParams(input: EpayNotifyInput): Record<string, string> {
  return { ...valuesOf(input.query), ...valuesOf(input.body) };
}

/**
 * An EPay notify checked, framework-free: its MD5 `sign` under the merchant's key and its `pid` must be this
 * merchant's, or it is refused with `PaymentSignatureError` (answer the gateway `fail`, change nothing). A verified
 * notify is one signal: only `trade_status=TRADE_SUCCESS` is money, for the `money` it names in fen; anything else is
 * `waiting`. The order it names is `externalRef` (the payment's id, as `epayProvider` numbers orders).
 */
export function readEpayNotify(input: EpayNotifyInput, merchant: { pid: string; key: string }): PaymentSignal {
  const params = epayNotifyParams(input);
  if (!verifyEpaySign(params, merchant.key)) throw new PaymentSignatureError(EPAY_PROVIDER, 'bad signature');
  if (params['pid'] !== merchant.pid) throw new PaymentSignatureError(EPAY_PROVIDER, 'a notify for another merchant');
  const externalRef = params['out_trade_no'] ?? '';
  if (externalRef === '') throw new PaymentSignatureError(EPAY_PROVIDER, 'a notify naming no order');
  const status = params['trade_status'] ?? '';
  if (status !== EPAY_TRADE_SUCCESS) return { externalRef, kind: 'waiting', providerStatus: status || 'none' };
  const fen = typeof params['money'] === 'string' ? toMinorUnits(params['money'], EPAY_CURRENCY) : null;
  if (fen === null) throw new PaymentSignatureError(EPAY_PROVIDER, 'a notify with no readable amount');
  return { externalRef, kind: 'paid', amount: { amount: fen, currency: EPAY_CURRENCY }, providerStatus: EPAY_TRADE_SUCCESS };
}
