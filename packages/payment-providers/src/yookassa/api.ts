import { z } from 'zod';

/** YooKassa's API address in production. */
export const YOOKASSA_API_BASE = 'https://api.yookassa.ru/v3/';

/** YooKassa's API (`https://api.yookassa.ru/v3/`, see {@link YOOKASSA_API_BASE}, or the simulator's `url`) and the shop's credentials: shop id and secret key. */
export interface YooKassaApi {
  baseUrl: string;
  shopId: string;
  secretKey: string;
}

/**
 * A failed call: `unreachable` (no answer, a 5xx, an answer of another shape: the same request may be sent again
 * with its key) or `refused` (YooKassa's own 4xx error object: this request will not work as it is).
 */
export class YooKassaError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'refused',
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'YooKassaError';
  }
}

const Amount = z.object({ value: z.string(), currency: z.string() });

/** A payment as YooKassa describes it (the fields the shop relies on). */
export const YooKassaPaymentSchema = z.object({
  id: z.string().min(1).max(64),
  status: z.enum(['pending', 'waiting_for_capture', 'succeeded', 'canceled']),
  paid: z.boolean(),
  amount: Amount,
  refunded_amount: Amount.optional(),
  confirmation: z.object({ type: z.string(), confirmation_url: z.string().optional() }).optional(),
  payment_method: z.object({ type: z.string(), id: z.string(), saved: z.boolean(), title: z.string().optional() }).optional(),
  description: z.string().optional(),
  /** Present when the payment carried a 54-FZ receipt. */
  receipt_registration: z.string().optional(),
  cancellation_details: z.object({ party: z.string(), reason: z.string() }).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});
/** See {@link YooKassaPaymentSchema}. */
export type YooKassaPayment = z.infer<typeof YooKassaPaymentSchema>;

/** A refund as YooKassa describes it. */
export const YooKassaRefundSchema = z.object({
  id: z.string().min(1).max(64),
  payment_id: z.string(),
  status: z.enum(['pending', 'succeeded', 'canceled']),
  amount: Amount,
  cancellation_details: z.object({ party: z.string(), reason: z.string() }).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});
/** See {@link YooKassaRefundSchema}. */
export type YooKassaRefund = z.infer<typeof YooKassaRefundSchema>;

const ErrorBody = z.object({ type: z.literal('error'), code: z.string().optional(), description: z.string().optional() });

async function call<T>(
  api: YooKassaApi,
  request: { method: 'GET' | 'POST'; path: string; body?: unknown; idempotenceKey?: string },
  schema: z.ZodType<T>,
): Promise<T> {
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${api.shopId}:${api.secretKey}`).toString('base64')}`,
    accept: 'application/json',
  };
  // Every POST carries its key: sent again (a lost answer, a retried job), YooKassa answers with what the first made.
  if (request.method === 'POST') {
    headers['content-type'] = 'application/json';
    headers['idempotence-key'] = request.idempotenceKey ?? '';
  }
  let response: Response;
  try {
    response = await fetch(new URL(request.path, api.baseUrl.endsWith('/') ? api.baseUrl : `${api.baseUrl}/`), {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(20_000),
    });
  } catch (error) {
    throw new YooKassaError('unreachable', `YooKassa could not be reached (${(error as Error).message})`);
  }
  const body = (await response.json().catch(() => null)) as unknown;
  if (response.status >= 500 || response.status === 429)
    throw new YooKassaError('unreachable', `YooKassa answered ${response.status}`, response.status);
  if (!response.ok) {
    const error = ErrorBody.safeParse(body);
    const what = error.success ? `${error.data.code ?? 'error'}: ${error.data.description ?? ''}` : String(response.status);
    throw new YooKassaError('refused', `YooKassa refused ${request.method} ${request.path} (${what})`, response.status);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new YooKassaError('unreachable', `YooKassa's ${request.path} answered something unexpected`);
  return parsed.data;
}

/** `POST payments` under `idempotenceKey`: the payment made (or made before under that key). */
export function createPayment(api: YooKassaApi, body: Record<string, unknown>, idempotenceKey: string): Promise<YooKassaPayment> {
  return call(api, { method: 'POST', path: 'payments', body, idempotenceKey }, YooKassaPaymentSchema);
}

/** `GET payments/{id}`: YooKassa's own word on the payment; `null` when it knows no such payment. */
export async function getPayment(api: YooKassaApi, id: string): Promise<YooKassaPayment | null> {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) return null;
  try {
    return await call(api, { method: 'GET', path: `payments/${id}` }, YooKassaPaymentSchema);
  } catch (error) {
    if (error instanceof YooKassaError && error.kind === 'refused' && (error.status === 404 || error.status === 400)) return null;
    throw error;
  }
}

/** `POST refunds` under `idempotenceKey`: the refund made (or made before under that key). */
export function createRefund(api: YooKassaApi, body: Record<string, unknown>, idempotenceKey: string): Promise<YooKassaRefund> {
  return call(api, { method: 'POST', path: 'refunds', body, idempotenceKey }, YooKassaRefundSchema);
}

const RefundList = z.object({ items: z.array(YooKassaRefundSchema), next_cursor: z.string().optional() });

/** `GET refunds?payment_id=…`: every refund of the payment, page by page (100 a page). */
export async function listRefunds(api: YooKassaApi, paymentId: string): Promise<YooKassaRefund[]> {
  const refunds: YooKassaRefund[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ payment_id: paymentId, limit: '100', ...(cursor === undefined ? {} : { cursor }) });
    const page = await call(api, { method: 'GET', path: `refunds?${query}` }, RefundList);
    refunds.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor !== undefined);
  return refunds;
}

/** `GET refunds/{id}`; `null` when YooKassa knows no such refund. */
export async function getRefund(api: YooKassaApi, id: string): Promise<YooKassaRefund | null> {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) return null;
  try {
    return await call(api, { method: 'GET', path: `refunds/${id}` }, YooKassaRefundSchema);
  } catch (error) {
    if (error instanceof YooKassaError && error.kind === 'refused' && (error.status === 404 || error.status === 400)) return null;
    throw error;
  }
}
