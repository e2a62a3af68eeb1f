import { formatDuration } from '../../i18n/duration.js';
import { formatDateTime, formatMoney } from '../../i18n/format.js';
import { translator, type Locale, type TranslateParams } from '../../i18n/translate.js';
import type { RenderedMessage } from './channel.js';
import type { NotificationKind, NotificationParams } from '../../db/notification-kinds.js';

/** How a notification reads: its recipient's language, the shop's time zone and name. */
export interface RenderOptions {
  locale: Locale;
  timeZone: string;
  shopName: string;
}

/** The params as text for the message: money, dates (Jalali in Farsi) and spans written in the locale. */
function values(params: NotificationParams, options: RenderOptions): TranslateParams {
  const t = translator(options.locale);
  const out: TranslateParams = { shop: options.shopName };
  for (const [key, value] of Object.entries(params)) if (value !== null) out[key] = value;
  const { amount, currency, expiresAt, leadMs, reason } = params;
  if (typeof amount === 'number' && typeof currency === 'string') out['amount'] = formatMoney({ amount, currency }, options.locale);
  for (const key of ['taken', 'shortfall'] as const) {
    const part = params[key];
    if (typeof part === 'number' && typeof currency === 'string') out[key] = formatMoney({ amount: part, currency }, options.locale);
  }
  out['expires'] = typeof expiresAt === 'string' ? formatDateTime(new Date(expiresAt), options.locale, options.timeZone) : '—';
  if (typeof leadMs === 'number') out['within'] = formatDuration(leadMs, t);
  if (typeof reason === 'string') out['reason'] = t(`notifications.reasons.${reason}`);
  const noteKey = params['noteKey'];
  if (typeof noteKey === 'string' && noteKey.startsWith('wallet.paymentNotes.')) out['note'] = t(noteKey);
  for (const key of ['plan', 'link', 'panel', 'target', 'error', 'note', 'username', 'after', 'before']) out[key] ??= '—';
  return out;
}

/**
 * A notification as its recipient reads it, from `notifications.json`: the kind's subject and text,
 * the review note when there is one, and the shop's signature.
 */
export function renderNotification(kind: NotificationKind, params: NotificationParams, options: RenderOptions): RenderedMessage {
  const t = translator(options.locale);
  const v = values(params, options);
  const lines = [t(`notifications.kinds.${kind}.text`, v)];
  const hasNote = (typeof params['note'] === 'string' && params['note'].length > 0) || typeof params['noteKey'] === 'string';
  if (hasNote) lines.push(t('notifications.noteLine', v));
  lines.push('', t('notifications.signature', v));
  return { subject: t(`notifications.kinds.${kind}.subject`, v), text: lines.join('\n') };
}
