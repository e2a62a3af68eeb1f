import type { Request } from 'express';
import { hasMessage } from '../i18n/translate.js';

/**
 * The message key for `?done=<area>.<name>` after a redirect (`<area>.notices.<name>` in the
 * locale files), only when it names a known notice: the query is never echoed.
 */
export function noticeFrom(req: Request): string | null {
  const done = req.query['done'];
  if (typeof done !== 'string' || !/^[a-z][a-zA-Z]{0,19}\.[a-z_]{1,40}$/.test(done)) return null;
  const [area, name] = done.split('.') as [string, string];
  const key = `${area}.notices.${name}`;
  return hasMessage(key) ? key : null;
}
