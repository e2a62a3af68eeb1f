import { randomBytes, randomUUID } from 'node:crypto';
import { GatewaySimulator, type ChargeAnswer, type GatewayAnswer } from './gateway-simulator.js';
import { IdempotencyKeys, requestPrint } from './idempotency-keys.js';

interface Money {
  value: string;
  currency: string;
}

/** A payment as the YooKassa simulator keeps it (what `GET /v3/payments/{id}` shows, and what the buyer asked for). */
export interface YooKassaSimPayment {
  id: string;
  status: 'pending' | 'waiting_for_capture' | 'succeeded' | 'canceled';
  paid: boolean;
  amount: Money;
  refunded_amount?: Money;
  description?: string;
  confirmation?: { type: 'redirect'; confirmation_url: string; return_url: string };
  payment_method?: { type: string; id: string; saved: boolean; title: string };
  cancellation_details?: { party: string; reason: string };
  metadata?: Record<string, string>;
  receipt?: unknown;
  /** Present when the payment carried a 54-FZ receipt (YooKassa registers it). */
  receipt_registration?: 'succeeded';
  created_at: string;
  test: boolean;
  /** Simulator-only: what the buyer asked for, never sent. */
  wanted: { method: string; save: boolean };
}

/** A refund as the YooKassa simulator keeps and shows it. */
export interface YooKassaSimRefund {
  id: string;
  payment_id: string;
  status: 'succeeded';
  amount: Money;
  description?: string;
  metadata?: Record<string, string>;
  receipt_registration?: 'succeeded';
  created_at: string;
}

/** The part of a 54-FZ receipt the YooKassa simulator checks: the buyer's contact and the items' amounts and VAT codes. */
export interface YooKassaSimReceipt {
  customer?: { email?: string; phone?: string };
  items?: Array<{ amount: Money; vat_code: number }>;
}

type Answer = GatewayAnswer;

const VALUE = /^\d{1,12}\.\d{2}$/;
const kopecks = (value: string) => Math.round(Number(value) * 100);
const rubles = (k: number) => (k / 100).toFixed(2);

/** Options of {@link YooKassaSimulator}: its credentials, where notifications go, how autopayments are answered. */
export interface YooKassaSimulatorOptions {
  shopId?: string;
  secretKey?: string;
  webhookUrl?: string | null;
  chargeAnswer?: ChargeAnswer;
}

/**
 * A YooKassa API v3 on 127.0.0.1 for tests and the demo, after YooKassa's public documentation: Basic auth
 * `shopId:secretKey`; `POST /v3/payments` and `POST /v3/refunds` need an `Idempotence-Key` and answer the first
 * request's result to the same key again (the same key with other request data is refused, 400); a payment with a redirect confirmation waits (`pending`) on its confirmation
 * page until the buyer pays (`succeeded`, with `payment_method`, `saved` when `save_payment_method` was asked), an
 * autopayment (`payment_method_id`) is answered by `chargeAnswer` (succeed, decline → `canceled`, require_action →
 * `pending` with a confirmation URL); notifications (`payment.succeeded`, `payment.canceled`, `refund.succeeded`) go
 * unsigned to `webhookUrl`. A receipt, when sent, must name the buyer's e-mail or phone and items summing to the
 * amount; a partial refund of a payment that had one needs one of its own, for the refund's amount (a full refund
 * takes the payment's). `GET /v3/refunds?payment_id=` lists a payment's refunds (with their `metadata`), a page of
 * `limit` at a time with `next_cursor`. Idempotence keys are kept 24 hours (`elapse` moves the clock on). `down`
 * answers 500; `loseNextAnswer()` applies the next POST and drops its answer.
 */
export class YooKassaSimulator extends GatewaySimulator {
  /** The shop id the API takes (Basic auth `shopId:secretKey`). */
  readonly shopId: string;
  /** The secret key the API takes. */
  readonly secretKey: string;
  /** The payments made, by id. */
  readonly payments = new Map<string, YooKassaSimPayment>();
  /** The refunds made, by id (each once, however often asked). */
  readonly refunds = new Map<string, YooKassaSimRefund>();
  /** The receipt sent with each refund that had one, by refund id (YooKassa keeps it with the refund, never shows it back). */
  readonly refundReceipts = new Map<string, unknown>();
  /** The ids of the autopayments made with a saved method (`payment_method_id`). */
  readonly charges = new Set<string>();
  /** Where notifications go (`null`: none are sent). */
  webhookUrl: string | null;
  /** How autopayments with a saved method are answered. */
  chargeAnswer: ChargeAnswer;
  /** While true, every request is answered 500. */
  down = false;
  protected override readonly basePath = '/v3/';
  private readonly keys = new IdempotencyKeys<Answer>();
  private readonly methods = new Map<string, { type: string; title: string }>();

