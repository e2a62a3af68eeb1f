import { Router, type Response } from 'express';
import { z } from 'zod';
import { signIn } from '../app/auth/accounts.js';
import { isStaffRole } from '../app/auth/staff-roles.js';
import { CODE_GUESSES, REAUTH_GUESSES, signInThrottleOf } from '../db/sign-in-throttle.js';
import { sessionOf } from '../http/staff-security.js';
import { requireAccount, SESSION_COOKIE, cookieName } from '../http/viewer.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { ShopError } from '../app/shop-error.js';
import { noticeFrom } from '../http/notice.js';
import type { RateLimits } from '../http/rate-limits.js';
import type { Shop } from '../app/shop.js';
import { qrDataUrl } from '../views/qr-code.js';
import { reauthPage, secondFactorPage, securityPage } from '../views/security-pages.js';
import { safeNext } from './auth.js';

/** Wrong codes one password sign-in may give before it is ended (the password must be given again, under its own rate limit). */
const MAX_CODE_ATTEMPTS = 5;

const CodeForm = z.object({ code: z.string().max(40).default(''), next: z.string().max(2000).optional() });
const ReauthForm = z.object({
  password: z.string().max(200).default(''),
  code: z.string().max(40).default(''),
  next: z.string().max(2000).optional(),
});

/**
 * Staff sign-in security: the second step of signing in (a TOTP or recovery code), the account's
 * security page (TOTP enrolment with a locally drawn QR, recovery codes shown once, the list of signed-in
 * sessions with sign-out of each), and re-authentication before dangerous actions.
 */
