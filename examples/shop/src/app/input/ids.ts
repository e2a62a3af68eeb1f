import type { Request } from 'express';
import { ShopError } from '../shop-error.js';

/** What an id may look like (the SDK's `IdSchema` allows up to 128 characters; the engine writes `prefix_…`). */
const ID_BODY = '[A-Za-z0-9_-]{1,128}';

export const ID_PATTERN = new RegExp(`^${ID_BODY}$`);

/** Ids as the engine writes them; anything else cannot exist, so it is not worth a query. */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** `/admin/<section>/<id>` for the given sections: where an admin action may redirect back to. */
export function adminPathPattern(sections: readonly string[]): RegExp {
  return new RegExp(`^/admin/(${sections.join('|')})/${ID_BODY}$`);
}

/**
 * A route's `:id` when it looks like an engine id; anything else (a NUL byte, a stray character) is a
 * 404 without a lookup, so no malformed value ever reaches the database.
 */
export function idParam(req: Request, name = 'id'): string {
  const value = req.params[name];
  if (!isId(value)) throw new ShopError('not_found', 'errors.notFound');
  return value;
}
