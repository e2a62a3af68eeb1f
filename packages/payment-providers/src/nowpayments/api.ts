import { z } from 'zod';

/** A NOWPayments payment's status; only `finished` means the money arrived in full. */
export const NOWPAYMENTS_STATUSES = [
  'waiting',
  'confirming',
  'confirmed',
  'sending',
  'partially_paid',
  'finished',
  'failed',
  'refunded',
  'expired',
] as const;

/** A payment as NOWPayments describes it (the fields the provider relies on), in its callbacks and `GET /v1/payment/<id>`. */
export const NowPaymentsPaymentSchema = z.object({
  payment_id: z.union([z.number(), z.string()]).transform(String),
  payment_status: z.enum(NOWPAYMENTS_STATUSES),
  price_amount: z.union([z.number(), z.string()]).transform(Number),
  price_currency: z.string().transform((c) => c.toUpperCase()),
  order_id: z.string().nullable(),
  invoice_id: z.union([z.number(), z.string()]).transform(String).nullable().optional(),
});
/** See {@link NowPaymentsPaymentSchema}. */
export type NowPaymentsPayment = z.infer<typeof NowPaymentsPaymentSchema>;

const InvoiceSchema = z.object({ id: z.union([z.number(), z.string()]).transform(String), invoice_url: z.url() });

/** NOWPayments as the merchant set it up: the API's address and key, and the IPN secret its callbacks are signed with. */
export interface NowPaymentsApi {
  /** `https://api.nowpayments.io/`, the sandbox, or a simulator's address. */
  baseUrl: string;
  /** The API key (`x-api-key`). */
  apiKey: string;
  /** The IPN secret from the dashboard. */
  ipnSecret: string;
}

/** A failed call to NOWPayments (unreachable, an HTTP error, an answer of another shape): nothing was credited. */
export class NowPaymentsError extends Error {
  /** @param message what went wrong, for logs. */
  constructor(message: string) {
    super(message);
    this.name = 'NowPaymentsError';
  }
}

async function call<T>(
  api: Pick<NowPaymentsApi, 'baseUrl' | 'apiKey'>,
  path: string,
  schema: z.ZodType<T>,
  init: RequestInit = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(new URL(path, api.baseUrl.endsWith('/') ? api.baseUrl : `${api.baseUrl}/`), {
      ...init,
      headers: { 'x-api-key': api.apiKey, 'content-type': 'application/json', ...init.headers },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new NowPaymentsError(`the payment gateway could not be reached (${(error as Error).message})`);
  }
  if (!response.ok) throw new NowPaymentsError(`the payment gateway answered ${response.status}`);
  const parsed = schema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new NowPaymentsError('the payment gateway answered something unexpected');
  return parsed.data;
}

/** `POST /v1/invoice`: a hosted payment page for `amount` (major units) in `currency`, tied to our `orderId`. */
export function createInvoice(
  api: Pick<NowPaymentsApi, 'baseUrl' | 'apiKey'>,
  input: {
    amount: string;
    currency: string;
    orderId: string;
    description: string;
    ipnCallbackUrl: string;
    successUrl: string;
    cancelUrl: string;
  },
): Promise<{ id: string; invoice_url: string }> {
  const body = {
    price_amount: Number(input.amount),
    price_currency: input.currency.toLowerCase(),
    order_id: input.orderId,
    order_description: input.description,
    ipn_callback_url: input.ipnCallbackUrl,
    success_url: input.successUrl,
    cancel_url: input.cancelUrl,
  };
  return call(api, 'v1/invoice', InvoiceSchema, { method: 'POST', body: JSON.stringify(body) });
}

/** `GET /v1/payment/<id>`: the gateway's own word on a payment, asked server to server before any credit. */
export function getPayment(api: Pick<NowPaymentsApi, 'baseUrl' | 'apiKey'>, paymentId: string): Promise<NowPaymentsPayment> {
  if (!/^[0-9A-Za-z_-]{1,40}$/.test(paymentId)) return Promise.reject(new NowPaymentsError('not a payment id'));
  return call(api, `v1/payment/${paymentId}`, NowPaymentsPaymentSchema);
}
