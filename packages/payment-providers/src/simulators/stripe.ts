import { createHmac, randomBytes } from 'node:crypto';
import { GatewaySimulator, type ChargeAnswer, type GatewayAnswer } from './gateway-simulator.js';
import { IdempotencyKeys, requestPrint } from './idempotency-keys.js';

type Json = Record<string, unknown>;

/** A Checkout Session as the Stripe simulator keeps and shows it. */
export interface StripeSimSession {
  id: string;
  object: 'checkout.session';
  mode: 'payment';
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  amount_total: number;
  currency: string;
  url: string | null;
  success_url: string;
  cancel_url: string;
  client_reference_id: string | null;
  customer: string | null;
  payment_intent: string | null;
  metadata: Record<string, string>;
  livemode: false;
  /** Simulator-only, never shown: what the session asked of the PaymentIntent it makes. */
  wanted: { save: boolean; intentMetadata: Record<string, string> };
}

/** A PaymentIntent as the Stripe simulator keeps and shows it. */
export interface StripeSimIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: 'requires_payment_method' | 'requires_action' | 'succeeded' | 'canceled';
  customer: string | null;
  payment_method: string | null;
  setup_future_usage: string | null;
  metadata: Record<string, string>;
  next_action: null;
  latest_charge: string | null;
  livemode: false;
}

/** A charge as the Stripe simulator keeps and shows it. */
export interface StripeSimCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_refunded: number;
  currency: string;
  payment_intent: string;
  refunded: boolean;
  status: 'succeeded';
  metadata: Record<string, string>;
}

/** A refund as the Stripe simulator keeps and shows it. */
export interface StripeSimRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  charge: string;
  payment_intent: string;
  status: 'succeeded';
  metadata: Record<string, string>;
}

type Answer = GatewayAnswer;

/** Options of {@link StripeSimulator}: its keys, where webhooks go, how off-session charges are answered. */
export interface StripeSimulatorOptions {
  secretKey?: string;
  webhookSecret?: string;
  webhookUrl?: string | null;
  chargeAnswer?: ChargeAnswer;
}

/** A webhook as Stripe sends it: the raw JSON body and its `Stripe-Signature` header. */
export interface StripeWebhook {
  body: string;
  signature: string;
}

const ZERO_DECIMAL = new Set(['jpy', 'krw', 'vnd', 'clp', 'pyg', 'xof', 'xaf', 'bif', 'djf', 'gnf', 'kmf', 'mga', 'rwf', 'vuv', 'xpf']);
const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;

/**
 * A Stripe API on 127.0.0.1 for tests and the demo, written from Stripe's public API reference: `Authorization:
 * Bearer <secret key>`; form-encoded bodies with bracketed keys (`line_items[0][price_data][currency]`) as Stripe's
 * libraries send them; `Idempotency-Key` on a POST answers the first request's result to the same key again (the
 * same key on another endpoint or with other parameters is refused: 400 `idempotency_error`).
 * Checkout Sessions (mode `payment`) wait `open`/`unpaid` on their page until the buyer pays (then `complete`/`paid`,
 * with a PaymentIntent, a charge, and, with `setup_future_usage`, a saved card on a customer made for it);
 * `GET /v1/checkout/sessions?payment_intent=` finds a session by its intent; PaymentIntents created with a saved
 * card `off_session` and `confirm` are answered by `chargeAnswer` (succeed, a `card_declined` 402, or an
 * `authentication_required` 402 that leaves the intent `requires_payment_method`); refunds take part or all of a
 * charge, and `GET /v1/refunds?payment_intent=` lists them newest first (`limit`, `starting_after`, `has_more`).
 * Idempotency keys are kept 24 hours (`elapse` moves the clock on). Webhooks are signed as Stripe documents: `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
 * "t.body" under the endpoint's secret>`. `down` answers 500; `loseNextAnswer()` applies the next POST and
 * drops its answer.
 */
