import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { cookieName } from './viewer.js';

/** The cookie a browser keeps once it has signed in to an account: `<device id>.<proof>`. */
export const KNOWN_DEVICE_COOKIE = 'pk_device';

const YEAR_MS = 365 * 24 * 3600_000;

function proof(secret: string, email: string, deviceId: string): string {
  return createHmac('sha256', secret).update(`known-device|${email.trim().toLowerCase()}|${deviceId}`).digest('base64url');
}

/**
 * Marks this browser as one that signed in to the account of `email` (a "device cookie", as OWASP's guide to
 * lockouts calls it): its later password guesses at that account are counted apart from everyone else's, so a
 * stranger guessing at the email cannot slow the holder's own browser down. The proof is an HMAC with the shop's
 * secret; the cookie opens nothing by itself (the password is still judged). One account per browser: the last one.
 */
export function rememberKnownDevice(req: Request, res: Response, options: { secret: string; email: string; secure: boolean }): void {
  const deviceId = knownDeviceOf(req, options) ?? randomBytes(12).toString('base64url');
  res.cookie(cookieName(KNOWN_DEVICE_COOKIE, options.secure), `${deviceId}.${proof(options.secret, options.email, deviceId)}`, {
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    maxAge: YEAR_MS,
    path: '/',
  });
}

/** This browser's device id when its known-device cookie was given by a sign-in to `email`'s account; else null. */
export function knownDeviceOf(req: Request, options: { secret: string; email: string; secure: boolean }): string | null {
  const value = req.cookies?.[cookieName(KNOWN_DEVICE_COOKIE, options.secure)] as unknown;
  if (typeof value !== 'string') return null;
  const match = /^([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (match === null) return null;
  const [, deviceId, given] = match as unknown as [string, string, string];
  const expected = Buffer.from(proof(options.secret, options.email, deviceId));
  return timingSafeEqual(expected, Buffer.from(given)) ? deviceId : null;
}
