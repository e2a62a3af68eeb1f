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
  type SavedPaymentMethodReport,
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
  /**
   * How many payments (invoices, sessions) the gateway holds. Give it for a gateway whose API takes an idempotency
   * key: the suite then checks that opening the same payment again (the same `paymentId`, as the engine does on a
   * retry after a lost answer or for one form sent to two replicas) makes no second payment there. Omit it for a
   * gateway whose API takes no key (each open makes a payment of its own there).
   */
  paymentCount?(): Promise<number>;
  /**
   * With `paymentCount`: the next open reaches the gateway and is applied, but its answer is lost (the connection
   * drops). Omit when the provider's transport cannot be made to lose one.
   */
  loseNextAnswer?(): void;
}

/**
 * What the suite needs of the provider's world to check the optional capabilities (`refunds`,
 * `savedMethods`): counts of what the world holds, and control over its answers. Required when the
 * provider declares either capability.
 */
export interface PaymentCapabilityHarness {
  /** How many distinct refunds the world holds (each once, however often it was asked for). */
  refundCount(): Promise<number>;
  /** How many distinct off-session charges of saved methods the world holds. */
  chargeCount(): Promise<number>;
  /** How the world answers off-session charges from now on (default `succeed`). */
  setChargeAnswer(answer: 'succeed' | 'decline' | 'require_action'): void;
  /**
   * The next request reaches the world and is applied, but its answer is lost (the connection drops):
   * the provider must throw `PaymentProviderUnavailableError`, and a retry with the same idempotency key
   * must answer about what was applied. Omit when the provider's transport cannot be made to lose one.
   */
  loseNextAnswer?(): void;
  /**
   * Time passes beyond the world's idempotency-key window (24 hours at Stripe and YooKassa): it forgets every key
   * it was sent, so only the provider's own look-up can tell a retry from a new refund. Omit when the world
   * keeps keys for ever.
   */
  outliveIdempotencyKeys?(): void;
  /** Makes the world unreachable (`true`) or reachable again (for an instant provider: its refund and charge calls). */
  setDown(down: boolean): void;
}

/** What the factory gives each test: the provider, and for gateways the harness of its world. */
export interface PaymentProviderUnderTest {
  provider: PaymentProvider;
  gateway?: PaymentGatewayHarness;
  /** The harness of the refund and saved-method capabilities; required when the provider declares one. */
  capabilities?: PaymentCapabilityHarness;
  /** The currency the suite's payments are in (default `USD`): a gateway that takes one currency names it. */
  currency?: string;
  /** Called after the test: stop the gateway simulator, close what the factory opened. */
  cleanup?: () => Promise<void>;
}

