import { PanelkitError } from '@panelkit/sdk';
import type { NextFunction, Request, Response } from 'express';
import { translator } from '../i18n/translate.js';
import type { Shop } from '../app/shop.js';
import { errorPage } from '../views/error-page.js';
import { ctxOf, wantsJson, type RequestContext } from '../http/context.js';
import { ShopError, type ShopErrorCode } from '../app/shop-error.js';
import { httpStatusOf, shopErrorCodeOf } from '../http/status.js';
import { isDatabaseAway } from '../db/database-away.js';

/** Engine errors a buyer or admin can cause, as an answer; anything else is the shop's fault (500). */
const ENGINE_ERRORS: Partial<Record<PanelkitError['code'], { code: ShopErrorCode; key: string }>> = {
  VALIDATION_FAILED: { code: 'invalid_input', key: 'errors.invalidInput' },
  NOT_FOUND: { code: 'not_found', key: 'errors.notFound' },
  CONFLICT: { code: 'conflict', key: 'errors.conflict' },
  IDEMPOTENCY_CONFLICT: { code: 'conflict', key: 'errors.idempotencyConflict' },
  NOT_ELIGIBLE: { code: 'conflict', key: 'errors.notEligible' },
  INSUFFICIENT_FUNDS: { code: 'insufficient_funds', key: 'errors.insufficientFunds' },
  CAPACITY_EXHAUSTED: { code: 'conflict', key: 'errors.soldOut' },
  INVALID_TRANSITION: { code: 'conflict', key: 'errors.conflict' },
};

/** What body-parser reports for a request it could not read. */
function bodyParserAnswer(error: unknown): ShopError | null {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return new ShopError('invalid_input', 'errors.malformedBody');
  if (type === 'entity.too.large') return new ShopError('too_large', 'errors.bodyTooLarge');
  if (typeof type === 'string' && type.startsWith('encoding.')) return new ShopError('unsupported_media', 'errors.malformedBody');
  if (type === 'parameters.too.many') return new ShopError('too_large', 'errors.bodyTooLarge');
  return null;
}

/**
 * A client error Express or its middleware raised with a status of its own, e.g. the `URIError`
 * (status 400) for a malformed percent-encoding in a path (`/subscriptions/%ff`).
 */
function statusAnswer(error: unknown): ShopError | null {
  const status =
    (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return null;
  return new ShopError(shopErrorCodeOf(status), status === 404 ? 'errors.notFound' : 'errors.malformedBody');
}

/** Seconds a client is asked to wait (`Retry-After`) while the database is away. */
export const DATABASE_AWAY_RETRY_AFTER_S = 5;

export function toShopError(error: unknown): ShopError | null {
  if (error instanceof ShopError) return error;
  if (isDatabaseAway(error)) return new ShopError('unavailable', 'errors.unavailable');
  const parsing = bodyParserAnswer(error) ?? statusAnswer(error);
  if (parsing !== null) return parsing;
  if (PanelkitError.is(error)) {
    const known = ENGINE_ERRORS[error.code];
    if (known !== undefined) return new ShopError(known.code, known.key);
  }
  return null;
}

/** The last middleware: a clear answer in the caller's language, never a stack trace; unexpected errors are logged. */
export function errorHandler(shop: Shop) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const known = toShopError(error);
    if (known === null) shop.logger.error({ err: error, path: req.path }, 'unhandled error');
    else if (known.code === 'unavailable') shop.logger.warn({ err: error, path: req.path }, 'the database is away: answered 503');
    const answer = known ?? new ShopError('internal', 'errors.internal');
    const ctx: RequestContext = (ctxOf(res) as RequestContext | undefined) ?? {
      locale: 'en',
      t: translator('en'),
      viewer: null,
      csrfToken: '',
      path: req.originalUrl,
      shopName: shop.config.shopName,
      footer: shop.config.footer,
    };
    const message = ctx.t(answer.messageKey, answer.params);
    if (res.headersSent) return;
    const status = httpStatusOf(answer.code);
    res.status(status);
    if (status === 503) res.set('Retry-After', String(DATABASE_AWAY_RETRY_AFTER_S));
    if (wantsJson(req)) {
      res.json({ error: { code: answer.messageKey.replace(/^errors\./, ''), message, fields: answer.fields } });
      return;
    }
    res.type('html').send(errorPage(ctx, status, message).value);
  };
}
