import { randomUUID } from 'node:crypto';
import { GatewaySimulator, type GatewayAnswer } from './gateway-simulator.js';

/** A payment session as the simulated Zarinpal keeps it. */
export interface ZarinpalSimSession {
  /** The session's authority (the provider's external reference). */
  authority: string;
  /** The amount asked, in rials. */
  amount: number;
  /** Where the buyer is sent back. */
  callbackUrl: string;
  /** What the buyer did on the pay page. */
  state: 'created' | 'paid' | 'cancelled';
  /** Whether a verify call answered `100` already. */
  verified: boolean;
  /** The bank's reference, once verified. */
  refId: number;
}

/** Options of {@link ZarinpalSimulator}: the merchant it knows (a fresh random one unless given). */
export interface ZarinpalSimulatorOptions {
  /** The merchant id. */
  merchantId?: string;
}

/**
 * A Zarinpal-like payment gateway on 127.0.0.1 for tests and the demo, after Zarinpal's documented v4
 * flow: `POST pg/v4/payment/request.json` gives an authority, the buyer pays on `pg/StartPay/<authority>`
 * and is sent back to the callback URL with `Authority` and `Status=OK|NOK`, and `POST
 * pg/v4/payment/verify.json` (merchant, amount, authority) answers `100` the first time a paid session
 * is verified, `101` after, `-51` for a session not paid, `-50` for another amount, `-54` for an
 * unknown authority, `-11` for another merchant. `down` makes every call answer 503.
 */
export class ZarinpalSimulator extends GatewaySimulator {
  /** The merchant id the gateway knows. */
  readonly merchantId: string;
  /** The payment sessions, by authority. */
  readonly sessions = new Map<string, ZarinpalSimSession>();
  /** While true, every request is answered 503. */
  down = false;
  private counter = 1;

  /** A gateway knowing one merchant: `options.merchantId`, or a fresh random one. */
  constructor(options: ZarinpalSimulatorOptions = {}) {
    super();
    this.merchantId = options.merchantId ?? randomUUID();
  }

  /** The buyer pays (or cancels) on the pay page, without following the redirect: the callback URL they are sent to. */
  async pay(authority: string, choice: 'pay' | 'cancel' = 'pay'): Promise<URL> {
    const res = await fetch(new URL(`pg/StartPay/${authority}`, this.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `choice=${choice}`,
      redirect: 'manual',
    });
    await res.arrayBuffer();
    return new URL(res.headers.get('location')!);
  }

  protected async answer(req: Request): Promise<GatewayAnswer> {
    if (this.down) return { status: 503, body: { message: 'Service Unavailable' } };
    const url = new URL(req.url);
    if (req.method === 'POST' && url.pathname === '/pg/v4/payment/request.json') return this.request(JSON.parse(await req.text()));
    if (req.method === 'POST' && url.pathname === '/pg/v4/payment/verify.json') return this.verify(JSON.parse(await req.text()));
    const match = /^\/pg\/StartPay\/(\w+)$/.exec(url.pathname);
    const session = match === null ? undefined : this.sessions.get(match[1]!);
    if (session === undefined) return { status: 404, body: '<!doctype html><title>Not found</title><p>Unknown payment</p>' };
    if (req.method === 'GET') {
      return {
        status: 200,
        body: `<!doctype html><html lang="fa"><head><meta charset="utf-8"><title>Zarinpal (simulated): ${session.amount} IRR</title></head>
<body><h1>Simulated Zarinpal payment</h1><p>${session.amount} IRR</p>
<form method="post"><button name="choice" value="pay">Pay</button> <button name="choice" value="cancel">Cancel</button></form></body></html>`,
      };
    }
    const choice = new URLSearchParams(await req.text()).get('choice');
    if (session.state === 'created') session.state = choice === 'pay' ? 'paid' : 'cancelled';
    const back = new URL(session.callbackUrl);
    back.searchParams.set('Authority', session.authority);
    back.searchParams.set('Status', session.state === 'paid' ? 'OK' : 'NOK');
    return { status: 302, body: '', headers: { location: back.toString() } };
  }

  private request(body: Record<string, unknown>): { status: number; body: unknown } {
    if (body['merchant_id'] !== this.merchantId) return refusal(-11, 'Merchant is not active');
    const amount = body['amount'];
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1000 || typeof body['callback_url'] !== 'string')
      return refusal(-9, 'The input params invalid, validation error.');
    const authority = `A${String(this.counter++).padStart(35, '0')}`;
    this.sessions.set(authority, { authority, amount, callbackUrl: body['callback_url'], state: 'created', verified: false, refId: 0 });
    return { status: 200, body: { data: { code: 100, message: 'Success', authority, fee_type: 'Merchant', fee: 0 }, errors: [] } };
  }

  private verify(body: Record<string, unknown>): { status: number; body: unknown } {
    if (body['merchant_id'] !== this.merchantId) return refusal(-11, 'Merchant is not active');
    const session = this.sessions.get(String(body['authority']));
    if (session === undefined) return refusal(-54, 'Invalid authority.');
    if (body['amount'] !== session.amount) return refusal(-50, 'Session is not valid, amounts values is not the same.');
    if (session.state !== 'paid') return refusal(-51, 'Session is not valid, session is not active paid try.');
    const code = session.verified ? 101 : 100;
    if (!session.verified) {
      session.verified = true;
      session.refId = 200_000 + this.counter++;
    }
    return {
      status: 200,
      body: {
        data: {
          code,
          message: code === 100 ? 'Paid' : 'Verified',
          card_pan: '502229******5995',
          ref_id: session.refId,
          fee_type: 'Merchant',
          fee: 0,
        },
        errors: [],
      },
    };
  }
}

function refusal(code: number, message: string): { status: number; body: unknown } {
  return { status: 400, body: { data: [], errors: { code, message, validations: [] } } };
}
