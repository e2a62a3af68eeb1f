import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** What {@link fixedWindowLimit} counts, and how it refuses. */
export interface FixedWindowLimitOptions {
  /** Requests per key per window. */
  limit: number;
  windowMs: number;
  /** The key a request is counted under (e.g. the caller's address). */
  key: (req: Request, res: Response) => string;
  /** Called for a request past the limit (its headers and `Retry-After` already set). */
  refuse: (req: Request, res: Response, next: NextFunction) => void;
  /** Requests not counted at all; absent, every request is counted without waiting on anything. */
  skip?: (req: Request, res: Response) => Promise<boolean>;
}

/** One key's window: its hits, when it ends, and its `RateLimit-Policy` value (the key's hash in it, made once). */
interface Window {
  hits: number;
  resetAt: number;
  policy: string;
}

/** `express-rate-limit`'s name of a policy: `60-in-10min`, `10-in-15min`, `5-in-1hr`. */
function policyName(limit: number, windowMs: number): string {
  const seconds = windowMs / 1000;
  const minutes = seconds / 60;
  const hours = minutes / 60;
  const days = hours / 24;
  const duration =
    seconds < 60
      ? `${seconds}sec`
      : minutes < 60
        ? `${minutes}min`
        : hours < 24
          ? `${hours}hr${hours > 1 ? 's' : ''}`
          : `${days}day${days > 1 ? 's' : ''}`;
  return `${limit}-in-${duration}`;
}

/** The partition key of IETF draft 8 as `express-rate-limit` writes it: 12 hex digits of the key's SHA-256, in base64. */
function partitionKey(key: string): string {
  return Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');
}

/**
 * A per-process rate limit with `express-rate-limit`'s memory store and its draft-8 headers (what the shop used
 * before), counted synchronously: a request that is not skipped waits on no promise. Each key gets a window of
 * `windowMs` from its first request (a new one when it has passed); past `limit` the request gets `Retry-After`
 * (seconds left) and `refuse`. Every answer carries `RateLimit: "<name>"; r=<left>; t=<seconds>` and
 * `RateLimit-Policy: "<name>"; q=<limit>; w=<window s>; pk=:<key's hash>:`. Keys not seen for a window are
 * forgotten within two.
 */
export function fixedWindowLimit(options: FixedWindowLimitOptions): RequestHandler {
  const { limit, windowMs, key: keyOf, refuse, skip } = options;
  const name = policyName(limit, windowMs);
  const windowSeconds = Math.ceil(windowMs / 1000);
  let previous = new Map<string, Window>();
  let current = new Map<string, Window>();
  setInterval(() => {
    previous = current;
    current = new Map();
  }, windowMs).unref();

  const windowOf = (key: string, now: number): Window => {
    let window = current.get(key);
    if (window !== undefined) return window;
    window = previous.get(key);
    if (window !== undefined) previous.delete(key);
    else window = { hits: 0, resetAt: now + windowMs, policy: `"${name}"; q=${limit}; w=${windowSeconds}; pk=:${partitionKey(key)}:` };
    current.set(key, window);
    return window;
  };

  const count = (req: Request, res: Response, next: NextFunction): void => {
    const now = Date.now();
    const window = windowOf(keyOf(req, res), now);
    if (window.resetAt <= now) {
      window.hits = 0;
      window.resetAt = now + windowMs;
    }
    window.hits++;
    const resetSeconds = Math.max(0, Math.ceil((window.resetAt - now) / 1000));
    if (!res.headersSent) {
      res.append('RateLimit', `"${name}"; r=${Math.max(limit - window.hits, 0)}; t=${resetSeconds}`);
      res.append('RateLimit-Policy', window.policy);
    }
    if (window.hits <= limit) return next();
    if (!res.headersSent) res.setHeader('Retry-After', String(resetSeconds));
    refuse(req, res, next);
  };

  return (req, res, next) => {
    try {
      if (skip === undefined) return count(req, res, next);
      skip(req, res)
        .then((skipped) => (skipped ? next() : count(req, res, next)))
        .catch((error: unknown) => next(error));
    } catch (error) {
      next(error);
    }
  };
}
