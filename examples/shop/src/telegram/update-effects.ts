import type { Context } from 'grammy';

/**
 * Watches one update's Bot API calls (through its context) for one that may have reached the user: one Telegram
 * answered, or one lost on the way (a network error: it may have arrived). A call Telegram refused (`ok: false`) did
 * nothing, `get…` calls only read, and a button's answer may be repeated (`callback-answers.ts`). Returns whether
 * such a call was made so far.
 */
export function watchCallsThatReachedTheUser(ctx: Context): () => boolean {
  let reached = false;
  ctx.api.config.use(async (call, method, payload, signal) => {
    if (method.startsWith('get') || method === 'answerCallbackQuery') return call(method, payload, signal);
    try {
      const answer = await call(method, payload, signal);
      if (answer.ok) reached = true;
      return answer;
    } catch (error) {
      reached = true;
      throw error;
    }
  });
  return () => reached;
}
