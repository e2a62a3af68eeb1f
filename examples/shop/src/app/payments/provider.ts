import type { z } from 'zod';
import type { Payment } from './records.js';
import type { Shop } from '../shop.js';

/** What a provider's form schema may depend on: the shop's currency and zone, and the time now. */
export interface FormEnv {
  currency: string;
  timeZone: string;
  now: Date;
}

/**
 * How a submission ended. `ok`: recorded (`replayed` when the same form had been sent before).
 * Otherwise the provider refused it: a message key for one field and the refusal's code.
 */
export type SubmitOutcome =
  | { ok: true; payment: Payment; replayed: boolean }
  | { ok: false; code: 'conflict' | 'too_many_requests'; field: string; messageKey: string; params?: Record<string, string | number> };

/**
 * A wallet form for one of the SDK's payment providers. The shop lists the enabled ones on the
 * wallet page, validates the buyer's fields with `formSchema`, and calls `submit`, which starts the
 * payment through `kit.payments` (the SDK stores it and credits it, at most once).
 *
 * - `instant`: credited at once (the SDK's test provider).
 * - `manual`: it stays `pending` until an admin approves or rejects it (`reviewPayment`).
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
