import { PaymentProviderUnavailableError, PaymentSignatureError, type PaymentProvider } from '@panelkit/sdk';
import type { PaymentSignal, SavedPaymentMethodReport } from '@panelkit/sdk/payments';
import type Stripe from 'stripe';
import { readNow, type ReadWhenNeeded } from '../core/read-when-needed.js';
import { stripeClient, stripeFailureKind, stripeTakes, type StripeApi } from './api.js';
import { STRIPE_PROVIDER, verifyStripeWebhook } from './webhook.js';

/** Payments one buyer may have waiting at once. */
export const MAX_PENDING_STRIPE = 5;
/** How long a payment waits before the SDK's sweep closes it (a Checkout Session expires after 24 hours). */
export const STRIPE_PENDING_TTL_MS = 25 * 3_600_000;
/** The webhook events the shop takes (the owner subscribes the endpoint to these). */
export const STRIPE_EVENTS = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'charge.refunded',
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
] as const;

/** Options of {@link stripeProvider}. */
export interface StripeOptions {
  /** The API and credentials (or a function reading them when needed; `null` while Stripe is off or not set up). */
  api: ReadWhenNeeded<StripeApi | null>;
  /** Where the buyer comes back to when a payment names none (and after confirming an off-session charge). */
  callbackUrl: (paymentId: string) => string;
}

/** Marks a PaymentIntent the shop charged off-session, so its own events (not a Checkout Session's) settle it. */
const OFF_SESSION = 'offSession';

const unavailable = (error: unknown): never => {
  if (stripeFailureKind(error) !== null)
    throw new PaymentProviderUnavailableError(STRIPE_PROVIDER, (error as Error).message, { cause: error });
  throw error;
};

/** A saved method's reference: the Stripe customer and the payment method, both needed to charge it off-session. */
function methodRefOf(customer: string, paymentMethod: string): string {
  return `${customer}/${paymentMethod}`;
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  return value == null ? null : typeof value === 'string' ? value : value.id;
}

/** The method saved with a paid session, as the buyer recognises it ("visa •••• 4242"), or undefined when none was. */
async function savedMethodOf(stripe: Stripe, session: Stripe.Checkout.Session): Promise<SavedPaymentMethodReport | undefined> {
  const customer = idOf(session.customer);
  const intentId = idOf(session.payment_intent);
  if (session.metadata?.['saveMethod'] !== '1' || customer === null || intentId === null) return undefined;
  const intent = await stripe.paymentIntents.retrieve(intentId, { expand: ['payment_method'] });
  const method = intent.payment_method;
  if (method === null || typeof method === 'string') return undefined;
  const label = method.card ? `${method.card.brand} •••• ${method.card.last4}` : method.type;
  return { ref: methodRefOf(customer, method.id), label: label.slice(0, 100) };
}

/** A Checkout Session as one signal: paid (for the amount Stripe says), failed, expired, or still waiting. */
async function sessionSignal(stripe: Stripe, session: Stripe.Checkout.Session, eventType: string | null): Promise<PaymentSignal> {
  const externalRef = session.id;
  if (eventType === 'checkout.session.async_payment_failed') return { externalRef, kind: 'failed', providerStatus: 'async_payment_failed' };
  if (session.status === 'expired') return { externalRef, kind: 'expired', providerStatus: 'expired' };
  if (session.payment_status !== 'paid' || session.status !== 'complete')
    return { externalRef, kind: 'waiting', providerStatus: `${session.status}/${session.payment_status}` };
  const saved = await savedMethodOf(stripe, session);
  const intentId = idOf(session.payment_intent);
  return {
    externalRef,
    kind: 'paid',
    ...(session.amount_total === null || session.currency === null
      ? {}
      : { amount: { amount: session.amount_total, currency: session.currency.toUpperCase() } }),
    providerStatus: 'paid',
    ...(intentId === null ? {} : { settlementRef: intentId }),
    ...(saved === undefined ? {} : { savedMethod: saved }),
  };
}