  /** A simulator with fresh random credentials unless `options` names them. */
  constructor(options: YooKassaSimulatorOptions = {}) {
    super();
    this.shopId = options.shopId ?? String(100_000 + Math.floor(Math.random() * 800_000));
    this.secretKey = options.secretKey ?? `test_${randomBytes(18).toString('base64url')}`;
    this.webhookUrl = options.webhookUrl ?? null;
    this.chargeAnswer = options.chargeAnswer ?? 'succeed';
  }

  /** Moves the simulator's clock `ms` on (past 24 hours, it has forgotten the idempotence keys it was sent). */
  elapse(ms: number): void {
    this.keys.elapse(ms);
  }

  /** The next POST is applied, and its answer lost (the connection drops); a look-up before it is answered. */
  loseNextAnswer(): void {
    this.loseNextAnswers(1);
  }

  /** The payment `id` as the simulator keeps it; throws for an unknown one. */
  payment(id: string): YooKassaSimPayment {
    const payment = this.payments.get(id);
    if (payment === undefined) throw new Error(`no payment ${id}`);
    return payment;
  }

  /** A notification as YooKassa sends it (unsigned): the event and the object it is about. */
  notification(event: 'payment.succeeded' | 'payment.canceled' | 'refund.succeeded', id: string): string {
    const object = event.startsWith('refund.') ? this.refunds.get(id) : this.payments.get(id);
    return JSON.stringify({ type: 'notification', event, object: object === undefined ? { id } : this.shown(object) });
  }

  /** Posts a notification body to `to` (default `webhookUrl`); the shop's status. */
  async deliver(body: string, to: string | null = this.webhookUrl): Promise<number> {
    if (to === null) throw new Error('the simulator has no notification address');
    const res = await fetch(to, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.arrayBuffer();
    return res.status;
  }

  /** The buyer pays on the confirmation page; `payment.succeeded` is sent `deliveries` times (default once when there is an address). */
  async pay(id: string, options: { deliveries?: number } = {}): Promise<number[]> {
    const payment = this.payment(id);
    if (payment.status === 'pending') {
      const type = payment.wanted.method === 'sbp' ? 'sbp' : 'bank_card';
      const methodId = randomUUID();
      const title = type === 'sbp' ? 'СБП · Сбербанк' : 'Bank card *4444';
      payment.status = 'succeeded';
      payment.paid = true;
      payment.payment_method = { type, id: methodId, saved: payment.wanted.save, title };
      if (payment.wanted.save) this.methods.set(methodId, { type, title });
    }
    const statuses: number[] = [];
    for (let i = 0; i < (options.deliveries ?? (this.webhookUrl === null ? 0 : 1)); i++)
      statuses.push(await this.deliver(this.notification('payment.succeeded', id)));
    return statuses;
  }

  /** The buyer gives up (or the time runs out): YooKassa cancels the payment. */
  cancel(id: string): void {
    const payment = this.payment(id);
    if (payment.status !== 'pending') return;
    payment.status = 'canceled';
    payment.cancellation_details = { party: 'yoo_money', reason: 'expired_on_confirmation' };
  }

  private shown(object: YooKassaSimPayment | YooKassaSimRefund): Record<string, unknown> {
    const { wanted: _wanted, ...rest } = object as YooKassaSimPayment;
    return rest;
  }

  protected async answer(req: Request): Promise<GatewayAnswer> {
    if (this.down) return error(500, 'internal_server_error', 'Internal server error');
    const url = new URL(req.url);
    const page = /^\/v3\/checkout\/([\w-]+)$/.exec(url.pathname);
    if (page !== null) return this.checkout(req, page[1]!);
    const auth = `Basic ${Buffer.from(`${this.shopId}:${this.secretKey}`).toString('base64')}`;
    if (req.headers.get('authorization') !== auth) return error(401, 'invalid_credentials', 'Authentication by given credentials failed');
    const raw = req.method === 'POST' ? await req.text() : '';
    if (req.method === 'POST') {
      const key = req.headers.get('idempotence-key');
      if (typeof key !== 'string' || key.length === 0 || key.length > 64)
        return error(400, 'invalid_request', 'Idempotence key is missing or too long');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return error(400, 'invalid_request', 'Request body is not JSON');
      }
      const print = requestPrint(url.pathname, body);
      const cached = this.keys.recall(`${url.pathname} ${key}`, print);
      if (cached === 'mismatch')
        return error(400, 'invalid_request', 'Idempotence key was already used with other request data', 'Idempotence-Key');
      if (cached !== undefined) return cached.answer;
      const answer =
        url.pathname === '/v3/payments'
          ? this.create(body)
          : url.pathname === '/v3/refunds'
            ? this.refund(body)
            : error(404, 'not_found', 'Not found');
      if (answer.status < 500) this.keys.set(`${url.pathname} ${key}`, print, answer);
      return answer;
    }
    if (req.method === 'GET' && url.pathname === '/v3/refunds') return this.listRefunds(url.searchParams);
    const get = /^\/v3\/(payments|refunds)\/([\w-]+)$/.exec(url.pathname);
    if (req.method === 'GET' && get !== null) {
      const found = get[1] === 'payments' ? this.payments.get(get[2]!) : this.refunds.get(get[2]!);
      return found === undefined ? error(404, 'not_found', 'Object not found') : { status: 200, body: this.shown(found) };
    }
    return error(404, 'not_found', 'Not found');
  }

