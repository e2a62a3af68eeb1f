import { createHash, randomBytes } from 'node:crypto';
import { GatewaySimulator, type GatewayAnswer } from './gateway-simulator.js';

/** An order as the simulated EPay gateway keeps it (`status` 1: paid). */
export interface EpaySimOrder {
  /** The gateway's trade number. */
  tradeNo: string;
  /** The merchant's order number. */
  outTradeNo: string;
  /** `alipay`, `wxpay` or `qqpay`. */
  type: string;
  /** What the cashier shows. */
  name: string;
  /** Yuan with up to two decimals, as the merchant sent it. */
  money: string;
  /** Where notifies go. */
  notifyUrl: string;
  /** Where the buyer is sent back. */
  returnUrl: string;
  /** 1 once paid. */
  status: 0 | 1;
  /** When the order was made (`YYYY-MM-DD hh:mm:ss`). */
  addtime: string;
  /** When it was paid. */
  endtime: string | null;
}

/** Options of {@link EpaySimulator}: the merchant it knows (fresh random ones unless given). */
export interface EpaySimulatorOptions {
  /** The merchant id. */
  pid?: string;
  /** The merchant key. */
  key?: string;
}

/** A notify as the simulator sends it: its parameters (signed, unless forged). */
export type EpaySimNotify = Record<string, string>;

/**
 * EPay's MD5 signature, as its merchant documents describe it (written here, apart from the provider's, so the simulator
 * checks the provider rather than agreeing with it): the parameters except `sign` and `sign_type`, empty ones left out,
 * sorted by name in ASCII order, joined as `k=v&k=v` (values not URL-encoded), the merchant key appended, MD5 in
 * lower-case hex.
 */
export function md5Sign(params: Readonly<Record<string, string | undefined>>, key: string): string {
  const pairs: string[] = [];
  for (const name of Object.keys(params).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const value = params[name];
    if (name === 'sign' || name === 'sign_type' || value === undefined || value === '') continue;
    pairs.push(`${name}=${value}`);
  }
  return createHash('md5')
    .update(`${pairs.join('&')}${key}`, 'utf8')
    .digest('hex');
}

const TYPES = new Set(['alipay', 'wxpay', 'qqpay']);
const MONEY = /^\d{1,9}(\.\d{1,2})?$/;

/**
 * An EPay (易支付) gateway on 127.0.0.1 for tests and the demo, after the protocol its merchants document: `submit.php`
 * (GET or POST, signed) opens the cashier page; `mapi.php` (POST, signed) makes the order server to server and
 * answers `{code: 1, trade_no, payurl}` for Alipay or `{code: 1, trade_no, qrcode}` (a `weixin://` link) for WeChat Pay; paying sends the
 * asynchronous notify (GET to `notify_url`: pid, trade_no, out_trade_no, type, name, money, trade_status, sign,
 * sign_type) until the shop answers exactly `success`, and the buyer back to `return_url` with the same signed
 * parameters; `api.php?act=order&pid&key&out_trade_no` answers the order's `status` (1 paid, 0 not). As 彩虹易支付
 * answers: an unknown `pid` or a wrong `key` in the order query is `{code: -3, msg: 商户ID不存在 | 商户密钥错误}` and an
 * unknown order `{code: -1}`; a bad sign (a wrong key) is the cashier's error page from `submit.php` and `{code: -1,
 * msg: 签名校验失败，请返回重试！}` from `mapi.php`. `down` makes every request answer 503.
 */
export class EpaySimulator extends GatewaySimulator {
  /** The merchant id (`pid`) the gateway knows. */
  readonly pid: string;
  /** The merchant key: requests and notifies are signed with it, the order query takes it. */
  readonly key: string;
  /** Orders by the shop's number (`out_trade_no`). */
  readonly orders = new Map<string, EpaySimOrder>();
  /** While true, every request is answered 503. */
  down = false;
  private counter = 1;

  /** A gateway knowing one merchant: `options`' id and key, or fresh random ones. */
  constructor(options: EpaySimulatorOptions = {}) {
    super();
    this.pid = options.pid ?? String(1000 + Math.floor(Math.random() * 9000));
    this.key = options.key ?? randomBytes(16).toString('hex');
  }

  /** The order the shop numbered `outTradeNo`. */
  order(outTradeNo: string): EpaySimOrder {
    const order = this.orders.get(outTradeNo);
    if (order === undefined) throw new Error(`no order ${outTradeNo}`);
    return order;
  }

  /** The notify of a paid order as the gateway signs it; `tamper` changes parameters after signing (a forgery). */
  notify(outTradeNo: string, tamper: Record<string, string> = {}): EpaySimNotify {
    const order = this.order(outTradeNo);
    const params: Record<string, string> = {
      pid: this.pid,
      trade_no: order.tradeNo,
      out_trade_no: order.outTradeNo,
      type: order.type,
      name: order.name,
      money: order.money,
      trade_status: order.status === 1 ? 'TRADE_SUCCESS' : 'WAIT_BUYER_PAY',
    };
    return { ...params, sign: md5Sign(params, this.key), sign_type: 'MD5', ...tamper };
  }

  /** A notify signed with this merchant's key over any parameters (the key leaked, or another order's). */
  signed(params: Record<string, string>): EpaySimNotify {
    return { ...params, sign: md5Sign(params, this.key), sign_type: 'MD5' };
  }

