import { AsyncResource } from 'node:async_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ShopError } from '../app/shop-error.js';

/** The largest update body the webhook reads (Telegram's are a few KB: a photo's is its metadata). */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

/** Whether a `Content-Type` is JSON in UTF-8 (no charset, or `utf-8`): `null` when it is no JSON at all. */
function jsonInUtf8(contentType: string | undefined): boolean | null {
  if (contentType === undefined) return null;
  const [type = '', ...params] = contentType.split(';');
  if (type.trim().toLowerCase() !== 'application/json') return null;
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') return false;
  }
  return true;
}

/**
 * Reads a webhook post's JSON body into `req.body`, at most `limit` bytes: what `express.json({ limit })` did for the
 * webhook, without its per-request machinery (the content type parsed by three packages, a decoder stream, an async
 * resource): issue 93. Refusals are what the app's error handler made of body-parser's: a type that is not JSON, or a
 * body that is not JSON, 400 (`invalid_input`); past the limit, 413 (read no further); a charset other than UTF-8 or a
 * compressed body, 415 (Telegram posts neither). A UTF-8 byte order mark is skipped, as body-parser's decoder did.
 */
export function webhookJsonBody(limit = WEBHOOK_BODY_LIMIT_BYTES): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const utf8 = jsonInUtf8(req.headers['content-type']);
    if (utf8 === null) return next(new ShopError('invalid_input', 'errors.malformedBody'));
    const encoding = req.headers['content-encoding'];
    if (utf8 === false || (encoding !== undefined && encoding.toLowerCase() !== 'identity'))
      return next(new ShopError('unsupported_media', 'errors.malformedBody'));
    if (Number(req.headers['content-length'] ?? 0) > limit) return next(new ShopError('too_large', 'errors.bodyTooLarge'));
    const chunks: Buffer[] = [];
    let received = 0;
    // The body's events come from the socket's async context: the rest of the request runs in its own (an
    // `AsyncLocalStorage` store a host or an earlier middleware set), as after body-parser, which binds its callback too.
    // A resource run directly: `AsyncResource.bind` also defines two deprecated accessors on every function it binds.
    const context = new AsyncResource('WEBHOOK_BODY');
    const stop = (error: unknown) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', stop);
      context.runInAsyncScope(next, undefined, error);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        req.pause();
        return stop(new ShopError('too_large', 'errors.bodyTooLarge'));
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
      try {
        req.body = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
      } catch {
        return stop(new ShopError('invalid_input', 'errors.malformedBody'));
      }
      stop(undefined);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', stop);
  };
}
