import { createHmac } from 'node:crypto';
import { PaymentProviderUnavailableError, PaymentSignatureError, type PaymentProvider } from '../../src/index.js';
import type { PaymentCallback, PaymentSignal } from '../../src/payments.js';
import type { PaymentGatewayHarness } from '../../src/testing/index.js';

const SECRET = 'fake-gateway-secret';
const sign = (body: string) => createHmac('sha256', SECRET).update(body).digest('hex');

/**
 * A gateway in memory for the engine's tests: invoices, signed callbacks, refunds, a switch to take it
 * down. `provider` is what a host would register; `harness` drives its world for the conformance suite.
 * Its API keys an invoice on the payment id, as YooKassa's `Idempotence-Key` does: the same id again
 * answers the invoice it made. `loseNextAnswer` makes the next invoice and loses the answer.
 */
export function fakeGateway(options: { id?: string; pendingTtlMs?: number | null; maxPending?: number | null } = {}) {
  const id = options.id ?? 'gateway';
  let down = false;
  let loseNext = false;
  let counter = 0;
  const invoices = new Map<string, { amount: number; currency: string }>();
  const byPaymentId = new Map<string, string>();
  /** Every payment id `open` was called with, in order (a retried one again). */
  const opened: string[] = [];
  const callback = (body: Record<string, unknown>): PaymentCallback => {
    const text = JSON.stringify(body);
    return { headers: { 'x-signature': sign(text) }, body: JSON.parse(text), query: {} };
  };
  const signal = (invoice: string, status: string, settlement?: string): PaymentCallback => {
    const known = invoices.get(invoice)!;
    return callback({ invoice, status, amount: known.amount, currency: known.currency, ...(settlement ? { settlement } : {}) });
  };

  const provider: PaymentProvider = {
    id,
    capabilities: { confirmations: ['gateway', 'admin_mark_paid'], adminReject: false },
    maxPending: options.maxPending === undefined ? 5 : options.maxPending,
    pendingTtlMs: options.pendingTtlMs === undefined ? 3_600_000 : options.pendingTtlMs,
    async open(request) {
      if (down) throw new PaymentProviderUnavailableError(id, 'the fake gateway is down');
      opened.push(request.paymentId);
      const invoice = byPaymentId.get(request.paymentId) ?? `inv-${++counter}`;
      byPaymentId.set(request.paymentId, invoice);
      invoices.set(invoice, { amount: request.amount.amount, currency: request.amount.currency });
      if (loseNext) {
        loseNext = false;
        throw new PaymentProviderUnavailableError(id, 'the answer of the fake gateway was lost');
      }
      return { externalRef: invoice, redirectUrl: `https://gateway.test/pay/${invoice}` };
    },
    async parseCallback({ headers, body }): Promise<PaymentSignal> {
      if (headers['x-signature'] !== sign(JSON.stringify(body))) throw new PaymentSignatureError(id, 'bad signature');
      const b = body as { invoice: string; status: string; amount: number; currency: string; settlement?: string };
      const kind = b.status === 'finished' ? 'paid' : b.status === 'refunded' ? 'refunded' : b.status === 'failed' ? 'failed' : 'waiting';
      return {
        externalRef: b.invoice,
        kind,
        amount: { amount: b.amount, currency: b.currency },
        providerStatus: b.status,
        ...(b.settlement === undefined ? {} : { settlementRef: b.settlement }),
      };
    },
  };

  const harness: PaymentGatewayHarness = {
    pay: async (opened) => ({ callback: signal(opened.externalRef, 'finished', `${opened.externalRef}-p1`) }),
    refund: async (opened) => ({ callback: signal(opened.externalRef, 'refunded') }),
    forge: (c) => ({ ...c, headers: { 'x-signature': sign('something else') } }),
    setDown: (value) => {
      down = value;
    },
    paymentCount: async () => invoices.size,
    loseNextAnswer: () => {
      loseNext = true;
    },
  };

  return {
    provider,
    harness,
    /** The signed callback the gateway sends for `invoice` in `status` (`settlement`: which of its payments). */
    callback: signal,
    setDown: harness.setDown,
    loseNextAnswer: harness.loseNextAnswer!,
    /** How many invoices the gateway holds. */
    invoiceCount: () => invoices.size,
    opened,
  };
}
