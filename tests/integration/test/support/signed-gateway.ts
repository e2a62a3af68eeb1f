import { createHmac, timingSafeEqual } from 'node:crypto';
import { PaymentSignatureError, type PaymentProvider } from '@panelkit/sdk';
import type { PaymentCallback } from '@panelkit/sdk/payments';

const SECRET = 'integration-gateway-secret';
const sign = (text: string) => createHmac('sha256', SECRET).update(text).digest('hex');

/**
 * A gateway provider for the multi-process payment tests: an invoice's reference is derived from the
 * payment id (so every process agrees without shared state), callbacks are HMAC-signed, and an admin
 * may mark a payment paid. Parent and replicas each build their own.
 */
export function signedGatewayProvider(): PaymentProvider {
  return {
    id: 'crypto',
    capabilities: { confirmations: ['gateway', 'admin_mark_paid'], adminReject: false },
    maxPending: 100,
    pendingTtlMs: 3_600_000,
    open: async (request) => ({ externalRef: `inv-${request.paymentId}`, redirectUrl: `https://gateway.test/pay/${request.paymentId}` }),
    async parseCallback({ headers, body }) {
      const text = JSON.stringify(body);
      const given = Buffer.from(headers['x-signature'] ?? '', 'hex');
      const expected = Buffer.from(sign(text), 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new PaymentSignatureError('crypto', 'bad signature');
      const b = body as { invoice: string; status: string; amount: number; currency: string };
      return {
        externalRef: b.invoice,
        kind: b.status === 'finished' ? 'paid' : 'waiting',
        amount: { amount: b.amount, currency: b.currency },
        providerStatus: b.status,
      };
    },
  };
}

/** The gateway's signed `finished` callback for an invoice. */
export function finishedCallback(invoice: string, amount: number, currency: string): PaymentCallback {
  const body = { invoice, status: 'finished', amount, currency };
  return { headers: { 'x-signature': sign(JSON.stringify(body)) }, body, query: {} };
}
