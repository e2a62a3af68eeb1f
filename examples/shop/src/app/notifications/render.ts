import { formatDuration } from '../../i18n/duration.js';
import { formatDateTime, formatMoney } from '../../i18n/format.js';
import { translator, type Locale, type TranslateParams } from '../../i18n/translate.js';
import type { RenderedMessage } from './channel.js';
import { deviceName } from '../../i18n/device-text.js';
import { kindTextKey, type NotificationKind, type NotificationParams } from '../../db/notification-kinds.js';
import { reimportLines } from '../../i18n/reimport-text.js';

/** How a notification reads: its recipient's language, the shop's time zone and name. */
export interface RenderOptions {
  locale: Locale;
  timeZone: string;
  shopName: string;
}

const textOrNull = (value: string | number | null | undefined): string | null => (typeof value === 'string' ? value : null);

/** The device a device notice is about, from its params (`deviceModel`, `devicePlatform`, `deviceApp`). */
function deviceOf(params: NotificationParams) {
  return {
    model: textOrNull(params['deviceModel']),
    platform: textOrNull(params['devicePlatform']),
    osVersion: null,
    app: textOrNull(params['deviceApp']),
    appVersion: null,
  };
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
  const storefrontRefusal = params['storefrontRefusal'];
  if (typeof storefrontRefusal === 'string') out['why'] = t(`storefronts.refusals.${storefrontRefusal}`);
  const refusal = params['refusal'];
  if (typeof refusal === 'string') {
    out['why'] = t(`devices.refusals.${refusal}`);
    out['next'] = t(`devices.nextSteps.${refusal}`, { limit: typeof params['limit'] === 'number' ? params['limit'] : '—' });
  }
  if ('deviceModel' in params || 'deviceApp' in params || 'devicePlatform' in params) out['device'] = deviceName(deviceOf(params), t);
  const reimportKinds = params['reimportKinds'];
  if (typeof reimportKinds === 'string') out['changes'] = reimportLines(reimportKinds, String(out['plan'] ?? '—'), t);
  const noteKey = params['noteKey'];
  if (typeof noteKey === 'string' && noteKey.startsWith('wallet.paymentNotes.')) out['note'] = t(noteKey);
  for (const key of [
    'plan',
    'link',
    'apps',
    'panel',
    'target',
    'error',
    'note',
    'username',
    'after',
    'before',
    'device',
    'why',
    'next',
    'limit',
    'method',
    'support',
    'channel',
    'code',
    'subject',
    'text',
    'changes',
  ])
    out[key] ??= '—';
  return out;
}

/**
 * A notification as its recipient reads it, from `notifications.json`: the kind's subject and text,
 * the review note when there is one, and the shop's signature.
 */
export function renderNotification(kind: NotificationKind, params: NotificationParams, options: RenderOptions): RenderedMessage {
  const t = translator(options.locale);
  const v = values(params, options);
  const lines = [t(kindTextKey(kind, 'text'), v)];
  const hasNote = (typeof params['note'] === 'string' && params['note'].length > 0) || typeof params['noteKey'] === 'string';
  if (hasNote) lines.push(t('notifications.noteLine', v));
  lines.push('', t('notifications.signature', v));
  return { subject: t(kindTextKey(kind, 'subject'), v), text: lines.join('\n') };
}
