import type { NextFunction, Request, Response } from 'express';
import { ShopError } from '../shop-error.js';

/** A NUL, raw or percent-encoded (PostgreSQL's text cannot hold one: "invalid byte sequence"). */
const NUL = /\0|%00/i;

function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((inner) => holdsNul(inner, depth + 1));
  return Object.entries(value).some(([key, inner]) => key.includes('\0') || holdsNul(inner, depth + 1));
}

/**
 * Refuses, before any route runs, a request with a NUL anywhere a route could read text from: the path and
 * query (raw or `%00`), the cookies, and every string of a parsed form or JSON body, at any depth. No text the
 * shop stores may hold one, so one answer here (400) replaces a check in every field, and nothing is changed.
 */
export function refuseNulText() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const refused = NUL.test(req.originalUrl) || NUL.test(req.headers.cookie ?? '') || holdsNul(req.body);
    next(refused ? new ShopError('invalid_input', 'errors.textNul') : undefined);
  };
}

/** Whether a parsed value (an update, a body) holds a NUL in any string or key. */
export function containsNul(value: unknown): boolean {
  return holdsNul(value);
}
