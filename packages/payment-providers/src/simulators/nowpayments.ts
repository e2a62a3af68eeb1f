import { randomBytes } from 'node:crypto';
import { ipnSignature } from '../nowpayments/signature.js';
import { GatewaySimulator, type GatewayAnswer } from './gateway-simulator.js';

/** An invoice as the simulated NOWPayments keeps it. */
export interface NowPaymentsSimInvoice {
  /** The invoice id (the provider's external reference). */
  id: string;
  /** The price, in major units. */
  priceAmount: number;
  /** The price's currency, as sent (lower case). */
  priceCurrency: string;
  /** The merchant's order id (the payment's id). */
  orderId: string;
  /** Where IPN callbacks go. */
  ipnCallbackUrl: string;
  /** Where the buyer is sent back, with `NP_id`. */
  successUrl: string;
}

/** A payment as the simulated NOWPayments keeps it (and answers it in `GET /v1/payment/<id>` and callbacks). */
export interface NowPaymentsSimPayment {
  /** The payment id (`NP_id`). */
  payment_id: string;
  /** `finished`, `partially_paid`, `failed`, `expired`, `refunded`, … */
  payment_status: string;
  /** The amount priced, in major units. */
  price_amount: number;
  /** Its currency (lower case). */
  price_currency: string;
  /** The merchant's order id. */
  order_id: string;
  /** The invoice paid. */
  invoice_id: string;
  /** The crypto paid in. */
  pay_currency: string;
  /** How much arrived. */
  actually_paid: number;
}

/** How the next payment on the simulator's pay page goes: what it reports, and how its callback is delivered. */
export interface NowPaymentsSimPlan {
  /** What the payment reports (default `finished`). */
  status?: 'finished' | 'partially_paid' | 'failed' | 'expired';
  /** A different amount than the invoice's (a gateway bug or a tampered page). */
  priceAmount?: number;
  /** How many times the signed callback is sent (0: never, the buyer's return must settle it). */
  deliveries?: number;
  /** Sign the callback with another secret (a forgery the shop must refuse). */
  wrongSignature?: boolean;
}

/** Options of {@link NowPaymentsSimulator}: its credentials (fresh random ones unless given). */
export interface NowPaymentsSimulatorOptions {
  /** The API key. */
  apiKey?: string;
  /** The IPN secret. */
  ipnSecret?: string;
}

/**
 * A NOWPayments-like crypto gateway on 127.0.0.1, for tests and the demo: `POST /v1/invoice` and
 * `GET /v1/payment/<id>` behind `x-api-key`, a hosted pay page (`/pay/<invoice>`) whose button "pays", sends the
 * HMAC-SHA512-signed callback (sorted JSON, `x-nowpayments-sig`) to the invoice's `ipn_callback_url`, and sends the buyer
 * back to `success_url` with `NP_id=<payment id>`, as the real service does.
 */
export class NowPaymentsSimulator extends GatewaySimulator {
  /** The API key (`x-api-key`). */
  readonly apiKey: string;
  /** The IPN secret callbacks are signed with. */
  readonly ipnSecret: string;
  /** The invoices made, by id. */
  readonly invoices = new Map<string, NowPaymentsSimInvoice>();
  /** The payments made on them, by payment id. */
  readonly payments = new Map<string, NowPaymentsSimPayment>();
  /** What the next payment does; reset after each. */
  next: NowPaymentsSimPlan = {};
  /** While true, every request is answered 503 (the gateway is down). */
  down = false;
  private counter = 5_000_000_000;

  /** A gateway with `options`' credentials, or fresh random ones. */
  constructor(options: NowPaymentsSimulatorOptions = {}) {
    super();
    this.apiKey = options.apiKey ?? `sim-${randomBytes(12).toString('hex')}`;
    this.ipnSecret = options.ipnSecret ?? `ipn-${randomBytes(16).toString('hex')}`;
  }