let sequence = 0;
function openRequest(currency: string, method: string | null = null): PaymentOpenRequest {
  sequence++;
  return {
    // Unique across runs: a gateway keyed on the payment id answers an id it saw before with that payment.
    paymentId: `pay_conformance_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}_${sequence}`,
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
 * and for failing typed when the gateway is down; one whose harness counts the gateway's payments, for
 * opening a payment once per payment id (opened again, after a lost answer too, it is the same payment). A provider declaring `refunds` or `savedMethods` is also
 * checked, through its `capabilities` harness, for refunds and off-session charges made once per idempotency
 * key (asked again, after a lost answer, through an outage, a refund after the gateway forgot its key), partial refunds, declines and `requires_action`.
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
      // A gateway's payments are opened there and confirmed by what it says; nothing else has a gateway (an
      // instant provider may open a payment only to report the method it saved).
      if (byGateway) expect(provider.open).toBeDefined();
      else if (provider.open !== undefined) expect(confirmations).toEqual(['instant']);
      expect(provider.parseCallback !== undefined || provider.verify !== undefined).toBe(byGateway);
      expect(gateway !== undefined).toBe(byGateway);
      // An admin's approval is for receipts; a gateway's payment is overridden only by an explicit mark-paid.
      if (byGateway) expect(confirmations).not.toContain('admin_approval');
      if (confirmations.includes('instant')) expect(confirmations).toEqual(['instant']);
      // The optional capabilities come with their method and a harness to check them.
      const { refunds, savedMethods } = provider.capabilities;
      if (refunds !== undefined) expect(typeof refunds.partial).toBe('boolean');
      expect(provider.refund !== undefined).toBe(refunds !== undefined);
      expect(provider.chargeSavedMethod !== undefined).toBe(savedMethods === true);
      if (refunds !== undefined || savedMethods === true) expect(under().capabilities, 'a capability harness').toBeDefined();
    });

    it('opens a payment at the gateway: a reference of its own for each payment, and where the buyer pays', async (context) => {
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

    it('opens a payment once per payment id: opened again, after a lost answer too, it is the same payment and page', async (context) => {
      const harness = under().gateway;
      if (harness?.paymentCount === undefined) return context.skip();
      const { provider, gateway } = gatewayOf();
      const before = await gateway.paymentCount!();
      const request = openRequest(under().currency ?? 'USD');
      const first = await provider.open!(request);
      const again = await provider.open!({ ...request });
      expect(again.externalRef).toBe(first.externalRef);
      expect(again.redirectUrl).toBe(first.redirectUrl);
      expect(await gateway.paymentCount!()).toBe(before + 1);
      if (gateway.loseNextAnswer === undefined) return;
      const lostRequest = openRequest(under().currency ?? 'USD');
      gateway.loseNextAnswer();
      const lost = await provider.open!(lostRequest).then(
        () => null,
        (e: unknown) => e,
      );
      expect(PaymentProviderUnavailableError.is(lost), `expected PaymentProviderUnavailableError, got ${String(lost)}`).toBe(true);
      const retried = await provider.open!({ ...lostRequest });
      expect(retried.externalRef.length).toBeGreaterThan(0);
      expect(await gateway.paymentCount!()).toBe(before + 2);
      expect((await provider.open!({ ...lostRequest })).externalRef).toBe(retried.externalRef);
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

    /** A payment of the provider that is paid, as the engine would hold it credited (opened with `saveMethod` when asked). */
    const paidPayment = async (saveMethod = false): Promise<{ payment: Payment; saved: SavedPaymentMethodReport | undefined }> => {
      const { provider, gateway } = under();
      const request = { ...openRequest(under().currency ?? 'USD'), ...(saveMethod ? { saveMethod } : {}) };
      const opened =
        provider.open === undefined ? { externalRef: `ref-${request.paymentId}`, redirectUrl: null } : await provider.open(request);
      const payment = storedPayment(request, opened);
      let saved = opened.savedMethod;
      if (gateway !== undefined) {
        const signal = await signalOf(provider, await gateway.pay(opened, request), payment);
        expect(signal.kind).toBe('paid');
        saved ??= signal.savedMethod;
        // The engine keeps the gateway's settlement reference on the credited payment, as refunds name it.
        if (signal.settlementRef !== undefined) payment.details = { ...payment.details, settlementRef: signal.settlementRef };
      }
      return { payment: { ...payment, status: 'credited', confirmation: gateway === undefined ? 'instant' : 'gateway' }, saved };
    };
    const harnessOf = (): { provider: PaymentProvider; world: PaymentCapabilityHarness } => {
      const { provider, capabilities } = under();
      if (capabilities === undefined) throw new Error('this test needs a capability harness');
      return { provider, world: capabilities };
    };
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => null,
        (e: unknown) => e,
      );

    it('refunds a paid payment once per idempotency key, asked again or after a lost answer', async (context) => {
      if (under().provider.capabilities.refunds === undefined) return context.skip();
      const { provider, world } = harnessOf();
      const { payment } = await paidPayment();
      const before = await world.refundCount();
      const ask = (key: string) =>
        provider.refund!({
          refundId: key,
          idempotencyKey: key,
          payment,
          amount: { amount: payment.amount, currency: payment.currency },
          reason: null,
        });
      const key = `rf-${payment.id}`;
      const first = await ask(key);
      expect(first.status).not.toBe('failed');
      const again = await ask(key);
      expect(again.status).not.toBe('failed');
      if (first.status !== 'failed' && again.status !== 'failed') expect(again.refundRef).toBe(first.refundRef);
      expect(await world.refundCount()).toBe(before + 1);
      if (world.loseNextAnswer !== undefined) {
        const other = await paidPayment();
        const lostKey = `rf-${other.payment.id}`;
        world.loseNextAnswer();
        const askOther = () =>
          provider.refund!({
            refundId: lostKey,
            idempotencyKey: lostKey,
            payment: other.payment,
            amount: { amount: other.payment.amount, currency: other.payment.currency },
            reason: null,
          });
        const lost = await failure(askOther());
        expect(PaymentProviderUnavailableError.is(lost), `expected PaymentProviderUnavailableError, got ${String(lost)}`).toBe(true);
        expect((await askOther()).status).not.toBe('failed');
        expect(await world.refundCount()).toBe(before + 2);
      }
    });

    it('makes a refund once when its answer was lost and it is asked again after the gateway forgot the key', async (context) => {
      const world = under().capabilities;
      if (under().provider.capabilities.refunds === undefined || world?.loseNextAnswer === undefined) return context.skip();
      if (world.outliveIdempotencyKeys === undefined) return context.skip();
      const { provider } = harnessOf();
      const { payment } = await paidPayment();
      const before = await world.refundCount();
      const key = `late-${payment.id}`;
      const ask = () =>
        provider.refund!({
          refundId: key,
          idempotencyKey: key,
          refundRef: null,
          payment,
          amount: { amount: payment.amount, currency: payment.currency },
          reason: null,
        });
      world.loseNextAnswer();
      const lost = await failure(ask());
      expect(PaymentProviderUnavailableError.is(lost), `expected PaymentProviderUnavailableError, got ${String(lost)}`).toBe(true);
      world.outliveIdempotencyKeys();
      const late = await ask();
      expect(late.status).not.toBe('failed');
      expect(await world.refundCount()).toBe(before + 1);
      const again = await ask();
      if (late.status !== 'failed' && again.status !== 'failed') expect(again.refundRef).toBe(late.refundRef);
      expect(await world.refundCount()).toBe(before + 1);
    });

    it('refunds a part and then the rest as two refunds when it declares partial refunds', async (context) => {
      if (under().provider.capabilities.refunds?.partial !== true) return context.skip();
      const { provider, world } = harnessOf();
      const { payment } = await paidPayment();
      const before = await world.refundCount();
      const part = Math.floor(payment.amount / 4);
      for (const [key, amount] of [
        [`part1-${payment.id}`, part],
        [`part2-${payment.id}`, payment.amount - part],
      ] as const) {
        const outcome = await provider.refund!({
          refundId: key,
          idempotencyKey: key,
          payment,
          amount: { amount, currency: payment.currency },
          reason: 'partial',
        });
        expect(outcome.status).not.toBe('failed');
      }
      expect(await world.refundCount()).toBe(before + 2);
    });

    it('fails a refund typed while the provider is down, and makes it once when it is back', async (context) => {
      if (under().provider.capabilities.refunds === undefined) return context.skip();
      const { provider, world } = harnessOf();
      const { payment } = await paidPayment();
      const before = await world.refundCount();
      const key = `down-${payment.id}`;
      const ask = () =>
        provider.refund!({
          refundId: key,
          idempotencyKey: key,
          payment,
          amount: { amount: payment.amount, currency: payment.currency },
          reason: null,
        });
      world.setDown(true);
      try {
        const error = await failure(ask());
        expect(PaymentProviderUnavailableError.is(error), `expected PaymentProviderUnavailableError, got ${String(error)}`).toBe(true);
      } finally {
        world.setDown(false);
      }
      expect((await ask()).status).not.toBe('failed');
      expect(await world.refundCount()).toBe(before + 1);
    });

    it('saves the method of a payment opened with saveMethod, and charges it off-session once per key', async (context) => {
      if (under().provider.capabilities.savedMethods !== true) return context.skip();
      const { provider, world } = harnessOf();
      const { payment, saved } = await paidPayment(true);
      expect(saved, 'the paid payment reports the saved method').toBeDefined();
      expect(saved!.ref.length).toBeGreaterThan(0);
      expect(saved!.label.length).toBeGreaterThan(0);
      expect(saved!.label.length).toBeLessThanOrEqual(100);
      expect(saved!.label).not.toContain(saved!.ref);
      world.setChargeAnswer('succeed');
      const before = await world.chargeCount();
      const charge = () =>
        provider.chargeSavedMethod!({
          paymentId: `${payment.id}-renewal`,
          idempotencyKey: `charge-${payment.id}`,
          customerId: payment.customerId,
          methodRef: saved!.ref,
          amount: { amount: 500, currency: payment.currency },
          description: 'conformance renewal',
        });
      const first = await charge();
      expect(first.status === 'succeeded' || first.status === 'pending').toBe(true);
      const again = await charge();
      expect(again).toMatchObject({ status: first.status, externalRef: (first as { externalRef: string }).externalRef });
      expect(await world.chargeCount()).toBe(before + 1);
      if (first.status === 'succeeded' && first.amount != null) expect(first.amount).toEqual({ amount: 500, currency: payment.currency });
    });

    it('answers a declined off-session charge `declined`, one that needs the buyer `requires_action` with a URL, and fails typed while down', async (context) => {
      if (under().provider.capabilities.savedMethods !== true) return context.skip();
      const { provider, world } = harnessOf();
      const { payment, saved } = await paidPayment(true);
      const charge = (key: string) =>
        provider.chargeSavedMethod!({
          paymentId: `${payment.id}-${key}`,
          idempotencyKey: `${key}-${payment.id}`,
          customerId: payment.customerId,
          methodRef: saved!.ref,
          amount: { amount: 700, currency: payment.currency },
          description: 'conformance renewal',
        });
      world.setChargeAnswer('decline');
      expect((await charge('declined')).status).toBe('declined');
      world.setChargeAnswer('require_action');
      const action = await charge('action');
      expect(action.status).toBe('requires_action');
      if (action.status === 'requires_action') expect(() => new URL(action.actionUrl)).not.toThrow();
      world.setChargeAnswer('succeed');
      const before = await world.chargeCount();
      world.setDown(true);
      try {
        const error = await failure(charge('down'));
        expect(PaymentProviderUnavailableError.is(error), `expected PaymentProviderUnavailableError, got ${String(error)}`).toBe(true);
      } finally {
        world.setDown(false);
      }
      expect((await charge('down')).status).toBe('succeeded');
      expect(await world.chargeCount()).toBe(before + 1);
    });

    it('forgets a saved method (asked again, no error; typed while down): charging it afterwards is declined', async (context) => {
      if (under().provider.forgetSavedMethod === undefined) return context.skip();
      const { provider, world } = harnessOf();
      const { payment, saved } = await paidPayment(true);
      const forget = () => provider.forgetSavedMethod!({ customerId: payment.customerId, methodRef: saved!.ref });
      world.setDown(true);
      try {
        const error = await failure(forget());
        expect(PaymentProviderUnavailableError.is(error), `expected PaymentProviderUnavailableError, got ${String(error)}`).toBe(true);
      } finally {
        world.setDown(false);
      }
      await forget();
      await forget();
      world.setChargeAnswer('succeed');
      const charged = await provider.chargeSavedMethod!({
        paymentId: `${payment.id}-after-forget`,
        idempotencyKey: `after-forget-${payment.id}`,
        customerId: payment.customerId,
        methodRef: saved!.ref,
        amount: { amount: 300, currency: payment.currency },
        description: 'conformance renewal',
      });
      expect(charged.status).toBe('declined');
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