  private create(body: Record<string, unknown>): Answer {
    const amount = body['amount'] as Money | undefined;
    if (amount === undefined || !VALUE.test(String(amount.value)) || amount.currency !== 'RUB' || kopecks(amount.value) <= 0)
      return error(400, 'invalid_request', 'Invalid amount', 'amount');
    const receipt = body['receipt'] as YooKassaSimReceipt | undefined;
    const wrong = receipt === undefined ? null : receiptError(receipt, amount.value);
    if (wrong !== null) return wrong;
    const id = `${randomBytes(4).toString('hex')}-000f-5000-9000-${randomBytes(6).toString('hex')}`;
    const base = {
      id,
      paid: false,
      amount: { value: amount.value, currency: 'RUB' },
      ...(typeof body['description'] === 'string' ? { description: body['description'] } : {}),
      ...(body['metadata'] !== undefined ? { metadata: body['metadata'] as Record<string, string> } : {}),
      ...(receipt === undefined ? {} : { receipt, receipt_registration: 'succeeded' as const }),
      created_at: new Date(this.keys.now()).toISOString(),
      test: true,
    };
    const confirmation = body['confirmation'] as { type?: string; return_url?: string } | undefined;
    const methodId = body['payment_method_id'];
    if (typeof methodId === 'string') {
      const method = this.methods.get(methodId);
      if (method === undefined) return error(400, 'invalid_request', 'Payment method is not saved', 'payment_method_id');
      const payment: YooKassaSimPayment = { ...base, status: 'pending', wanted: { method: method.type, save: true } };
      payment.payment_method = { type: method.type, id: methodId, saved: true, title: method.title };
      if (this.chargeAnswer === 'succeed') Object.assign(payment, { status: 'succeeded', paid: true });
      else if (this.chargeAnswer === 'decline')
        Object.assign(payment, { status: 'canceled', cancellation_details: { party: 'payment_network', reason: 'insufficient_funds' } });
      else
        payment.confirmation = {
          type: 'redirect',
          confirmation_url: new URL(`checkout/${id}`, this.url).toString(),
          return_url: confirmation?.return_url ?? this.url,
        };
      this.payments.set(id, payment);
      this.charges.add(id);
      return { status: 200, body: this.shown(payment) };
    }
    if (confirmation?.type !== 'redirect' || typeof confirmation.return_url !== 'string')
      return error(400, 'invalid_request', 'Confirmation of type redirect with return_url is required', 'confirmation');
    const method = (body['payment_method_data'] as { type?: string } | undefined)?.type ?? 'smart';
    const payment: YooKassaSimPayment = {
      ...base,
      status: 'pending',
      confirmation: {
        type: 'redirect',
        confirmation_url: new URL(`checkout/${id}`, this.url).toString(),
        return_url: confirmation.return_url,
      },
      wanted: { method, save: body['save_payment_method'] === true },
    };
    this.payments.set(id, payment);
    return { status: 200, body: this.shown(payment) };
  }

