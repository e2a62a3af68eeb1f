import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Payment } from '../../domain/payment.js';
import { PaymentSchema } from '../../domain/payment.js';
import {
  PaymentProviderUnavailableError,
  PaymentSignatureError,
  type PaymentCallback,
  type PaymentOpenRequest,
  type PaymentOpened,
  type PaymentProvider,
  type PaymentSignal,
} from '../../ports/payment-provider.js';

/** How the provider's world reaches the host after something happened: a callback, or the buyer's return (verify). */
export type PaymentDelivery = { callback: PaymentCallback } | { returned: Record<string, string> };

/**
 * The outside world of a gateway provider, driven by the suite: its simulator (or msw handlers) must
 * let the suite pay an opened payment, refund it, forge a callback and take the gateway down.
 */
export interface PaymentGatewayHarness {
  /** The buyer pays `opened` in full; returns how the gateway tells the host. */
  pay(opened: PaymentOpened, request: PaymentOpenRequest): Promise<PaymentDelivery>;
  /** The gateway refunds a paid payment (omit when the provider reports no refunds). */
  refund?(opened: PaymentOpened, request: PaymentOpenRequest): Promise<PaymentDelivery>;
  /** A callback the gateway did not send: the same content with a forged or missing signature (callback providers). */
  forge?(callback: PaymentCallback): PaymentCallback;
  /** Makes the gateway unreachable (`true`) or reachable again. */
  setDown(down: boolean): void;
}

/** What the factory gives each test: the provider, and for gateways the harness of its world. */
export interface PaymentProviderUnderTest {
  provider: PaymentProvider;
  gateway?: PaymentGatewayHarness;
  /** The currency the suite's payments are in (default `USD`): a gateway that takes one currency names it. */
  currency?: string;
  /** Called after the test: stop the gateway simulator, close what the factory opened. */
  cleanup?: () => Promise<void>;
}

let sequence = 0;
function openRequest(currency: string, method: string | null = null): PaymentOpenRequest {
  sequence++;
  return {
    paymentId: `pay_conformance_${Date.now().toString(36)}_${sequence}`,
    customerId: 'cus_conformance',
    amount: { amount: 80_000 + sequence * 100, currency },
    returnUrl: 'http://127.0.0.1:9/wallet/return',
    description: 'conformance top-up',
    method,
  };
}

