import type { Request } from 'express';
import { hasMessage } from '../i18n/translate.js';

/** The message key a redirect's `?done=<area>.<name>` names: `<area>.notices.<name>`; `null` when it is not that shape. */
export function noticeKeyOf(done: string): string | null {
  if (!/^[a-z][a-zA-Z]{0,19}\.[a-z_]{1,40}$/.test(done)) return null;
  const [area, name] = done.split('.') as [string, string];
  return `${area}.notices.${name}`;
}

/**
 * The message key for `?done=<area>.<name>` after a redirect (`<area>.notices.<name>` in the
 * locale files), only when it names a known notice: the query is never echoed.
 */
export function noticeFrom(req: Request): string | null {
  const done = req.query['done'];
  const key = typeof done === 'string' ? noticeKeyOf(done) : null;
  return key !== null && hasMessage(key) ? key : null;
}
