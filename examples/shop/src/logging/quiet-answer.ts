import type { ServerResponse } from 'node:http';

const quiet = new WeakSet<ServerResponse>();

/**
 * Marks an answer given on purpose and in bulk (the Telegram webhook's 503s while it sheds load): the request log
 * writes it at `debug`, not as an error each time; whoever answers reports them in aggregate instead. Under
 * overload, a 2 KB error line per shed request would be load of its own.
 */
export function answerQuietly(res: ServerResponse): void {
  quiet.add(res);
}

/** Whether {@link answerQuietly} marked this answer. */
export function isQuietAnswer(res: ServerResponse): boolean {
  return quiet.has(res);
}