  /** Sends a notify to the order's `notify_url` (GET, as EPay does); the shop's status and body. */
  async deliver(
    outTradeNo: string,
    notify: EpaySimNotify = this.notify(outTradeNo),
    to?: string,
  ): Promise<{ status: number; body: string }> {
    const url = new URL(to ?? this.order(outTradeNo).notifyUrl);
    for (const [name, value] of Object.entries(notify)) url.searchParams.set(name, value);
    const res = await fetch(url);
    return { status: res.status, body: await res.text() };
  }

  /** The buyer pays the order; its notify is sent `deliveries` times (0: never, a lost notify). The return address. */
  async pay(outTradeNo: string, options: { deliveries?: number } = {}): Promise<URL> {
    const order = this.order(outTradeNo);
    if (order.status === 0) {
      order.status = 1;
      order.endtime = stamp();
    }
    for (let i = 0; i < (options.deliveries ?? 1); i++) await this.deliver(outTradeNo);
    const back = new URL(order.returnUrl);
    for (const [name, value] of Object.entries(this.notify(outTradeNo))) back.searchParams.set(name, value);
    return back;
  }

  protected async answer(req: Request): Promise<GatewayAnswer> {
    if (this.down) return { status: 503, body: '<!doctype html><title>503</title>' };
    const url = new URL(req.url);
    const raw = req.method === 'POST' ? await req.text() : '';
    const params = { ...Object.fromEntries(url.searchParams), ...Object.fromEntries(new URLSearchParams(raw)) };
    if (url.pathname === '/submit.php') {
      const made = this.make(params);
      if ('error' in made) return { status: 200, body: `<!doctype html><p>${made.error}</p>` };
      return { status: 302, body: '', headers: { location: new URL(`cashier/${made.tradeNo}`, this.url).toString() } };
    }
    if (url.pathname === '/mapi.php' && req.method === 'POST') {
      const made = this.make(params);
      if ('error' in made) return { status: 200, body: { code: -1, msg: made.error } };
      const cashier = new URL(`cashier/${made.tradeNo}`, this.url).toString();
      return {
        status: 200,
        // WeChat Pay's QR content is a `weixin://` link the buyer scans; its simulated payment is the cashier page's button.
        body:
          made.type === 'wxpay'
            ? { code: 1, msg: '', trade_no: made.tradeNo, qrcode: `weixin://wxpay/bizpayurl?pr=${made.tradeNo}` }
            : { code: 1, msg: '', trade_no: made.tradeNo, payurl: cashier },
      };
    }
    if (url.pathname === '/api.php' && params['act'] === 'order') {
      if (params['pid'] !== this.pid) return { status: 200, body: { code: -3, msg: '商户ID不存在' } };
      if (params['key'] !== this.key) return { status: 200, body: { code: -3, msg: '商户密钥错误' } };
      if (!params['trade_no'] && !params['out_trade_no']) return { status: 200, body: { code: -4, msg: '订单号不能为空' } };
      const order =
        this.orders.get(params['out_trade_no'] ?? '') ?? [...this.orders.values()].find((o) => o.tradeNo === params['trade_no']);
      if (order === undefined) return { status: 200, body: { code: -1, msg: '订单号不存在' } };
      return {
        status: 200,
        body: {
          code: 1,
          msg: '查询订单号成功！',
          trade_no: order.tradeNo,
          out_trade_no: order.outTradeNo,
          type: order.type,
          pid: Number(this.pid),
          addtime: order.addtime,
          endtime: order.endtime,
          name: order.name,
          money: order.money,
          status: order.status,
        },
      };
    }
    const cashier = /^\/cashier\/(\w+)$/.exec(url.pathname);
    const order = cashier === null ? undefined : [...this.orders.values()].find((o) => o.tradeNo === cashier[1]);
    if (order === undefined) return { status: 404, body: '<!doctype html><title>404</title><p>订单不存在</p>' };
    if (req.method === 'GET')
      return {
        status: 200,
        body: `<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>${order.type === 'wxpay' ? '微信支付' : '支付宝'} ¥${order.money}</title></head>
<body><h1>易支付收银台 (simulated)</h1><p>${order.name}: ¥${order.money}</p>
<form method="post"><button type="submit">支付 (simulated)</button></form></body></html>`,
      };
    return { status: 302, body: '', headers: { location: (await this.pay(order.outTradeNo)).toString() } };
  }

  /** An order from signed parameters (the same `out_trade_no` again is the same order), or why not. */
  private make(params: Record<string, string>): EpaySimOrder | { error: string } {
    if (!params['pid']) return { error: 'PID不存在' };
    if (params['pid'] !== this.pid) return { error: '商户不存在！' };
    if (params['sign']?.toLowerCase() !== md5Sign(params, this.key)) return { error: '签名校验失败，请返回重试！' };
    const {
      type = '',
      out_trade_no: outTradeNo = '',
      notify_url: notifyUrl = '',
      return_url: returnUrl = '',
      name = '',
      money = '',
    } = params;
    if (!TYPES.has(type) || outTradeNo === '' || notifyUrl === '' || name === '' || !MONEY.test(money) || Number(money) <= 0)
      return { error: '参数错误' };
    const existing = this.orders.get(outTradeNo);
    if (existing !== undefined) return existing.money === money ? existing : { error: '订单号已存在' };
    const order: EpaySimOrder = {
      tradeNo: `${new Date().toISOString().slice(0, 10).replaceAll('-', '')}${String(this.counter++).padStart(10, '0')}`,
      outTradeNo,
      type,
      name,
      money,
      notifyUrl,
      returnUrl: returnUrl || notifyUrl,
      status: 0,
      addtime: stamp(),
      endtime: null,
    };
    this.orders.set(outTradeNo, order);
    return order;
  }
}

function stamp(): string {
  return new Date().toISOString().replace('T', ' ').slice(0, 19);
}
