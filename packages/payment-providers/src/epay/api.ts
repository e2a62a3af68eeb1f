import { z } from 'zod';
import { GatewayKeyRefusedError } from '../core/key-refused.js';
import { epaySign } from './signature.js';

/**
 * How the buyer reaches the payment: `submit` sends them to the gateway's own cashier page (`submit.php`, a signed
 * redirect); `mapi` asks the gateway server to server (`mapi.php`) for a pay link or a QR code the shop shows.
 */
export const EPAY_MODES = ['submit', 'mapi'] as const;
/** One of {@link EPAY_MODES}. */
export type EpayMode = (typeof EPAY_MODES)[number];

/** The ways to pay EPay offers the shop's buyers, in EPay's words (`type`): Alipay and WeChat Pay. */
export const EPAY_METHODS = ['alipay', 'wxpay'] as const;
/** One of {@link EPAY_METHODS}. */
export type EpayMethod = (typeof EPAY_METHODS)[number];

/** An EPay gateway as the merchant set it up: its address, the merchant id (`pid`), the merchant key, and how buyers pay. */
export interface EpayApi {
  /** The gateway's address (its `submit.php`, `mapi.php` and `api.php` are under it). */
  baseUrl: string;
  /** The merchant id (`pid`). */
  pid: string;
  /** The merchant key: signs requests and notifies, and goes in the order query. */
  key: string;
  /** How the buyer reaches the payment; see {@link EPAY_MODES}. */
  mode: EpayMode;
}

/** A failed call to the gateway: unreachable, an HTTP error, a refusal (`code` not 1), or an answer of another shape. */
export class EpayError extends Error {
  /** @param message what went wrong, for logs. */
  constructor(message: string) {
    super(message);
    this.name = 'EpayError';
  }
}

/** An order as the shop asks the gateway for it. `money` is in yuan with two decimals ("12.50"). */
export interface EpayOrder {
  /** The way to pay. */
  type: EpayMethod;
  /** The merchant's order number (the payment's id). */
  outTradeNo: string;
  /** Where the gateway sends its asynchronous notify. */
  notifyUrl: string;
  /** Where the buyer comes back to. */
  returnUrl: string;
  /** What the cashier shows (cut to 100 characters). */
  name: string;
  /** Yuan with two decimals. */
  money: string;
}

const endpoint = (api: EpayApi, file: string): URL => new URL(file, api.baseUrl.endsWith('/') ? api.baseUrl : `${api.baseUrl}/`);

function signed(api: EpayApi, params: Record<string, string>): Record<string, string> {
  return { ...params, sign: epaySign(params, api.key), sign_type: 'MD5' };
}

function orderParams(api: EpayApi, order: EpayOrder): Record<string, string> {
  return {
    pid: api.pid,
    type: order.type,
    out_trade_no: order.outTradeNo,
    notify_url: order.notifyUrl,
    return_url: order.returnUrl,
    // The cashier shows the name; a few gateways refuse long ones.
    name: order.name.slice(0, 100),
    money: order.money,
  };
}

/** The signed `submit.php` address the buyer is sent to: the gateway's cashier for this order. */
export function submitUrl(api: EpayApi, order: EpayOrder): string {
  const url = endpoint(api, 'submit.php');
  for (const [name, value] of Object.entries(signed(api, orderParams(api, order)))) url.searchParams.set(name, value);
  return url.toString();
}

async function call(url: URL, init: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new EpayError(`EPay could not be reached (${(error as Error).message})`);
  }
  if (!response.ok) throw new EpayError(`EPay answered ${response.status}`);
  // Many EPay gateways answer JSON as text/html: the body is read as text and parsed.
  const body = await response.text();
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new EpayError('EPay answered something that is not JSON');
  }
}

const MapiAnswer = z.object({
  code: z.coerce.number(),
  msg: z.string().optional(),
  trade_no: z.coerce.string().optional(),
  payurl: z.string().optional(),
  qrcode: z.string().optional(),
  urlscheme: z.string().optional(),
});

/** What `mapi.php` made: the gateway's trade number and where the buyer pays (a page, a QR code's content, an app link). */
export interface EpayMapiOrder {
  /** The gateway's trade number, when it says. */
  tradeNo: string | null;
  /** A page or app link the buyer pays on. */
  payUrl: string | null;
  /** A QR code's content (WeChat Pay's `weixin://` link). */
  qrCode: string | null;
}

/**
 * `POST mapi.php`: the order made server to server. `clientip` is the buyer's address where EPay asks for one; the
 * payment port does not carry it, so the merchant's own loopback is given (gateways use it for risk checks only).
 */