export function staffSecurityRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();
  const throttle = signInThrottleOf(shop);

  router.get('/signin/second-factor', (req, res) => {
    if (sessionOf(res)?.state.secondFactorPending !== true) return res.redirect(303, '/signin');
    res.send(secondFactorPage(ctxOf(res), { next: typeof req.query['next'] === 'string' ? req.query['next'] : '' }).value);
  });

  router.post('/signin/second-factor', limits.signIn, async (req, res) => {
    const ctx = ctxOf(res);
    const session = sessionOf(res);
    if (session === null || !session.state.secondFactorPending) return res.redirect(303, '/signin');
    const form = CodeForm.safeParse(req.body ?? {});
    const next = form.success ? form.data.next : undefined;
    const accountId = session.state.accountId;
    // Per account as well as per sign-in: signing in again does not buy more guesses.
    if (!(await throttle.take(CODE_GUESSES, accountId)).allowed) {
      await shop.sessions.destroy(session.token);
      res.clearCookie(cookieName(SESSION_COOKIE, shop.config.secureCookies), { path: '/' });
      return void res.status(429).send(secondFactorPage(ctx, { next }, { _form: ctx.t('auth.accountThrottled') }, false).value);
    }
    if (!form.success || !(await shop.staffTotp.verify(accountId, form.data.code))) {
      await throttle.noteFailure(CODE_GUESSES, accountId, (await shop.accounts.get(accountId))?.customerId ?? null);
      if ((await shop.sessions.countFailedCode(session.token)) >= MAX_CODE_ATTEMPTS) {
        await shop.sessions.destroy(session.token);
        res.clearCookie(cookieName(SESSION_COOKIE, shop.config.secureCookies), { path: '/' });
        return void res.status(401).send(secondFactorPage(ctx, { next }, { _form: ctx.t('security.tooManyCodes') }, false).value);
      }
      return void res.status(401).send(secondFactorPage(ctx, { next }, { code: ctx.t('security.wrongCode') }).value);
    }
    await throttle.clear(CODE_GUESSES, accountId);
    await shop.sessions.completeSecondFactor(session.token);
    res.redirect(303, safeNext(next));
  });

  router.use('/account/security', requireAccount, sessionOnly);
  router.use('/account/sessions', requireAccount, sessionOnly);
  router.use('/account/reauth', requireAccount, sessionOnly);

  const renderSecurity = async (
    res: Response,
    status: number,
    extra: { newRecoveryCodes?: string[]; errors?: Record<string, string>; notice?: string | null },
  ) => {
    const { account } = viewerOf(res);
    const enabled = await shop.staffTotp.isEnabled(account.id);
    const pending = enabled ? null : await shop.staffTotp.pendingEnrolment(account.id, account.email, shop.config.shopName);
    const view = {
      enrolment: pending === null ? null : { qr: await qrDataUrl(pending.uri), secret: pending.secret },
      enabled,
      required: isStaffRole(account.role) && shop.config.staffTotpRequired,
      recoveryCodesLeft: enabled ? await shop.staffTotp.recoveryCodesLeft(account.id) : 0,
      newRecoveryCodes: extra.newRecoveryCodes ?? null,
      sessions: await shop.sessions.list(account.id),
      currentSessionId: sessionOf(res)?.state.id ?? null,
      timeZone: shop.config.timeZone,
      notice: extra.notice ?? null,
      ...(extra.errors === undefined ? {} : { errors: extra.errors }),
    };
    // The page may carry the TOTP key or recovery codes: never kept by a cache.
    res.setHeader('cache-control', 'no-store');
    res.status(status).send(securityPage(ctxOf(res), view).value);
  };

  router.get('/account/security', async (req, res) => renderSecurity(res, 200, { notice: noticeFrom(req) }));

  router.post('/account/security/totp', limits.signIn, async (req, res) => {
    const { account } = viewerOf(res);
    if (await shop.staffTotp.isEnabled(account.id)) return res.redirect(303, '/account/security');
    const form = CodeForm.safeParse(req.body ?? {});
    const codes = form.success ? await shop.staffTotp.confirm(account.id, form.data.code) : null;
    if (codes === null) return renderSecurity(res, 400, { errors: { code: ctxOf(res).t('security.wrongCode') } });
    await renderSecurity(res, 201, { newRecoveryCodes: codes, notice: 'security.notices.totp_enabled' });
  });

  router.post('/account/sessions/:id/signout', async (req, res) => {
    const { account } = viewerOf(res);
    const id = req.params['id'] ?? '';
    const ended = await shop.sessions.destroyById(account.id, id);
    if (ended && sessionOf(res)?.state.id === id) {
      res.clearCookie(cookieName(SESSION_COOKIE, shop.config.secureCookies), { path: '/' });
      return res.redirect(303, '/');
    }
    res.redirect(303, `/account/security?done=${ended ? 'security.session_ended' : 'security.session_missing'}`);
  });

  router.get('/account/reauth', async (req, res) => {
    const hasTotp = await shop.staffTotp.isEnabled(viewerOf(res).account.id);
    res.send(reauthPage(ctxOf(res), { next: safeNext(req.query['next']), hasTotp }).value);
  });

  router.post('/account/reauth', limits.signIn, async (req, res) => {
    const ctx = ctxOf(res);
    const { account } = viewerOf(res);
    const form = ReauthForm.safeParse(req.body ?? {});
    const next = safeNext(form.success ? form.data.next : undefined);
    const hasTotp = await shop.staffTotp.isEnabled(account.id);
    // Counted against this session's own window, not the account's: a stranger's guesses at the account's email
    // (PASSWORD_GUESSES) cannot lock the signed-in holder out of the pages that ask again.
    const rule = REAUTH_GUESSES;
    const subject = sessionOf(res)?.state.id as string;
    if (!(await throttle.take(rule, subject)).allowed)
      return void res.status(429).send(reauthPage(ctx, { next, hasTotp }, { _form: ctx.t('auth.accountThrottled') }).value);
    let ok = false;
    if (form.success && form.data.password !== '') ok = (await signIn(shop, account.email, form.data.password))?.id === account.id;
    else if (form.success && form.data.code !== '' && hasTotp) ok = await shop.staffTotp.verify(account.id, form.data.code);
    if (!ok) {
      // Told once when the session's window fills: someone at the holder's own signed-in browser is guessing.
      await throttle.noteFailure(rule, subject, account.customerId);
      return void res.status(401).send(reauthPage(ctx, { next, hasTotp }, { _form: ctx.t('security.reauth.wrong') }).value);
    }
    await throttle.clear(rule, subject);
    await shop.sessions.markReauthenticated(sessionOf(res)?.token as string);
    res.redirect(303, next);
  });

  return router;
}

/** Security settings are changed from a signed-in browser only, never with an API token. */
function sessionOnly(_req: unknown, res: Response, next: (error?: unknown) => void): void {
  if (viewerOf(res).via !== 'session') return next(new ShopError('forbidden', 'account.tokens.sessionOnly'));
  next();
}
