import { ValidationError } from '@panelkit/sdk';
import type { FieldErrors } from '../input/forms.js';
import type { Translate } from '../../i18n/translate.js';

/**
 * The SDK's reasons for refusing a plan's kinds with the rest of the plan (design §3.2), each with the owner's text:
 * a bundle (several kinds) sold with a builder, seats or a start on first use, and extra devices on a plan that sells
 * no Xray (only Xray counts devices).
 */
const KIND_REFUSALS: Readonly<Record<string, string>> = {
  bundle_with_builder: 'kinds.admin.refusals.bundleWithBuilder',
  bundle_with_sharing: 'kinds.admin.refusals.bundleWithSharing',
  bundle_starts_on_first_use: 'kinds.admin.refusals.bundleStartsOnFirstUse',
  devices_not_countable: 'kinds.admin.refusals.devicesNotCountable',
};

/** The refusal's reason, where the SDK puts it (`details.reason`), if it gives one. */
function reasonOf(error: ValidationError): string | null {
  const reason = (error.details as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' ? reason : null;
}

/**
 * A `ValidationError` the SDK's plan admin threw on save as the form's field errors: a refusal of the kinds'
 * combination on "What it sells" in the owner's words; any other refusal on the form, in the SDK's words. Anything
 * that is not a `ValidationError` is `null` (the caller rethrows it).
 */
export function planRefusalFields(error: unknown, t: Translate): FieldErrors | null {
  if (!ValidationError.is(error)) return null;
  const reason = reasonOf(error);
  const key = reason === null ? undefined : KIND_REFUSALS[reason];
  if (key !== undefined) return { kinds: t(key) };
  const path = error.issues[0]?.path ?? '';
  if (path === 'kinds' || path.startsWith('kinds.')) return { kinds: t('kinds.admin.refusedOther', { message: error.message }) };
  return { _form: t('kinds.admin.refusedOther', { message: error.message }) };
}
