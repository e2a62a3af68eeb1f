import { z } from 'zod';

/** Where the Crypto Pay API is (`https://pay.crypt.bot/`, the testnet, or the simulator) and the app's API token. */
export interface CryptoPayApi {
  /** `https://pay.crypt.bot/`, `https://testnet-pay.crypt.bot/`, or a simulator's address. */
  baseUrl: string;
  /** The app's API token (from `@CryptoBot`'s Crypto Pay menu). */
  token: string;
}

/** A failed call to Crypto Pay: unreachable, an HTTP error, a refusal (`ok: false`), or an answer of another shape. */
export class CryptoPayError extends Error {
  /** @param message what went wrong, for logs. */
  constructor(message: string) {
    super(message);
    this.name = 'CryptoPayError';
  }
}

/** An invoice's status: `active` (payable), `paid`, or `expired`. */
export const INVOICE_STATUSES = ['active', 'paid', 'expired'] as const;

/** An invoice as Crypto Pay describes it (the fields the provider relies on), in `createInvoice`, `getInvoices` and webhooks. */
export const CryptoPayInvoiceSchema = z.object({
  invoice_id: z.number().int(),
  status: z.enum(INVOICE_STATUSES),
  currency_type: z.enum(['crypto', 'fiat']),
  fiat: z.string().optional(),
  /** The amount asked, in major units of `fiat` (a decimal string). */
  amount: z.string(),
  bot_invoice_url: z.string().url(),
  /** What the shop gave the invoice: the payment's id. */
  payload: z.string().optional(),
  paid_at: z.string().optional(),
});
/** See {@link CryptoPayInvoiceSchema}. */
export type CryptoPayInvoice = z.infer<typeof CryptoPayInvoiceSchema>;

const Envelope = z.object({ ok: z.boolean(), result: z.unknown().optional(), error: z.object({ name: z.string() }).partial().optional() });

async function call<T>(api: CryptoPayApi, method: string, params: Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
  let response: Response;
  try {
    response = await fetch(new URL(`api/${method}`, api.baseUrl.endsWith('/') ? api.baseUrl : `${api.baseUrl}/`), {
      method: 'POST',
      headers: { 'crypto-pay-api-token': api.token, 'content-type': 'application/json' },
      body: JSON.stringify(params),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new CryptoPayError(`Crypto Pay could not be reached (${(error as Error).message})`);
  }
  const envelope = Envelope.safeParse(await response.json().catch(() => null));
  if (!envelope.success) throw new CryptoPayError(`Crypto Pay answered ${response.status} with something unexpected`);
  if (!envelope.data.ok) throw new CryptoPayError(`Crypto Pay refused ${method} (${envelope.data.error?.name ?? response.status})`);
  const result = schema.safeParse(envelope.data.result);
  if (!result.success) throw new CryptoPayError(`Crypto Pay's ${method} answered something unexpected`);
  return result.data;
}

/** `createInvoice`: a fiat-priced invoice (`amount` in major units of `fiat`), payable in any crypto, tied to our `payload`. */
export function createInvoice(
  api: CryptoPayApi,
  input: { fiat: string; amount: string; description: string; payload: string; expiresInS: number; returnUrl: string | null },
): Promise<CryptoPayInvoice> {
  return call(
    api,
    'createInvoice',
    {
      currency_type: 'fiat',
      fiat: input.fiat,
      amount: input.amount,
      description: input.description.slice(0, 1024),
      payload: input.payload,
      expires_in: input.expiresInS,
      allow_comments: false,
      ...(input.returnUrl === null ? {} : { paid_btn_name: 'callback', paid_btn_url: input.returnUrl }),
    },
    CryptoPayInvoiceSchema,
  );
}

/** `getInvoices` for one invoice id: Crypto Pay's own word on it, asked server to server before anything is credited; `null` when it knows none. */
export async function getInvoice(api: CryptoPayApi, invoiceId: string): Promise<CryptoPayInvoice | null> {
  if (!/^\d{1,20}$/.test(invoiceId)) return null;
  const { items } = await call(api, 'getInvoices', { invoice_ids: invoiceId }, z.object({ items: z.array(CryptoPayInvoiceSchema) }));
  return items.find((i) => String(i.invoice_id) === invoiceId) ?? null;
}
