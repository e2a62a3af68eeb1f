import type { Payment } from './records.js';
import { parseForm, type FieldErrors } from '../input/forms.js';
import { ShopError } from '../shop-error.js';
import type { Translate } from '../../i18n/translate.js';
import type { Shop } from '../shop.js';
import { enabledProvider } from './registry.js';

export type TopUpResult =
  | { ok: true; payment: Payment; notice: 'credited' | 'pending' }
  | {
      ok: false;
      code: 'invalid_input' | 'conflict' | 'too_many_requests';
      fields: FieldErrors;
      messageKey: string;
      params?: Record<string, string | number>;
    };

/**
 * A buyer's top-up through one provider, for the wallet form and the JSON API alike: an unknown
 * or disabled provider is a 404, bad fields a 400 with every field's message, a refusal (a
 * reused reference, too many receipts waiting) its own refusal code and message. Nothing is written
 * unless it is accepted.
 */
export async function submitTopUp(shop: Shop, customerId: string, providerId: string, body: unknown, t: Translate): Promise<TopUpResult> {
  const provider = await enabledProvider(shop, providerId);
  if (provider === null) throw new ShopError('not_found', 'errors.notFound');
  const form = parseForm(
    provider.formSchema({ currency: shop.config.currency, timeZone: shop.config.timeZone, now: shop.clock.now() }),
    body,
    t,
  );
  if (!form.ok) return { ok: false, code: 'invalid_input', fields: form.fields, messageKey: 'errors.invalidInput' };
  const outcome = await provider.submit(shop, customerId, form.data);
  if (!outcome.ok) {
    const { code, field, messageKey, params } = outcome;
    return { ok: false, code, fields: { [field]: t(messageKey, params) }, messageKey, ...(params === undefined ? {} : { params }) };
  }
  return { ok: true, payment: outcome.payment, notice: outcome.payment.status === 'approved' ? 'credited' : 'pending' };
}
