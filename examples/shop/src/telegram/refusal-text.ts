import { formatDateTime, formatMoney } from '../i18n/format.js';
import type { Refusal } from '../app/subscriptions/refusals.js';
import type { BotUser } from './context.js';

/** A checkout or extension refusal said to the buyer, with the balance and the amount needed when funds are short. */
export function refusalText(user: BotUser, refusal: Refusal, timeZone: string): string {
  const { t, locale } = user;
  const params: Record<string, string> = {};
  if (refusal.funds !== undefined) {
    params['balance'] = formatMoney({ amount: refusal.funds.balance, currency: refusal.funds.currency }, locale);
    params['total'] = formatMoney({ amount: refusal.funds.required, currency: refusal.funds.currency }, locale);
  }
  if (refusal.opensAt !== undefined) params['opensAt'] = formatDateTime(refusal.opensAt, locale, timeZone);
  return t(refusal.key, params);
}
