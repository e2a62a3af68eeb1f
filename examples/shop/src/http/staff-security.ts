import type { NextFunction, Request, Response } from 'express';
import type { SessionState } from '../db/sessions.js';
import { ctxOf, wantsJson } from './context.js';
import { ShopError } from '../app/shop-error.js';

/** How long a password or code given again keeps dangerous actions open. */
export const REAUTH_WINDOW_MS = 5 * 60_000;

/** What the request's session cookie proves (set by `loadViewer`), beside the viewer it signs in. */
export interface SessionLocals {
  token: string;
  state: SessionState;
}

const SESSION_KEY = 'pkSession';
const TOTP_MISSING_KEY = 'pkStaffTotpMissing';

export function setSessionLocals(res: Response, session: SessionLocals | null, staffTotpMissing: boolean): void {
  res.locals[SESSION_KEY] = session;
  res.locals[TOTP_MISSING_KEY] = staffTotpMissing;
}

/** The session behind the request (pending a second factor or not), or `null` (no cookie, an API token). */
export function sessionOf(res: Response): SessionLocals | null {
  return (res.locals[SESSION_KEY] as SessionLocals | null | undefined) ?? null;
}

/** True when the viewer is staff who must enrol a second factor before the back office opens. */
export function staffTotpMissing(res: Response): boolean {
  return res.locals[TOTP_MISSING_KEY] === true;
}

/** Sends staff who owe an enrolment to the security page (the API answers 403). */
export function requireStaffSecondFactor(req: Request, res: Response, next: NextFunction): void {
  if (!staffTotpMissing(res)) return next();
  if (wantsJson(req) || req.method !== 'GET') return next(new ShopError('forbidden', 'security.enrolFirst'));
  res.redirect(303, '/account/security?required=1');
}

/**
 * Dangerous actions (adding or editing a panel, …) need the password or a code given in the last
 * {@link REAUTH_WINDOW_MS}: a page sends the admin to confirm and back; a form post or the API is refused.
 * API tokens cannot re-authenticate, so they cannot take these actions at all.
 */
export function requireRecentAuth(clock: { now(): Date }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const session = sessionOf(res);
    const reauthAt = session?.state.reauthAt ?? null;
    const recent = reauthAt !== null && clock.now().getTime() - reauthAt.getTime() < REAUTH_WINDOW_MS;
    if (session !== null && ctxOf(res).viewer !== null && recent) return next();
    if (wantsJson(req) || req.method !== 'GET' || session === null) return next(new ShopError('forbidden', 'security.reauthFirst'));
    res.redirect(303, `/account/reauth?next=${encodeURIComponent(req.originalUrl)}`);
  };
}