/** An off-session PaymentIntent as one signal. */
function intentSignal(intent: Stripe.PaymentIntent): PaymentSignal {
  const externalRef = intent.id;
  if (intent.status === 'succeeded')
    return {
      externalRef,
      kind: 'paid',
      amount: { amount: intent.amount_received, currency: intent.currency.toUpperCase() },
      providerStatus: 'succeeded',
      settlementRef: intent.id,
    };
  if (intent.status === 'canceled') return { externalRef, kind: 'failed', providerStatus: 'canceled' };
  return { externalRef, kind: 'waiting', providerStatus: intent.status };
}

/**
 * The shop's reference of the payment a refunded charge belongs to: the Checkout Session that made its
 * PaymentIntent, or the PaymentIntent itself when the shop charged it off-session.
 */
async function refundedRefOf(stripe: Stripe, charge: Stripe.Charge): Promise<string | null> {
  const intentId = idOf(charge.payment_intent);
  if (intentId === null) return null;
  const sessions = await stripe.checkout.sessions.list({ payment_intent: intentId, limit: 1 });
  const session = sessions.data[0];
  if (session !== undefined) return session.id;
  return charge.metadata?.[OFF_SESSION] === '1' || (await stripe.paymentIntents.retrieve(intentId)).metadata[OFF_SESSION] === '1'
    ? intentId
    : null;
}

/** The key of an engine refund, kept in the refund's metadata so a later attempt finds it. */
const REFUND_KEY = 'refundKey';

/**
 * The refund an earlier attempt made, when there was one: by its id when Stripe answered it, else by the key kept in
 * its metadata among the intent's refunds. The job retries for days and Stripe keeps an idempotency key for 24 hours:
 * without this look-up a retry after that would be a second refund.
 */
async function earlierRefund(stripe: Stripe, intent: string, refundRef: string | null, key: string): Promise<Stripe.Refund | null> {
  if (refundRef !== null && /^re_\w{1,200}$/.test(refundRef)) {
    const known = await stripe.refunds.retrieve(refundRef).catch((error: unknown) => {
      if (stripeFailureKind(error) === 'refused') return null;
      throw error;
    });
    if (known !== null) return known;
  }
  for await (const refund of stripe.refunds.list({ payment_intent: intent, limit: 100 }))
    if (refund.metadata?.[REFUND_KEY] === key) return refund;
  return null;
}

/**
 * Stripe, on Stripe's own Node library: `open` creates a Checkout Session (mode `payment`: cards, and Apple Pay and
 * Google Pay where the owner's account offers them) under the payment's id as its idempotency key; a buyer who asks
 * to keep the method gets a Stripe customer and `setup_future_usage: off_session`. Webhooks are believed only when
 * `verifyStripeWebhook` verifies their `Stripe-Signature` over the raw body with the endpoint's secret; the signed event's
 * object is the truth (its amount is checked by the engine). Refunds (looked up before they are sent again, see
 * `earlierRefund`) and off-session charges (`PaymentIntent` with
 * `off_session` and `confirm`) carry the engine's idempotency key as theirs; a charge the bank wants the buyer to
 * authenticate (`authentication_required`) becomes a Checkout Session for the same amount, whose link the buyer gets.
 */
