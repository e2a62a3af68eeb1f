import type { z } from 'zod';
import type { Payment } from '../db/payments.js';
import type { Shop } from '../stack/shop.js';

/** What a provider's form schema may depend on: the shop's currency and zone, and the time now. */
export interface FormEnv {
  currency: string;
  timeZone: string;
  now: Date;
}

/**
 * How a submission ended. `ok`: recorded (`replayed` when the same form had been sent before).
 * Otherwise the provider refused it: a message key for one field and the HTTP status to answer.
 */
export type SubmitOutcome =
  | { ok: true; payment: Payment; replayed: boolean }
  | { ok: false; status: 409 | 429; field: string; messageKey: string; params?: Record<string, string | number> };

/**
 * A way to pay into the wallet. The shop lists the enabled ones on the wallet page, validates
 * the buyer's fields with `formSchema`, and calls `submit`, which records a row in `payments`.
 *
 * - `instant`: the payment is approved when recorded and credited at once (`creditPayment`).
 * - `manual`: it stays `pending` until an admin approves or rejects it (`reviewPayment`).
 *
 * A gateway with callbacks fits the same shape: `submit` records a `pending` payment keyed by the
 * gateway's payment id (`referenceKey`) and the route sends the buyer to the gateway; its
 * callback route verifies the gateway's signature and approves the payment with `reviewPayment`
 * as the system, which credits through the same exactly-once settle path.
 */
export interface PaymentProvider<Input = unknown> {
  /** In URLs (`/wallet/topup/<id>`) and stored on each payment. */
  readonly id: string;
  readonly kind: 'instant' | 'manual';
  /** Whether buyers may use it now (a setting or the environment says so). */
  enabled(shop: Shop): boolean | Promise<boolean>;
  /** The wallet form's fields; messages are i18n keys. */
  formSchema(env: FormEnv): z.ZodType<Input>;
  submit(shop: Shop, customerId: string, input: Input): Promise<SubmitOutcome>;
}

/** The hidden field every top-up form carries: a random key per rendered form, so a double submit records one payment. */
export const REQUEST_KEY_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
