import { randomBytes } from 'node:crypto';
import { cryptoPaySignature } from '../cryptobot/signature.js';
import { GatewaySimulator, type GatewayAnswer } from './gateway-simulator.js';

/** An invoice as the simulated Crypto Pay keeps it (and answers it in `getInvoices` and webhooks). */
export interface CryptoBotSimInvoice {
  /** The invoice id (the provider's external reference). */
  invoice_id: number;
  /** The invoice page's hash. */
  hash: string;
  /** `active` (payable), `paid` or `expired`. */
  status: 'active' | 'paid' | 'expired';
  /** Always `fiat` here: priced in `fiat`. */
  currency_type: 'fiat';
  /** The fiat currency the invoice is priced in. */
  fiat: string;
  /** The price in major units of `fiat`, as sent. */
  amount: string;
  /** The invoice's page, where the buyer pays. */
  bot_invoice_url: string;
  /** What the invoice says it is for. */
  description: string;
  /** The merchant's payload (the payment's id). */
  payload: string;
  /** When it was made (ISO 8601). */
  created_at: string;
  /** When it was paid. */
  paid_at?: string;
  /** The crypto it was paid in. */
  paid_asset?: string;
  /** How much of `paid_asset`. */
  paid_amount?: string;
  /** Where the "paid" button sends the buyer. */
  paid_btn_url?: string;
}

/** A webhook as the simulator sends it: the exact body bytes and their signature. */
export interface CryptoBotSimWebhook {
  /** The body, byte for byte as sent. */
  rawBody: string;
  /** Its `crypto-pay-api-signature`. */
  signature: string;
}

/** Options of {@link CryptoBotSimulator}: the app's token (a fresh random one unless given) and where webhooks go. */
export interface CryptoBotSimulatorOptions {
  /** The app's API token. */
  token?: string;
  /** Where `invoice_paid` webhooks go (default none). */
  webhookUrl?: string | null;
}

/**
 * A Crypto Pay (CryptoBot) API on 127.0.0.1, for tests and the demo: `createInvoice` and `getInvoices` behind the
 * `Crypto-Pay-API-Token` header in Crypto Pay's `{ ok, result }` envelope, a page per invoice whose button "pays" in
 * the buyer's CryptoBot wallet, and the `invoice_paid` webhook to `webhookUrl` (the app's webhook address, set once
 * per app as in `@CryptoBot`), signed as Crypto Pay signs it: `crypto-pay-api-signature`, hex HMAC-SHA256 of the raw
 * body keyed by the SHA-256 of the token.
 */
export class CryptoBotSimulator extends GatewaySimulator {
  /** The app's API token (`Crypto-Pay-API-Token`); webhooks are signed with its SHA-256. */
  readonly token: string;
  /** The invoices made, by id. */
  readonly invoices = new Map<string, CryptoBotSimInvoice>();
  /** Where `invoice_paid` webhooks go (`null`: none are sent). */
  webhookUrl: string | null;
  /** While true, every request is answered 503 (Crypto Pay is down). */
  down = false;
  private counter = 900_000;
  private updates = 1;

  /** A Crypto Pay app: `options`' token or a fresh random one; webhooks to `options.webhookUrl` once set. */
  constructor(options: CryptoBotSimulatorOptions = {}) {
    super();
    this.token = options.token ?? `${1000 + Math.floor(Math.random() * 9000)}:AA${randomBytes(16).toString('hex')}`;
    this.webhookUrl = options.webhookUrl ?? null;
  }

  /** The invoice with this id (as the shop stores it: the external reference). */
  invoice(invoiceId: string): CryptoBotSimInvoice {
    const invoice = this.invoices.get(invoiceId);
    if (invoice === undefined) throw new Error(`no invoice ${invoiceId}`);
    return invoice;
  }

  /** The `invoice_paid` webhook of an invoice, as Crypto Pay would send it (optionally signed with another token: a forgery). */
  webhook(invoiceId: string, options: { wrongToken?: boolean } = {}): CryptoBotSimWebhook {
    const rawBody = JSON.stringify({
      update_id: this.updates++,
      update_type: 'invoice_paid',
      request_date: new Date().toISOString(),
      payload: this.invoice(invoiceId),
    });
    return { rawBody, signature: cryptoPaySignature(rawBody, options.wrongToken ? `${this.token}x` : this.token) };
  }