export async function createMapiOrder(api: EpayApi, order: EpayOrder): Promise<EpayMapiOrder> {
  const form = new URLSearchParams(signed(api, { ...orderParams(api, order), clientip: '127.0.0.1' }));
  const parsed = MapiAnswer.safeParse(
    await call(endpoint(api, 'mapi.php'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    }),
  );
  if (!parsed.success) throw new EpayError('EPay answered mapi.php with something unexpected');
  const answer = parsed.data;
  if (answer.code !== 1) throw new EpayError(`EPay refused the order (${answer.msg ?? answer.code})`);
  const payUrl = answer.payurl ?? answer.urlscheme ?? null;
  if (payUrl === null && answer.qrcode === undefined) throw new EpayError('EPay made the order but gave no way to pay it');
  return { tradeNo: answer.trade_no ?? null, payUrl, qrCode: answer.qrcode ?? null };
}

const OrderAnswer = z.object({
  code: z.coerce.number(),
  msg: z.string().optional(),
  trade_no: z.coerce.string().optional(),
  out_trade_no: z.coerce.string().optional(),
  type: z.string().optional(),
  money: z.coerce.string().optional(),
  status: z.coerce.number().optional(),
});

/** The gateway's word on one order: paid (`status` 1) or not, for how much (yuan, as it says), and its trade number. */
export interface EpayOrderState {
  /** The merchant's order number asked about. */
  outTradeNo: string;
  /** The gateway's trade number, when it says. */
  tradeNo: string | null;
  /** Whether the order is paid (`status` 1). */
  paid: boolean;
  /** The amount in yuan, as the gateway wrote it. */
  money: string | null;
  /** The way it was paid (`alipay`, `wxpay`), as the gateway says. */
  type: string | null;
}

/**
 * What EPay answers when the merchant id or key in a query is not a merchant's: `code` -3 with its word for which
 * (`商户ID不存在`, `商户密钥错误`; older gateways `KEY校验失败`).
 */
const EPAY_KEY_REFUSED = -3;

/**
 * `GET api.php?act=order`: what became of the order the shop numbered `outTradeNo` (the merchant's key goes in the
 * query, as the protocol has it; the request is server to server). `null` when the gateway knows no such order;
 * `GatewayKeyRefusedError` when it says the merchant id or key is wrong.
 */
export async function queryOrder(api: EpayApi, outTradeNo: string): Promise<EpayOrderState | null> {
  const url = endpoint(api, 'api.php');
  url.searchParams.set('act', 'order');
  url.searchParams.set('pid', api.pid);
  url.searchParams.set('key', api.key);
  url.searchParams.set('out_trade_no', outTradeNo);
  const parsed = OrderAnswer.safeParse(await call(url, { headers: { accept: 'application/json' } }));
  if (!parsed.success) throw new EpayError('EPay answered the order query with something unexpected');
  const answer = parsed.data;
  if (answer.code === EPAY_KEY_REFUSED) throw new GatewayKeyRefusedError(answer.msg ?? String(answer.code));
  // Any other refusal is "no such order" (EPay answers `code` -1 with a message); anything else is an answer.
  if (answer.code !== 1) return null;
  if (answer.out_trade_no !== undefined && answer.out_trade_no !== outTradeNo) throw new EpayError('EPay answered about another order');
  return {
    outTradeNo,
    tradeNo: answer.trade_no ?? null,
    paid: answer.status === 1,
    money: answer.money ?? null,
    type: answer.type ?? null,
  };
}

/** How a merchant id and key fared with the gateway ({@link checkEpayKey}): taken, refused (the gateway's word), or not checkable (unreachable, not EPay). */
export type EpayKeyCheck = { ok: true } | { ok: false; problem: 'key_refused'; said: string } | { ok: false; problem: 'unreachable' };

/**
 * Asks the gateway whether `api`'s merchant id and key are a merchant's, before they are saved: the order query
 * for an order no shop makes answers "no such order" to a merchant, and `code` -3 to a wrong id or key.
 */
export async function checkEpayKey(api: EpayApi): Promise<EpayKeyCheck> {
  try {
    await queryOrder(api, 'panelkit-key-check');
    return { ok: true };
  } catch (error) {
    if (error instanceof GatewayKeyRefusedError) return { ok: false, problem: 'key_refused', said: error.said };
    if (error instanceof EpayError) return { ok: false, problem: 'unreachable' };
    throw error;
  }
}