  /** Sends a payment's signed callback again (a gateway retrying), optionally with another secret. */
  async deliver(paymentId: string, options: { wrongSignature?: boolean } = {}): Promise<number> {
    const payment = this.payments.get(paymentId)!;
    const invoice = this.invoices.get(payment.invoice_id)!;
    const signature = ipnSignature(payment, options.wrongSignature ? 'not-the-secret' : this.ipnSecret);
    const res = await fetch(invoice.ipnCallbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-nowpayments-sig': signature },
      body: JSON.stringify(payment),
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** The gateway refunds a finished payment (or the buyer's chargeback comes through): it reports `refunded` in a signed callback. */
  async refund(paymentId: string): Promise<number> {
    const payment = this.payments.get(paymentId)!;
    payment.payment_status = 'refunded';
    return this.deliver(paymentId);
  }

  /** Pays an invoice as its pay page would, without following the redirect: the payment id. */
  async pay(invoiceId: string): Promise<string> {
    const res = await fetch(new URL(`pay/${invoiceId}`, this.url), { method: 'POST', redirect: 'manual' });
    return new URL(res.headers.get('location')!).searchParams.get('NP_id')!;
  }

  protected async answer(req: Request): Promise<GatewayAnswer> {
    if (this.down) return { status: 503, body: { message: 'Service Unavailable' } };
    const url = new URL(req.url);
    const apiCall = url.pathname.startsWith('/v1/');
    if (apiCall && req.headers.get('x-api-key') !== this.apiKey) return { status: 403, body: { message: 'Invalid api key' } };
    if (req.method === 'POST' && url.pathname === '/v1/invoice') {
      const input = JSON.parse(await req.text()) as Record<string, unknown>;
      const id = String(this.counter++);
      this.invoices.set(id, {
        id,
        priceAmount: Number(input['price_amount']),
        priceCurrency: String(input['price_currency']),
        orderId: String(input['order_id']),
        ipnCallbackUrl: String(input['ipn_callback_url']),
        successUrl: String(input['success_url']),
      });
      return {
        status: 200,
        body: {
          id,
          order_id: input['order_id'],
          price_amount: input['price_amount'],
          price_currency: input['price_currency'],
          invoice_url: new URL(`pay/${id}`, this.url).toString(),
        },
      };
    }
    const paymentMatch = /^\/v1\/payment\/(\w+)$/.exec(url.pathname);
    if (req.method === 'GET' && paymentMatch !== null) {
      const payment = this.payments.get(paymentMatch[1]!);
      return payment === undefined ? { status: 404, body: { message: 'Payment not found' } } : { status: 200, body: payment };
    }
    const payMatch = /^\/pay\/(\w+)$/.exec(url.pathname);
    const invoice = payMatch === null ? undefined : this.invoices.get(payMatch[1]!);
    if (invoice === undefined) return { status: 404, body: { message: 'Not found' } };
    if (req.method === 'GET') {
      return {
        status: 200,
        body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay ${invoice.priceAmount} ${invoice.priceCurrency.toUpperCase()}</title></head>
<body><h1>Simulated crypto payment</h1><p>Invoice ${invoice.id}: ${invoice.priceAmount} ${invoice.priceCurrency.toUpperCase()}</p>
<form method="post" action="/pay/${invoice.id}"><button type="submit">Pay with USDT (simulated)</button></form></body></html>`,
      };
    }
    const plan = this.next;
    this.next = {};
    const payment: NowPaymentsSimPayment = {
      payment_id: String(this.counter++),
      payment_status: plan.status ?? 'finished',
      price_amount: plan.priceAmount ?? invoice.priceAmount,
      price_currency: invoice.priceCurrency,
      order_id: invoice.orderId,
      invoice_id: invoice.id,
      pay_currency: 'usdttrc20',
      actually_paid: plan.priceAmount ?? invoice.priceAmount,
    };
    this.payments.set(payment.payment_id, payment);
    for (let i = 0; i < (plan.deliveries ?? 1); i++)
      await this.deliver(payment.payment_id, { wrongSignature: plan.wrongSignature ?? false });
    const back = new URL(invoice.successUrl);
    back.searchParams.set('NP_id', payment.payment_id);
    return { status: 303, body: '', headers: { location: back.toString() } };
  }
}