/** The payment as the engine would have stored it after `open`. */
function storedPayment(request: PaymentOpenRequest, opened: PaymentOpened): Payment {
  const now = new Date();
  return {
    id: request.paymentId,
    customerId: request.customerId,
    providerId: 'conformance',
    amount: request.amount.amount,
    currency: request.amount.currency,
    status: 'pending',
    externalRef: opened.externalRef,
    requestKey: null,
    details: opened.details ?? {},
    expiresAt: null,
    confirmation: null,
    ledgerEntryId: null,
    reversalEntryId: null,
    decidedBy: null,
    note: null,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * The payment provider conformance suite: what `PaymentProvider` promises, as tests. A provider without
 * a gateway (card receipts, the test provider) is checked for a consistent declaration; a gateway
 * provider, through its harness, for opening, translating a payment, a replay, a refund and a forgery,
 * and for failing typed when the gateway is down.
 *
 * ```ts
 * describePaymentProvider('zarinpal', async () => ({ provider, gateway: harnessOf(simulator) }));
 * ```
 */
export function describePaymentProvider(name: string, factory: () => Promise<PaymentProviderUnderTest>): void {
  describe(`payment provider: ${name}`, () => {
    let current: PaymentProviderUnderTest | undefined;
    const under = (): PaymentProviderUnderTest => {
      if (current === undefined) throw new Error('the provider is only available inside a test');
      return current;
    };
    const signalOf = async (provider: PaymentProvider, delivery: PaymentDelivery, payment: Payment): Promise<PaymentSignal> => {
      if ('callback' in delivery) {
        expect(provider.parseCallback, 'a callback was delivered to a provider without parseCallback').toBeDefined();
        return provider.parseCallback!(delivery.callback);
      }
      expect(provider.verify, 'the buyer returned to a provider without verify').toBeDefined();
      return provider.verify!(payment, delivery.returned);
    };
    const gatewayOf = (): { provider: PaymentProvider; gateway: PaymentGatewayHarness } => {
      const { provider, gateway } = under();
      if (gateway === undefined) throw new Error('this test needs a gateway harness');
      return { provider, gateway };
    };

    beforeEach(async () => {
      current = await factory();
    });
    afterEach(async () => {
      const done = current;
      current = undefined;
      await done?.cleanup?.();
    });

    it('declares an id, limits and a consistent set of ways to confirm', () => {
      const { provider, gateway } = under();
      expect(PaymentSchema.shape.providerId.safeParse(provider.id).success, `id ${provider.id}`).toBe(true);
      const { confirmations, adminReject } = provider.capabilities;
      expect(confirmations.length).toBeGreaterThan(0);
      expect(new Set(confirmations).size).toBe(confirmations.length);
      expect(typeof adminReject).toBe('boolean');
      for (const limit of [provider.maxPending, provider.pendingTtlMs]) if (limit !== null) expect(limit).toBeGreaterThan(0);
      const byGateway = confirmations.includes('gateway');
      // A gateway's payments are opened there and confirmed by what it says; nothing else has a gateway.
      expect(provider.open !== undefined).toBe(byGateway);
      expect(provider.parseCallback !== undefined || provider.verify !== undefined).toBe(byGateway);
      expect(gateway !== undefined).toBe(byGateway);
      // An admin's approval is for receipts; a gateway's payment is overridden only by an explicit mark-paid.
      if (byGateway) expect(confirmations).not.toContain('admin_approval');
      if (confirmations.includes('instant')) expect(confirmations).toEqual(['instant']);
    });

    it('opens a payment at the gateway: a reference of its own each time, and where the buyer pays', async (context) => {
      if (under().gateway === undefined) return context.skip();
      const { provider } = gatewayOf();
      const first = await provider.open!(openRequest(under().currency ?? 'USD'));
      const second = await provider.open!(openRequest(under().currency ?? 'USD'));
      for (const opened of [first, second]) {
        expect(opened.externalRef.length).toBeGreaterThan(0);
        expect(opened.externalRef.length).toBeLessThanOrEqual(200);
        if (opened.redirectUrl !== null) expect(() => new URL(opened.redirectUrl!)).not.toThrow();
      }
      expect(first.externalRef).not.toBe(second.externalRef);
    });

    it('opens a payment with each way to pay it declares', async (context) => {
      const methods = under().provider.capabilities.methods ?? [];
      if (under().gateway === undefined || methods.length === 0) return context.skip();
      const { provider } = gatewayOf();
      const refs = new Set<string>();
      for (const method of methods) {
        const opened = await provider.open!(openRequest(under().currency ?? 'USD', method));
        expect(opened.externalRef.length).toBeGreaterThan(0);
        refs.add(opened.externalRef);
      }
      expect(refs.size).toBe(methods.length);
    });

    it('translates a full payment into `paid` for that reference and amount, the same again when replayed', async (context) => {
      if (under().gateway === undefined) return context.skip();
      const { provider, gateway } = gatewayOf();
      const request = openRequest(under().currency ?? 'USD');
      const opened = await provider.open!(request);
      const payment = storedPayment(request, opened);
      if (provider.verify !== undefined) {
        const before = await provider.verify(payment, {});
        expect(before.externalRef).toBe(opened.externalRef);
        expect(before.kind).not.toBe('paid');
      }
      const delivery = await gateway.pay(opened, request);
      const signal = await signalOf(provider, delivery, payment);
      expect(signal).toMatchObject({ externalRef: opened.externalRef, kind: 'paid' });
      if (signal.amount != null) expect(signal.amount).toEqual(request.amount);
      const replay = await signalOf(provider, delivery, payment);
      expect(replay).toEqual(signal);
    });

    it('reports a refund after payment as `refunded`', async (context) => {
      const harness = under().gateway;
      if (harness?.refund === undefined) return context.skip();
      const { provider, gateway } = gatewayOf();
      const request = openRequest(under().currency ?? 'USD');
      const opened = await provider.open!(request);
      const payment = storedPayment(request, opened);
      await signalOf(provider, await gateway.pay(opened, request), payment);
      const signal = await signalOf(provider, await gateway.refund!(opened, request), payment);
      expect(signal).toMatchObject({ externalRef: opened.externalRef, kind: 'refunded' });
    });

    it('refuses a forged callback with PaymentSignatureError', async (context) => {
      const harness = under().gateway;
      if (harness?.forge === undefined) return context.skip();
      const { provider, gateway } = gatewayOf();
      const request = openRequest(under().currency ?? 'USD');
      const opened = await provider.open!(request);
      const delivery = await gateway.pay(opened, request);
      if (!('callback' in delivery)) throw new Error('a harness that forges callbacks must deliver callbacks');
      const error = await provider.parseCallback!(gateway.forge!(delivery.callback)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(PaymentSignatureError.is(error), `expected PaymentSignatureError, got ${String(error)}`).toBe(true);
    });

    it('fails typed (PaymentProviderUnavailableError) while the gateway is down, and works once it is back', async (context) => {
      if (under().gateway === undefined) return context.skip();
      const { provider, gateway } = gatewayOf();
      gateway.setDown(true);
      try {
        const error = await provider.open!(openRequest(under().currency ?? 'USD')).then(
          () => null,
          (e: unknown) => e,
        );
        expect(PaymentProviderUnavailableError.is(error), `expected PaymentProviderUnavailableError, got ${String(error)}`).toBe(true);
      } finally {
        gateway.setDown(false);
      }
      expect((await provider.open!(openRequest(under().currency ?? 'USD'))).externalRef.length).toBeGreaterThan(0);
    });
  });
}
