import { z } from 'zod';

/** Where Zarinpal's payment API is (`https://payment.zarinpal.com/`, the sandbox, or the simulator) and the merchant's id. */
export interface ZarinpalApi {
  /** `https://payment.zarinpal.com/`, `https://sandbox.zarinpal.com/`, or a simulator's address. */
  baseUrl: string;
  /** The merchant id (a UUID). */
  merchantId: string;
}

/** A failed call to Zarinpal (unreachable, an HTTP error, an answer of another shape). */
export class ZarinpalUnreachableError extends Error {
  /** @param message what went wrong, for logs. */
  constructor(message: string) {
    super(message);
    this.name = 'ZarinpalUnreachableError';
  }
}

/** Zarinpal's answer envelope: `data` on success, `errors` (with a negative `code`) otherwise. */
const Envelope = z.object({
  data: z
    .union([z.record(z.string(), z.unknown()), z.array(z.unknown())])
    .nullable()
    .optional(),
  errors: z
    .union([z.record(z.string(), z.unknown()), z.array(z.unknown())])
    .nullable()
    .optional(),
});

const RequestData = z.object({ code: z.number(), authority: z.string().regex(/^[A-Za-z0-9]{10,64}$/) });
const VerifyData = z.object({ code: z.number(), ref_id: z.union([z.number(), z.string()]).transform(String).optional() });

async function post(api: ZarinpalApi, path: string, body: Record<string, unknown>): Promise<z.infer<typeof Envelope>> {
  let response: Response;
  try {
    response = await fetch(new URL(path, api.baseUrl.endsWith('/') ? api.baseUrl : `${api.baseUrl}/`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ merchant_id: api.merchantId, ...body }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new ZarinpalUnreachableError(`Zarinpal could not be reached (${(error as Error).message})`);
  }
  // Zarinpal answers its own refusals with 4xx and an `errors` object: those are answers, not outages.
  if (response.status >= 500) throw new ZarinpalUnreachableError(`Zarinpal answered ${response.status}`);
  const parsed = Envelope.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new ZarinpalUnreachableError('Zarinpal answered something unexpected');
  return parsed.data;
}

/** The `code` of an errors object, if it has one. */
function errorCode(errors: unknown): number | null {
  if (errors === null || typeof errors !== 'object' || Array.isArray(errors)) return null;
  const code = (errors as Record<string, unknown>)['code'];
  return typeof code === 'number' ? code : null;
}

/** `POST pg/v4/payment/request.json`: a payment request for `amount` (integer, in `currency`), its authority on success. */
export async function requestPayment(
  api: ZarinpalApi,
  input: { amount: number; currency: 'IRR' | 'IRT'; callbackUrl: string; description: string; orderId: string },
): Promise<string> {
  const answer = await post(api, 'pg/v4/payment/request.json', {
    amount: input.amount,
    currency: input.currency,
    callback_url: input.callbackUrl,
    description: input.description,
    metadata: { order_id: input.orderId },
  });
  const data = RequestData.safeParse(answer.data);
  if (!data.success || data.data.code !== 100)
    throw new ZarinpalUnreachableError(`Zarinpal refused the payment request (code ${errorCode(answer.errors) ?? 'none'})`);
  return data.data.authority;
}

/** What a verify call says: paid (`100` now, or `101` verified before), not paid (a negative code), with the bank's reference. */
export type VerifyAnswer = { paid: true; refId: string | null; code: number } | { paid: false; code: number | null };

/** `POST pg/v4/payment/verify.json`: whether the payment under `authority` was paid in full for `amount`. */
export async function verifyPayment(api: ZarinpalApi, input: { authority: string; amount: number }): Promise<VerifyAnswer> {
  const answer = await post(api, 'pg/v4/payment/verify.json', { authority: input.authority, amount: input.amount });
  const data = VerifyData.safeParse(answer.data);
  if (data.success && (data.data.code === 100 || data.data.code === 101))
    return { paid: true, refId: data.data.ref_id ?? null, code: data.data.code };
  return { paid: false, code: errorCode(answer.errors) };
}

/** The page the buyer pays an authority on. */
export function startPayUrl(api: ZarinpalApi, authority: string): string {
  return new URL(`pg/StartPay/${authority}`, api.baseUrl.endsWith('/') ? api.baseUrl : `${api.baseUrl}/`).toString();
}