export function stripeProvider(options: StripeOptions): PaymentProvider {
  const apiOf = async (): Promise<StripeApi> => {
    const api = await readNow(options.api);
    if (api === null) throw new PaymentProviderUnavailableError(STRIPE_PROVIDER, 'Stripe is not set up');
    return api;
  };
  const checkoutSession = (
    stripe: Stripe,
    request: { paymentId: string; amount: { amount: number; currency: string }; description: string; returnUrl: string },
    extra: Stripe.Checkout.SessionCreateParams,
    idempotencyKey: string,
  ) =>
    stripe.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: request.amount.currency.toLowerCase(),
              unit_amount: request.amount.amount,
              product_data: { name: request.description.slice(0, 250) || request.paymentId },
            },
          },
        ],
        success_url: request.returnUrl,
        cancel_url: request.returnUrl,
        client_reference_id: request.paymentId,
        ...extra,
        metadata: { paymentId: request.paymentId, ...extra.metadata },
      },
      { idempotencyKey },
    );
  return {
    id: STRIPE_PROVIDER,
    capabilities: {
      confirmations: ['gateway', 'admin_mark_paid'],
      adminReject: false,
      methods: [],
      refunds: { partial: true },
      savedMethods: true,
    },
    maxPending: MAX_PENDING_STRIPE,
    pendingTtlMs: STRIPE_PENDING_TTL_MS,
    async open(request) {
      if (!stripeTakes(request.amount.currency))
        throw new PaymentProviderUnavailableError(STRIPE_PROVIDER, `Stripe does not take ${request.amount.currency} here`);
      const stripe = stripeClient(await apiOf());
      const returnUrl = request.returnUrl ?? options.callbackUrl(request.paymentId);
      const session = await checkoutSession(
        stripe,
        { ...request, returnUrl },
        request.saveMethod
          ? {
              customer_creation: 'always',
              payment_intent_data: { setup_future_usage: 'off_session', metadata: { paymentId: request.paymentId } },
              metadata: { saveMethod: '1' },
            }
          : { payment_intent_data: { metadata: { paymentId: request.paymentId } } },
        request.paymentId,
      ).catch(unavailable);
      if (session.url === null) throw new PaymentProviderUnavailableError(STRIPE_PROVIDER, 'Stripe gave no page to pay on');
      return { externalRef: session.id, redirectUrl: session.url, details: {} };
    },
    async parseCallback({ headers, body, rawBody }) {
      const api = await apiOf();
      const stripe = stripeClient(api);
      const raw = rawBody ?? (typeof body === 'string' || body instanceof Uint8Array ? body : null);
      if (raw === null) throw new PaymentSignatureError(STRIPE_PROVIDER, 'no raw body: the host must pass the bytes it received');
      const event = verifyStripeWebhook({ rawBody: raw, headers, secret: api.webhookSecret });
      try {
        switch (event.type) {
          case 'checkout.session.completed':
          case 'checkout.session.async_payment_succeeded':
          case 'checkout.session.async_payment_failed':
          case 'checkout.session.expired':
            return await sessionSignal(stripe, event.data.object, event.type);
          case 'payment_intent.succeeded':
          case 'payment_intent.payment_failed': {
            const intent = event.data.object;
            if (intent.metadata[OFF_SESSION] !== '1') break;
            // A failed attempt leaves the intent open for the buyer to confirm: only success settles it.
            return event.type === 'payment_intent.succeeded'
              ? intentSignal(intent)
              : { externalRef: intent.id, kind: 'waiting', providerStatus: 'payment_failed' };
          }
          case 'charge.refunded': {
            const charge = event.data.object;
            const externalRef = await refundedRefOf(stripe, charge);
            if (externalRef === null) break;
            if (charge.amount_refunded >= charge.amount) return { externalRef, kind: 'refunded', providerStatus: 'refunded' };
            return { externalRef, kind: 'waiting', providerStatus: 'partially_refunded' };
          }
        }
      } catch (error) {
        return unavailable(error);
      }
      // Signed by Stripe but nothing for the shop to do (a Checkout payment's own PaymentIntent events, another
      // event the endpoint was subscribed to): acknowledged as a word about no payment of the shop's, so Stripe
      // does not retry it or disable the endpoint.
      const object = event.data.object as { id?: unknown };
      return {
        externalRef: typeof object.id === 'string' ? object.id : event.id,
        kind: 'waiting',
        providerStatus: `ignored ${event.type}`,
      };
    },
    async verify(payment) {
      const externalRef = payment.externalRef ?? '';
      const stripe = stripeClient(await apiOf());
      try {
        if (/^pi_\w{1,200}$/.test(externalRef)) return intentSignal(await stripe.paymentIntents.retrieve(externalRef));
        if (!/^cs_\w{1,200}$/.test(externalRef)) return { externalRef, kind: 'waiting', providerStatus: 'unknown session' };
        return await sessionSignal(stripe, await stripe.checkout.sessions.retrieve(externalRef), null);
      } catch (error) {
        if (stripeFailureKind(error) === 'refused') return { externalRef, kind: 'waiting', providerStatus: 'unknown session' };
        return unavailable(error);
      }
    },
    async refund(request) {
      const stripe = stripeClient(await apiOf());
      const ref = request.payment.externalRef ?? '';
      try {
        // The PaymentIntent the payment was settled by (kept by the engine), else the one its session made.
        const settled = request.payment.details['settlementRef'];
        const intent =
          typeof settled === 'string' && settled.startsWith('pi_')
            ? settled
            : ref.startsWith('pi_')
              ? ref
              : idOf((await stripe.checkout.sessions.retrieve(ref)).payment_intent);
        if (intent === null) return { status: 'failed', refundRef: null, reason: 'the session has no payment to refund' };
        const refund =
          (await earlierRefund(stripe, intent, request.refundRef ?? null, request.idempotencyKey)) ??
          (await stripe.refunds.create(
            {
              payment_intent: intent,
              amount: request.amount.amount,
              metadata: { paymentId: request.payment.id, [REFUND_KEY]: request.idempotencyKey },
            },
            { idempotencyKey: request.idempotencyKey },
          ));
        if (refund.status === 'succeeded') return { status: 'succeeded', refundRef: refund.id };
        if (refund.status === 'pending' || refund.status === 'requires_action')
          return { status: 'pending', refundRef: refund.id, retryAfterMs: 60_000 };
        return { status: 'failed', refundRef: refund.id, reason: refund.failure_reason ?? refund.status ?? 'failed' };
      } catch (error) {
        if (stripeFailureKind(error) === 'refused') return { status: 'failed', refundRef: null, reason: (error as Error).message };
        return unavailable(error);
      }
    },
    async chargeSavedMethod(request) {
      const stripe = stripeClient(await apiOf());
      const [customer, paymentMethod] = request.methodRef.split('/');
      if (!customer || !paymentMethod) return { status: 'declined', externalRef: null, reason: 'not a Stripe saved method' };
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: request.amount.amount,
            currency: request.amount.currency.toLowerCase(),
            customer,
            payment_method: paymentMethod,
            off_session: true,
            confirm: true,
            description: request.description.slice(0, 250),
            metadata: { paymentId: request.paymentId, [OFF_SESSION]: '1' },
          },
          { idempotencyKey: request.idempotencyKey },
        );
        if (intent.status === 'succeeded')
          return { status: 'succeeded', externalRef: intent.id, amount: intentSignal(intent).amount ?? null };
        const next = intent.next_action?.redirect_to_url?.url;
        if (intent.status === 'requires_action' && next) return { status: 'requires_action', externalRef: intent.id, actionUrl: next };
        return { status: 'pending', externalRef: intent.id };
      } catch (error) {
        if (stripeFailureKind(error) !== 'refused') return unavailable(error);
        const stripeError = error as Stripe.errors.StripeError;
        if (stripeError.code !== 'authentication_required')
          return {
            status: 'declined',
            externalRef: stripeError.payment_intent?.id ?? null,
            reason: stripeError.decline_code ?? stripeError.code ?? stripeError.message,
          };
        // The bank wants the buyer: they pay the same amount on Stripe's page, their saved card offered first.
        try {
          const session = await checkoutSession(
            stripe,
            { ...request, returnUrl: options.callbackUrl(request.paymentId) },
            { customer, metadata: { confirms: stripeError.payment_intent?.id ?? '' } },
            `${request.idempotencyKey}:confirm`,
          );
          if (session.url === null) return { status: 'pending', externalRef: session.id };
          return { status: 'requires_action', externalRef: session.id, actionUrl: session.url };
        } catch (confirmError) {
          if (stripeFailureKind(confirmError) === 'refused')
            return { status: 'declined', externalRef: null, reason: (confirmError as Error).message };
          return unavailable(confirmError);
        }
      }
    },
    async forgetSavedMethod(request) {
      const [, paymentMethod] = request.methodRef.split('/');
      if (!paymentMethod) return;
      const stripe = stripeClient(await apiOf());
      try {
        await stripe.paymentMethods.detach(paymentMethod);
      } catch (error) {
        // Gone, or detached before (an earlier attempt whose answer was lost): forgotten either way.
        const status = (error as Stripe.errors.StripeError).statusCode;
        const gone = stripeFailureKind(error) === 'refused' && (status === 404 || status === 400);
        if (!gone) unavailable(error);
      }
    },
  };
}