export class StripeSimulator extends GatewaySimulator {
  /** The secret key the API takes (`Authorization: Bearer …`). */
  readonly secretKey: string;
  /** The webhook endpoint's signing secret its webhooks are signed with. */
  readonly webhookSecret: string;
  /** The Checkout Sessions made, by id. */
  readonly sessions = new Map<string, StripeSimSession>();
  /** The PaymentIntents made (by a paid session or off-session), by id. */
  readonly intents = new Map<string, StripeSimIntent>();
  /** The charges made, by id. */
  readonly charges = new Map<string, StripeSimCharge>();
  /** The refunds made, by id (each once, however often asked). */
  readonly refunds = new Map<string, StripeSimRefund>();
  /** The PaymentIntents made off-session with a saved card (each once, however often asked). */
  readonly offSessionCharges = new Set<string>();
  /** Where webhooks go (`null`: none are sent). */
  webhookUrl: string | null;
  /** How off-session charges are answered. */
  chargeAnswer: ChargeAnswer;
  /** While true, every request is answered 500. */
  down = false;
  protected override readonly basePath = '';
  private readonly keys = new IdempotencyKeys<Answer>();
  /** Saved PaymentMethods and their customer (`null` once detached). */
  private readonly methods = new Map<string, { customer: string | null }>();

