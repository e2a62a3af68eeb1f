import { PaymentSignatureError } from '@panelkit/sdk';
import { z } from 'zod';
import { jsonOf, textOf } from '../core/body.js';
import { headerOf, type WebhookHeaders } from '../core/headers.js';
import { verifyCryptoPaySignature } from './signature.js';

/** The provider id CryptoBot payments are recorded under. */
export const CRYPTOBOT_PROVIDER = 'cryptobot';
/** The header Crypto Pay signs its webhooks in. */
export const CRYPTOBOT_SIGNATURE_HEADER = 'crypto-pay-api-signature';

const WebhookSchema = z.object({
  update_id: z.number().int().optional(),
  update_type: z.string(),
  payload: z.object({ invoice_id: z.number().int() }),
});

/** A Crypto Pay webhook whose signature held: what it is about (only Crypto Pay's own answer says what became of it). */
export interface CryptoBotWebhook {
  /** `invoice_paid` today; Crypto Pay may add others. */
  updateType: string;
  /** The invoice it names, as the payment's external reference. */
  invoiceId: string;
}

/**
 * A Crypto Pay webhook checked, framework-free: `rawBody` must be the exact bytes received (the signature is over
 * them), `crypto-pay-api-signature` their hex HMAC-SHA256 keyed by the SHA-256 of the app's token. Anything else,
 * a body that is not a Crypto Pay update included, is refused with `PaymentSignatureError` (answer 401, change
 * nothing).
 */
export function readCryptoBotWebhook(input: { rawBody: string | Uint8Array; headers: WebhookHeaders; token: string }): CryptoBotWebhook {
  const rawBody = textOf(input.rawBody);
  if (!verifyCryptoPaySignature(rawBody, headerOf(input.headers, CRYPTOBOT_SIGNATURE_HEADER), input.token))
    throw new PaymentSignatureError(CRYPTOBOT_PROVIDER, 'bad signature');
  const parsed = jsonOf(rawBody, CRYPTOBOT_PROVIDER);
  const update = WebhookSchema.safeParse(parsed);
  if (!update.success) throw new PaymentSignatureError(CRYPTOBOT_PROVIDER, 'not a Crypto Pay update');
  return { updateType: update.data.update_type, invoiceId: String(update.data.payload.invoice_id) };
}