  /** Sends an invoice's webhook to `webhookUrl` (again: Crypto Pay retries until answered 200); the shop's status. */
  async deliver(invoiceId: string, options: { wrongToken?: boolean; webhook?: CryptoBotSimWebhook } = {}): Promise<number> {
    if (this.webhookUrl === null) throw new Error('the simulator has no webhook address');
    const { rawBody, signature } = options.webhook ?? this.webhook(invoiceId, options);
    const res = await fetch(this.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'crypto-pay-api-signature': signature },
      body: rawBody,
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** The buyer pays the invoice in their CryptoBot wallet; its webhook is sent `deliveries` times (0: never). */
  async pay(invoiceId: string, options: { deliveries?: number } = {}): Promise<number[]> {
    const invoice = this.invoice(invoiceId);
    invoice.status = 'paid';
    invoice.paid_at = new Date().toISOString();
    invoice.paid_asset = 'USDT';
    invoice.paid_amount = invoice.amount;
    const statuses: number[] = [];
    for (let i = 0; i < (options.deliveries ?? (this.webhookUrl === null ? 0 : 1)); i++) statuses.push(await this.deliver(invoiceId));
    return statuses;
  }

  /** The invoice's time ran out unpaid (Crypto Pay sends no webhook for it). */
  expire(invoiceId: string): void {
    this.invoice(invoiceId).status = 'expired';
  }

  protected async answer(req: Request): Promise<GatewayAnswer> {
    if (this.down) return { status: 503, body: { ok: false, error: { code: 503, name: 'SERVICE_UNAVAILABLE' } } };
    const url = new URL(req.url);
    const api = /^\/api\/(\w+)$/.exec(url.pathname);
    if (api !== null) {
      if (req.headers.get('crypto-pay-api-token') !== this.token)
        return { status: 401, body: { ok: false, error: { code: 401, name: 'UNAUTHORIZED' } } };
      const raw = await req.text();
      const params = { ...Object.fromEntries(url.searchParams), ...(raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>)) };
      if (api[1] === 'createInvoice') return { status: 200, body: { ok: true, result: this.create(params) } };
      if (api[1] === 'getInvoices') {
        const ids = String(params['invoice_ids'] ?? '')
          .split(',')
          .filter(Boolean);
        const items = [...this.invoices.values()].filter((i) => ids.length === 0 || ids.includes(String(i.invoice_id)));
        return { status: 200, body: { ok: true, result: { items } } };
      }
      return { status: 405, body: { ok: false, error: { code: 405, name: 'METHOD_NOT_FOUND' } } };
    }
    const page = /^\/invoice\/(\w+)$/.exec(url.pathname);
    const invoice = page === null ? undefined : [...this.invoices.values()].find((i) => i.hash === page[1]);
    if (invoice === undefined) return { status: 404, body: { ok: false, error: { code: 404, name: 'NOT_FOUND' } } };
    if (req.method === 'GET')
      return {
        status: 200,
        body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay ${invoice.amount} ${invoice.fiat}</title></head>
<body><h1>Simulated CryptoBot invoice</h1><p>Invoice ${invoice.invoice_id}: ${invoice.amount} ${invoice.fiat} (${invoice.status})</p>
<form method="post" action="/invoice/${invoice.hash}"><button type="submit">Pay with USDT from my CryptoBot wallet (simulated)</button></form></body></html>`,
      };
    if (invoice.status === 'active') await this.pay(String(invoice.invoice_id));
    return invoice.paid_btn_url === undefined
      ? { status: 200, body: '<!doctype html><p>Paid.</p>' }
      : { status: 303, body: '', headers: { location: invoice.paid_btn_url } };
  }

  private create(params: Record<string, unknown>): CryptoBotSimInvoice {
    const id = this.counter++;
    const hash = `IV${randomBytes(6).toString('hex')}`;
    const invoice: CryptoBotSimInvoice = {
      invoice_id: id,
      hash,
      status: 'active',
      currency_type: 'fiat',
      fiat: String(params['fiat']),
      amount: String(params['amount']),
      bot_invoice_url: new URL(`invoice/${hash}`, this.url).toString(),
      description: String(params['description'] ?? ''),
      payload: String(params['payload'] ?? ''),
      created_at: new Date().toISOString(),
      ...(typeof params['paid_btn_url'] === 'string' ? { paid_btn_url: params['paid_btn_url'] } : {}),
    };
    this.invoices.set(String(id), invoice);
    return invoice;
  }
}