  /** A simulator with fresh random keys unless `options` names them. */
  constructor(options: StripeSimulatorOptions = {}) {
    super();
    this.secretKey = options.secretKey ?? `sk_test_${randomBytes(18).toString('base64url')}`;
    this.webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(24).toString('base64')}`;
    this.webhookUrl = options.webhookUrl ?? null;
    this.chargeAnswer = options.chargeAnswer ?? 'succeed';
  }

  /** Moves the simulator's clock `ms` on (past 24 hours, it has forgotten the idempotency keys it was sent). */
  elapse(ms: number): void {
    this.keys.elapse(ms);
  }

  /**
   * The next POST is applied, and its answer lost (the connection drops); a look-up before it is answered. Stripe's library resends a request
   * once at once when its connection closes (the same idempotency key): that resend's answer is lost too.
   */
  loseNextAnswer(): void {
    this.loseNextAnswers(2);
  }

  /** The session `sessionId` as the simulator keeps it; throws for an unknown one. */
  session(sessionId: string): StripeSimSession {
    const session = this.sessions.get(sessionId);
    if (session === undefined) throw new Error(`no session ${sessionId}`);
    return session;
  }

  /**
   * A signed webhook event about `object` (as shown by the API), or about `override` laid over it (a test's
   * tampered copy, still signed with the real secret), signed with `secret` (default the endpoint's).
   */
  event(type: string, object: Json, options: { secret?: string; at?: number } = {}): StripeWebhook {
    const body = JSON.stringify({
      id: id('evt'),
      object: 'event',
      api_version: '2025-11-17.clover',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    });
    return { body, signature: this.sign(body, options.secret ?? this.webhookSecret, options.at) };
  }

  /** The `Stripe-Signature` header for `body`: `t=<time>,v1=<HMAC-SHA256(secret, "t.body") in hex>`. */
  sign(body: string, secret: string = this.webhookSecret, at: number = Math.floor(Date.now() / 1000)): string {
    return `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${body}`, 'utf8').digest('hex')}`;
  }

  /** The session's `checkout.session.completed` event as the API shows the session now. */
  completed(sessionId: string): StripeWebhook {
    return this.event('checkout.session.completed', this.shown(this.session(sessionId)));
  }

  /** Posts a webhook to `to` (default `webhookUrl`); the shop's status. */
  async deliver(webhook: StripeWebhook, to: string | null = this.webhookUrl): Promise<number> {
    if (to === null) throw new Error('the simulator has no webhook address');
    const res = await fetch(to, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': webhook.signature },
      body: webhook.body,
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** The buyer pays the session on its page; `checkout.session.completed` is sent `deliveries` times (default once with an address). */
  async pay(sessionId: string, options: { deliveries?: number } = {}): Promise<number[]> {
    const session = this.session(sessionId);
    if (session.status === 'open') {
      let customer = session.customer;
      if (session.wanted.save && customer === null) customer = id('cus');
      const method = id('pm');
      if (session.wanted.save && customer !== null) this.methods.set(method, { customer });
      const intent = this.intentPaid({
        amount: session.amount_total,
        currency: session.currency,
        customer,
        method,
        metadata: session.wanted.intentMetadata,
        setupFutureUsage: session.wanted.save ? 'off_session' : null,
      });
      Object.assign(session, { status: 'complete', payment_status: 'paid', url: null, customer, payment_intent: intent.id });
    }
    const statuses: number[] = [];
    for (let i = 0; i < (options.deliveries ?? (this.webhookUrl === null ? 0 : 1)); i++)
      statuses.push(await this.deliver(this.completed(sessionId)));
    return statuses;
  }

  /** The owner refunds a paid session's charge in Stripe's dashboard (all of what is left): the `charge.refunded` event. */
  dashboardRefund(sessionId: string): StripeWebhook {
    const intent = this.intents.get(this.session(sessionId).payment_intent ?? '');
    const charge = this.charges.get(intent?.latest_charge ?? '');
    if (charge === undefined) throw new Error(`session ${sessionId} is not paid`);
    this.makeRefund(charge, charge.amount - charge.amount_refunded, {});
    return this.event('charge.refunded', { ...charge });
  }

  /** The `charge.refunded` event of a refund made through the API. */
  refundedEvent(refundId: string): StripeWebhook {
    const refund = this.refunds.get(refundId);
    if (refund === undefined) throw new Error(`no refund ${refundId}`);
    return this.event('charge.refunded', { ...this.charges.get(refund.charge)! });
  }

  private intentPaid(input: {
    amount: number;
    currency: string;
    customer: string | null;
    method: string;
    metadata: Record<string, string>;
    setupFutureUsage: string | null;
  }): StripeSimIntent {
    const intent: StripeSimIntent = {
      id: id('pi'),
      object: 'payment_intent',
      amount: input.amount,
      amount_received: input.amount,
      currency: input.currency,
      status: 'succeeded',
      customer: input.customer,
      payment_method: input.method,
      setup_future_usage: input.setupFutureUsage,
      metadata: input.metadata,
      next_action: null,
      latest_charge: null,
      livemode: false,
    };
    const charge: StripeSimCharge = {
      id: id('ch'),
      object: 'charge',
      amount: input.amount,
      amount_refunded: 0,
      currency: input.currency,
      payment_intent: intent.id,
      refunded: false,
      status: 'succeeded',
      metadata: {},
    };
    intent.latest_charge = charge.id;
    this.intents.set(intent.id, intent);
    this.charges.set(charge.id, charge);
    return intent;
  }

  private makeRefund(charge: StripeSimCharge, amount: number, metadata: Record<string, string>): StripeSimRefund {
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    const refund: StripeSimRefund = {
      id: id('re'),
      object: 'refund',
      amount,
      currency: charge.currency,
      charge: charge.id,
      payment_intent: charge.payment_intent,
      status: 'succeeded',
      metadata,
    };
    this.refunds.set(refund.id, refund);
    return refund;
  }

  private shown(object: StripeSimSession): Json {
    const { wanted: _wanted, ...rest } = object;
    return rest;
  }

  protected async answer(req: Request): Promise<GatewayAnswer> {
    if (this.down) return error(500, 'api_error', null, 'An unknown error occurred');
    const url = new URL(req.url);
    const page = /^\/pay\/(cs_\w+)$/.exec(url.pathname);
    if (page !== null) return this.checkoutPage(req, page[1]!);
    if (req.headers.get('authorization') !== `Bearer ${this.secretKey}`)
      return error(401, 'invalid_request_error', null, 'Invalid API Key provided');
    const raw = req.method === 'POST' ? await req.text() : '';
    if (req.method === 'POST') {
      const key = req.headers.get('idempotency-key');
      const cacheKey = typeof key === 'string' && key !== '' ? key : null;
      if (cacheKey !== null && cacheKey.length > 255) return error(400, 'invalid_request_error', null, 'Idempotency key too long');
      const body = parseForm(raw);
      const print = requestPrint(url.pathname, body);
      const cached = cacheKey === null ? undefined : this.keys.recall(cacheKey, print);
      if (cached === 'mismatch')
        return error(
          400,
          'idempotency_error',
          null,
          `Keys for idempotent requests can only be used with the same parameters they were first used with (key ${cacheKey})`,
        );
      if (cached !== undefined) return cached.answer;
      const answer =
        url.pathname === '/v1/checkout/sessions'
          ? this.createSession(body)
          : url.pathname === '/v1/payment_intents'
            ? this.createIntent(body)
            : url.pathname === '/v1/refunds'
              ? this.createRefund(body)
              : /^\/v1\/payment_methods\/\w+\/detach$/.test(url.pathname)
                ? this.detachMethod(url.pathname.split('/')[3]!)
                : error(404, 'invalid_request_error', null, `Unrecognized request URL (POST: ${url.pathname})`);
      if (cacheKey !== null && answer.status < 500) this.keys.set(cacheKey, print, answer);
      return answer;
    }
    if (req.method !== 'GET') return error(404, 'invalid_request_error', null, 'Unrecognized request URL');
    const query = parseForm(url.search.slice(1));
    const expand = Object.values((query['expand'] as Json | undefined) ?? {}).map(String);
    if (url.pathname === '/v1/refunds') return this.listRefunds(query);
    if (url.pathname === '/v1/checkout/sessions') {
      const intent = String(query['payment_intent'] ?? '');
      const data = [...this.sessions.values()].filter((s) => intent === '' || s.payment_intent === intent).map((s) => this.shown(s));
      return { status: 200, body: { object: 'list', url: '/v1/checkout/sessions', has_more: false, data: data.slice(0, 10) } };
    }
    const get = /^\/v1\/(checkout\/sessions|payment_intents|refunds)\/(\w+)$/.exec(url.pathname);
    if (get === null) return error(404, 'invalid_request_error', null, 'Unrecognized request URL');
    const found =
      get[1] === 'checkout/sessions'
        ? (() => {
            const session = this.sessions.get(get[2]!);
            return session && this.shown(session);
          })()
        : get[1] === 'payment_intents'
          ? this.intentShown(get[2]!, expand.includes('payment_method'))
          : this.refunds.get(get[2]!);
    return found === undefined
      ? error(404, 'invalid_request_error', 'resource_missing', `No such object: '${get[2]}'`)
      : { status: 200, body: found };
  }

  private intentShown(intentId: string, expandMethod: boolean): Json | undefined {
    const intent = this.intents.get(intentId);
    if (intent === undefined) return undefined;
    if (!expandMethod || intent.payment_method === null) return { ...intent };
    const method = {
      id: intent.payment_method,
      object: 'payment_method',
      type: 'card',
      card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2034 },
      customer: this.methods.get(intent.payment_method)?.customer ?? null,
    };
    return { ...intent, payment_method: method };
  }

  private createSession(body: Json): Answer {
    if (body['mode'] !== 'payment') return error(400, 'invalid_request_error', 'parameter_invalid', 'mode must be payment here', 'mode');
    const items = Object.values((body['line_items'] as Json | undefined) ?? {}) as Json[];
    const price = items[0]?.['price_data'] as Json | undefined;
    const currency = String(price?.['currency'] ?? '');
    const unit = Number(price?.['unit_amount']);
    const quantity = Number(items[0]?.['quantity'] ?? 1);
    if (items.length !== 1 || !/^[a-z]{3}$/.test(currency) || !Number.isInteger(unit) || unit <= 0 || quantity !== 1)
      return error(400, 'invalid_request_error', 'parameter_invalid', 'Invalid line_items', 'line_items');
    // Stripe's minimum charge is about 0.50 USD: a zero-decimal currency's amount is whole units.
    if (!ZERO_DECIMAL.has(currency) && unit < 50)
      return error(400, 'invalid_request_error', 'amount_too_small', 'Amount must be at least 50 cents', 'line_items');
    if (typeof body['success_url'] !== 'string')
      return error(400, 'invalid_request_error', 'parameter_missing', 'Missing success_url', 'success_url');
    const intentData = (body['payment_intent_data'] as Json | undefined) ?? {};
    const customer = typeof body['customer'] === 'string' ? body['customer'] : null;
    const sessionId = id('cs_test');
    const session: StripeSimSession = {
      id: sessionId,
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: unit * quantity,
      currency,
      url: `${this.url}/pay/${sessionId}`,
      success_url: body['success_url'],
      cancel_url: String(body['cancel_url'] ?? body['success_url']),
      client_reference_id: typeof body['client_reference_id'] === 'string' ? body['client_reference_id'] : null,
      customer,
      payment_intent: null,
      metadata: (body['metadata'] as Record<string, string> | undefined) ?? {},
      livemode: false,
      wanted: {
        save: intentData['setup_future_usage'] === 'off_session' && (customer !== null || body['customer_creation'] === 'always'),
        intentMetadata: (intentData['metadata'] as Record<string, string> | undefined) ?? {},
      },
    };
    this.sessions.set(session.id, session);
    return { status: 200, body: this.shown(session) };
  }

  /** Whether the saved PaymentMethod is still attached to its customer (tests). */
  attached(methodId: string): boolean {
    return (this.methods.get(methodId)?.customer ?? null) !== null;
  }

  /** `POST /v1/payment_methods/:id/detach`: the method leaves its customer; detaching it again is refused, as Stripe does. */
  private detachMethod(methodId: string): Answer {
    const method = this.methods.get(methodId);
    if (method === undefined) return error(404, 'invalid_request_error', 'resource_missing', `No such PaymentMethod: '${methodId}'`);
    if (method.customer === null)
      return error(
        400,
        'invalid_request_error',
        null,
        'The payment method you provided is not attached to a customer so detachment is impossible.',
      );
    method.customer = null;
    return { status: 200, body: { id: methodId, object: 'payment_method', type: 'card', customer: null, livemode: false } };
  }

  private createIntent(body: Json): Answer {
    const amount = Number(body['amount']);
    const currency = String(body['currency'] ?? '');
    if (!Number.isInteger(amount) || amount <= 0 || !/^[a-z]{3}$/.test(currency))
      return error(400, 'invalid_request_error', 'parameter_invalid', 'Invalid amount or currency', 'amount');
    const method = String(body['payment_method'] ?? '');
    const saved = this.methods.get(method);
    if (body['off_session'] !== 'true' || body['confirm'] !== 'true')
      return error(400, 'invalid_request_error', 'parameter_invalid', 'The simulator takes off-session confirmed intents only');
    if (saved === undefined || saved.customer === null || saved.customer !== body['customer'])
      return error(400, 'invalid_request_error', 'resource_missing', `No such PaymentMethod: '${method}'`, 'payment_method');
    const metadata = (body['metadata'] as Record<string, string> | undefined) ?? {};
    if (this.chargeAnswer === 'succeed') {
      const intent = this.intentPaid({ amount, currency, customer: saved.customer, method, metadata, setupFutureUsage: null });
      this.offSessionCharges.add(intent.id);
      return { status: 200, body: { ...intent } };
    }
    const intent: StripeSimIntent = {
      id: id('pi'),
      object: 'payment_intent',
      amount,
      amount_received: 0,
      currency,
      status: 'requires_payment_method',
      customer: saved.customer,
      payment_method: null,
      setup_future_usage: null,
      metadata,
      next_action: null,
      latest_charge: null,
      livemode: false,
    };
    this.intents.set(intent.id, intent);
    this.offSessionCharges.add(intent.id);
    const code = this.chargeAnswer === 'decline' ? 'card_declined' : 'authentication_required';
    return {
      status: 402,
      body: {
        error: {
          type: 'card_error',
          code,
          ...(code === 'card_declined' ? { decline_code: 'insufficient_funds' } : {}),
          message: code === 'card_declined' ? 'Your card has insufficient funds.' : 'This payment requires authentication.',
          payment_intent: { ...intent },
        },
      },
    };
  }

  private createRefund(body: Json): Answer {
    const intent = this.intents.get(String(body['payment_intent'] ?? ''));
    const charge = this.charges.get(intent?.latest_charge ?? '');
    if (intent === undefined || charge === undefined)
      return error(400, 'invalid_request_error', 'resource_missing', 'No such payment_intent', 'payment_intent');
    const left = charge.amount - charge.amount_refunded;
    const amount = body['amount'] === undefined ? left : Number(body['amount']);
    if (left === 0) return error(400, 'invalid_request_error', 'charge_already_refunded', 'Charge has already been refunded.');
    if (!Number.isInteger(amount) || amount <= 0 || amount > left)
      return error(400, 'invalid_request_error', 'amount_too_large', 'Refund amount is greater than unrefunded amount on charge', 'amount');
    const refund = this.makeRefund(charge, amount, (body['metadata'] as Record<string, string> | undefined) ?? {});
    return { status: 200, body: { ...refund } };
  }

  /** `GET /v1/refunds?payment_intent=&limit=&starting_after=`: newest first, a page at a time. */
  private listRefunds(query: Json): Answer {
    const limit = Number(query['limit'] ?? 10);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return error(400, 'invalid_request_error', 'parameter_invalid', 'Invalid limit', 'limit');
    const intent = typeof query['payment_intent'] === 'string' ? query['payment_intent'] : null;
    const all = [...this.refunds.values()].filter((refund) => intent === null || refund.payment_intent === intent).reverse();
    const after = typeof query['starting_after'] === 'string' ? all.findIndex((refund) => refund.id === query['starting_after']) + 1 : 0;
    const data = all.slice(after, after + limit).map((refund) => ({ ...refund }));
    return { status: 200, body: { object: 'list', url: '/v1/refunds', has_more: after + limit < all.length, data } };
  }

  private async checkoutPage(req: Request, sessionId: string): Promise<Answer> {
    const session = this.sessions.get(sessionId);
    if (session === undefined) return { status: 404, body: '<!doctype html><p>Session not found</p>' };
    if (req.method === 'GET') {
      const major = ZERO_DECIMAL.has(session.currency) ? String(session.amount_total) : (session.amount_total / 100).toFixed(2);
      return {
        status: 200,
        body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stripe Checkout (simulated): ${major} ${session.currency.toUpperCase()}</title></head>
<body><h1>Stripe Checkout (simulated)</h1><p>${major} ${session.currency.toUpperCase()}</p>
<form method="post"><button type="submit">Pay</button></form></body></html>`,
      };
    }
    await this.pay(sessionId);
    return { status: 303, body: '', headers: { location: session.success_url } };
  }
}

function error(status: number, type: string, code: string | null, message: string, param?: string): Answer {
  return { status, body: { error: { type, ...(code === null ? {} : { code }), message, ...(param === undefined ? {} : { param }) } } };
}

/** A form body with Stripe's bracketed keys (`a[b][0][c]=v`) as nested objects (array indices stay object keys). */
function parseForm(raw: string): Json {
  const root: Json = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const path = key.split('[').map((part, i) => (i === 0 ? part : part.replace(/\]$/, '')));
    let node = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Json;
    });
  }
  return root;
}
