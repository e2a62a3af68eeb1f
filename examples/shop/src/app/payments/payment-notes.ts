import type { Translate } from '../../i18n/translate.js';
import { NOWPAYMENTS_STATUSES } from '@panelkit/payment-providers/nowpayments';

/** Gateway statuses the catalogs name (NOWPayments' words, and Zarinpal's `verified`); any other is `other`. */
const NAMED_STATUSES: ReadonlySet<string> = new Set([...NOWPAYMENTS_STATUSES, 'verified']);

/**
 * The catalog key (`wallet.paymentNotes.*`) of a note the SDK wrote on a payment, not a person: the gateway's
 * status (`gateway: finished`) or the scheduler's expiry. A provider's own words never reach a buyer; a status
 * the catalogs do not name is `wallet.paymentNotes.other`.
 */
export function machineNoteKey(note: string): string {
  const status = /^gateway: ([a-z_]+)$/.exec(note)?.[1];
  if (status !== undefined && NAMED_STATUSES.has(status)) return `wallet.paymentNotes.${status}`;
  if (note === 'not paid in time') return 'wallet.paymentNotes.notPaidInTime';
  return 'wallet.paymentNotes.other';
}

/** The note beside a payment as its buyer reads it: a reviewer's words as written, the SDK's from the catalog. */
export function paymentNoteText(payment: { reviewNote: string | null; noteKey: string | null }, t: Translate): string | null {
  return payment.noteKey !== null ? t(payment.noteKey) : payment.reviewNote;
}
