import type { Transformer } from 'grammy';
import type { Logger } from 'pino';

/**
 * `answerCallbackQuery` as the courtesy it is (it stops the button's spinner, or shows a toast): a failure, a refusal
 * ("query is too old") or a call lost on the way does not fail the update, whose reply still goes out; the client
 * stops the spinner by itself. Answering twice is harmless, so it is no call that "reached the user"
 * (`update-effects.ts`).
 */
export function callbackAnswersAreCourtesy(log: Logger): Transformer {
  return async (call, method, payload, signal) => {
    if (method !== 'answerCallbackQuery') return call(method, payload, signal);
    const answered = await call(method, payload, signal).catch((error: unknown) => {
      log.warn({ err: error }, 'answering a button failed; the update goes on');
      return null;
    });
    if (answered?.ok === false) log.debug({ description: answered.description }, 'Telegram refused a button answer; the update goes on');
    return answered?.ok === true ? answered : ({ ok: true, result: true } as Awaited<ReturnType<typeof call>>);
  };
}