  private refund(body: Record<string, unknown>): Answer {
    const payment = this.payments.get(String(body['payment_id'] ?? ''));
    if (payment === undefined) return error(400, 'invalid_request', 'Payment not found', 'payment_id');
    if (payment.status !== 'succeeded') return error(400, 'invalid_request', 'Payment is not succeeded', 'payment_id');
    const amount = body['amount'] as Money | undefined;
    if (amount === undefined || !VALUE.test(String(amount.value)) || amount.currency !== payment.amount.currency)
      return error(400, 'invalid_request', 'Invalid amount', 'amount');
    const refunded = payment.refunded_amount === undefined ? 0 : kopecks(payment.refunded_amount.value);
    if (kopecks(amount.value) + refunded > kopecks(payment.amount.value))
      return error(400, 'invalid_request', 'Refund amount exceeds the payment', 'amount');
    const receipt = body['receipt'] as YooKassaSimReceipt | undefined;
    if (receipt === undefined && payment.receipt !== undefined && kopecks(amount.value) !== kopecks(payment.amount.value))
      return error(400, 'invalid_request', 'Receipt is required for a partial refund of a payment with a receipt', 'receipt');
    const wrong = receipt === undefined ? null : receiptError(receipt, amount.value);
    if (wrong !== null) return wrong;
    payment.refunded_amount = { value: rubles(refunded + kopecks(amount.value)), currency: payment.amount.currency };
    const refund: YooKassaSimRefund = {
      id: `${randomBytes(4).toString('hex')}-0015-5000-8000-${randomBytes(6).toString('hex')}`,
      payment_id: payment.id,
      status: 'succeeded',
      amount: { value: amount.value, currency: amount.currency },
      ...(typeof body['description'] === 'string' ? { description: body['description'] } : {}),
      ...(body['metadata'] !== undefined ? { metadata: body['metadata'] as Record<string, string> } : {}),
      ...(payment.receipt === undefined ? {} : { receipt_registration: 'succeeded' as const }),
      created_at: new Date(this.keys.now()).toISOString(),
    };
    this.refunds.set(refund.id, refund);
    if (receipt !== undefined) this.refundReceipts.set(refund.id, receipt);
    return { status: 200, body: refund };
  }

  /** `GET /v3/refunds?payment_id=&limit=&cursor=`: the refunds, oldest first, a page at a time. */
  private listRefunds(query: URLSearchParams): Answer {
    const limit = Number(query.get('limit') ?? '10');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(400, 'invalid_request', 'Invalid limit', 'limit');
    const paymentId = query.get('payment_id');
    const all = [...this.refunds.values()].filter((refund) => paymentId === null || refund.payment_id === paymentId);
    const from = Number(query.get('cursor') ?? '0');
    if (!Number.isInteger(from) || from < 0) return error(400, 'invalid_request', 'Invalid cursor', 'cursor');
    const items = all.slice(from, from + limit);
    return {
      status: 200,
      body: { type: 'list', items, ...(from + limit < all.length ? { next_cursor: String(from + limit) } : {}) },
    };
  }

  private async checkout(req: Request, id: string): Promise<Answer> {
    const payment = this.payments.get(id);
    if (payment === undefined || payment.confirmation === undefined) return { status: 404, body: '<!doctype html><p>Платёж не найден</p>' };
    if (req.method === 'GET')
      return {
        status: 200,
        body: `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>ЮKassa (simulated): ${payment.amount.value} ₽</title></head>
<body><h1>ЮKassa (simulated)</h1><p>${payment.description ?? ''}: ${payment.amount.value} ₽ (${payment.wanted.method})</p>
<form method="post"><button type="submit">Оплатить</button></form></body></html>`,
      };
    if (payment.status === 'pending' && payment.paid === false && payment.payment_method?.saved && payment.wanted.save) {
      // An autopayment the bank wanted confirmed: confirming pays it.
      Object.assign(payment, { status: 'succeeded', paid: true });
      if (this.webhookUrl !== null) await this.deliver(this.notification('payment.succeeded', id));
    } else await this.pay(id);
    return { status: 302, body: '', headers: { location: payment.confirmation.return_url } };
  }
}

/** What is wrong with a receipt for `value`: it names no e-mail or phone, or its items do not sum to the amount. */
function receiptError(receipt: YooKassaSimReceipt, value: string): Answer | null {
  if (!receipt.customer?.email && !receipt.customer?.phone)
    return error(400, 'invalid_request', 'Receipt needs customer email or phone', 'receipt.customer');
  const items = receipt.items ?? [];
  const sum = items.reduce((total, item) => total + kopecks(item.amount.value), 0);
  if (items.length === 0 || sum !== kopecks(value) || items.some((i) => !Number.isInteger(i.vat_code) || i.vat_code < 1 || i.vat_code > 12))
    return error(400, 'invalid_request', 'Receipt items do not match the amount', 'receipt.items');
  return null;
}

function error(status: number, code: string, description: string, parameter?: string): Answer {
  return { status, body: { type: 'error', id: randomUUID(), code, description, ...(parameter === undefined ? {} : { parameter }) } };
}
