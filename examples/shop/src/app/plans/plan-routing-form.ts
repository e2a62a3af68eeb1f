import { isRoutingPreset, type RoutingPreset } from '@panelkit/subscription-feed';
import type { Translate } from '../../i18n/translate.js';

/** The plan form's `routing` select: `''` for none, else a preset. */
export const ROUTING_FIELD = 'routing';

/** The submitted routing choice, to show again with the errors. */
export function echoRoutingValue(body: unknown): string {
  const value = (typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[ROUTING_FIELD] : undefined) ?? '';
  return typeof value === 'string' ? value : '';
}

/** Reads the `routing` select: empty (or absent) is none; anything but a preset is refused. */
export function planRoutingFrom(
  body: unknown,
  t: Translate,
): { ok: true; preset: RoutingPreset | null } | { ok: false; fields: Record<string, string> } {
  const value = echoRoutingValue(body);
  if (value === '') return { ok: true, preset: null };
  return isRoutingPreset(value) ? { ok: true, preset: value } : { ok: false, fields: { [ROUTING_FIELD]: t('forms.invalid') } };
}
