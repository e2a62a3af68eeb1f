import { RetryLaterError } from '@panelkit/sdk';
import { GrammyError, HttpError } from 'grammy';

/**
 * What a failed Bot API send means, one policy for every sender that calls Telegram from a job (notifications,
 * staff alerts, broadcasts, daily summaries):
 * - `retry`: a 429 (after its `retry_after`), a 5xx, or a connection that was never made: throw `error`, a
 *   `RetryLaterError`, so the SDK job runs again then (no sender sleeps in-process, but a broadcast's run of
 *   copies, which waits out a 429 of up to 1 s itself: it holds a lane nothing else could use, `broadcast-jobs.ts`);
 * - `refused`: any other 4xx, final for this message, with Telegram's reason; `unreachable` when it is final for
 *   the chat too (blocked bot, unknown chat, deactivated user): nothing more is sent to it until it writes;
 * - `unknown`: the call failed on the way and the message may have arrived: not sent again (at most once).
 */
export type SendFailure =
  | { kind: 'retry'; error: RetryLaterError }
  | { kind: 'refused'; reason: string; unreachable: boolean }
  | { kind: 'unknown'; reason: string };

/** Socket errors raised before the request could reach Telegram: the message cannot have arrived. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** Refusals that concern the chat, not the message: blocked, unknown chat, deactivated or deleted user. */
const UNREACHABLE = /blocked by the user|chat not found|user is deactivated|user not found|bot was kicked|not a member|PEER_ID_INVALID/i;

/** Telegram's reason as the delivery records keep it: `400 Bad Request: chat not found`. */
function reasonOf(error: GrammyError): string {
  return `${error.error_code} ${error.description}`.slice(0, 500);
}

/** Classifies a failed Bot API call under the policy above; `null` when it is not a Bot API failure (a bug: rethrow it). */
export function classifySendError(error: unknown): SendFailure | null {
  if (error instanceof GrammyError) {
    const reason = reasonOf(error);
    if (error.error_code === 429) {
      const waitMs = (error.parameters.retry_after ?? 1) * 1000;
      return { kind: 'retry', error: new RetryLaterError(`Telegram answered ${reason}`, waitMs, { cause: error }) };
    }
    // No wait of its own: the job's backoff decides.
    if (error.error_code >= 500) return { kind: 'retry', error: new RetryLaterError(`Telegram answered ${reason}`, 0, { cause: error }) };
    return { kind: 'refused', reason, unreachable: error.error_code === 403 || UNREACHABLE.test(error.description) };
  }
  if (error instanceof HttpError) {
    const code = (error.error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && NEVER_SENT.has(code))
      return { kind: 'retry', error: new RetryLaterError(`Telegram could not be reached (${code})`, 0, { cause: error }) };
    return { kind: 'unknown', reason: 'the connection failed during the call' };
  }
  return null;
}
