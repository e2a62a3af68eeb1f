import { Router, type Request } from 'express';
import { z } from 'zod';
import { changeEmail, changePassword } from '../app/auth/credentials.js';
import { requestPasswordReset, resetPassword } from '../app/auth/password-reset.js';
import { requireAccount, SESSION_COOKIE, cookieName } from '../http/viewer.js';
import { passwordResetsOf } from '../db/password-resets.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { parseForm } from '../app/input/forms.js';
import { noticeFrom } from '../http/notice.js';
import type { RateLimits } from '../http/rate-limits.js';
import type { NotificationChannel } from '../app/notifications/channel.js';
import type { Shop } from '../app/shop.js';
import { credentialsPage, forgotPasswordPage, resetPasswordPage } from '../views/credentials-pages.js';

const NewPassword = z.string({ message: 'forms.required' }).min(10, { message: 'forms.passwordTooShort' }).max(200);
const AnyPassword = z.string({ message: 'forms.required' }).min(1, { message: 'forms.required' }).max(200);
const Email = z.email({ message: 'forms.email' }).max(320);

const ForgotSchema = z.object({ email: Email });
const ResetSchema = z.object({ password: NewPassword });
const ChangePasswordSchema = z.object({ current: AnyPassword, password: NewPassword });
const ChangeEmailSchema = z.object({ email: Email, password: AnyPassword });

/** A token as the link carries it (base64url of 32 bytes); anything else is refused before the database is asked. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const tokenOf = (req: Request): string => {
  const token = req.params['token'] as unknown;
  return typeof token === 'string' ? token : '';
};

const sessionToken = (req: Request, secure: boolean): string | null => {
  const token = req.cookies?.[cookieName(SESSION_COOKIE, secure)] as unknown;
  return typeof token === 'string' ? token : null;
};

/**
 * Forgotten passwords (`/forgot-password`, the link's `/reset-password/<token>`) and the buyer's
 * sign-in details (`/account/credentials`: change password, change email). `channels` are the
 * ways a reset link may reach the buyer (the shop's email and Telegram channels).
 */
export function credentialRoutes(shop: Shop, limits: RateLimits, channels: readonly NotificationChannel[]): Router {
  const router = Router();

  router.get('/forgot-password', (_req, res) => {
    res.send(forgotPasswordPage(ctxOf(res), {}).value);
  });

  router.post('/forgot-password', limits.passwordReset, async (req, res) => {
    const ctx = ctxOf(res);
    const form = parseForm(ForgotSchema, req.body, ctx.t);
    const email = typeof req.body?.email === 'string' ? req.body.email : '';
    if (!form.ok) return void res.status(400).send(forgotPasswordPage(ctx, { email }, form.fields).value);
    // The answer does not wait for the mail: how long it took must not tell whether the email has an account.
    void (await requestPasswordReset(shop, channels, form.data.email)).sending;
    res.send(forgotPasswordPage(ctx, { sent: true }).value);
  });

  router.get('/reset-password/:token', limits.passwordReset, async (req, res) => {
    const token = tokenOf(req);
    const usable = TOKEN.test(token) && (await passwordResetsOf(shop).isUsable(token));
    res.status(usable ? 200 : 400).send(resetPasswordPage(ctxOf(res), token, usable).value);
  });

  router.post('/reset-password/:token', limits.passwordReset, async (req, res) => {
    const ctx = ctxOf(res);
    const token = tokenOf(req);
    if (!TOKEN.test(token)) return void res.status(400).send(resetPasswordPage(ctx, token, false).value);
    const form = parseForm(ResetSchema, req.body, ctx.t);
    if (!form.ok) return void res.status(400).send(resetPasswordPage(ctx, token, true, form.fields).value);
    if (!(await resetPassword(shop, token, form.data.password)))
      return void res.status(400).send(resetPasswordPage(ctx, token, false).value);
    res.redirect(303, '/signin?done=credentials.password_reset');
  });

  router.use(['/account/credentials', '/account/password', '/account/email'], requireAccount);

  router.get('/account/credentials', (req, res) => {
    res.send(credentialsPage(ctxOf(res), { email: viewerOf(res).account.email, notice: noticeFrom(req) }).value);
  });

  router.post('/account/password', limits.signIn, async (req, res) => {
    const ctx = ctxOf(res);
    const { account } = viewerOf(res);
    const form = parseForm(ChangePasswordSchema, req.body, ctx.t);
    if (!form.ok)
      return void res.status(400).send(credentialsPage(ctx, { email: account.email, notice: null }, { password: form.fields }).value);
    const result = await changePassword(shop, account, {
      current: form.data.current,
      next: form.data.password,
      keepSessionToken: sessionToken(req, shop.config.secureCookies),
    });
    if (!result.ok) {
      const errors = { password: { current: ctx.t('credentials.wrongPassword') } };
      return void res.status(403).send(credentialsPage(ctx, { email: account.email, notice: null }, errors).value);
    }
    res.redirect(303, '/account/credentials?done=credentials.password_changed');
  });

  router.post('/account/email', limits.signIn, async (req, res) => {
    const ctx = ctxOf(res);
    const { account } = viewerOf(res);
    const form = parseForm(ChangeEmailSchema, req.body, ctx.t);
    if (!form.ok)
      return void res.status(400).send(credentialsPage(ctx, { email: account.email, notice: null }, { email: form.fields }).value);
    const result = await changeEmail(shop, account, form.data);
    if (!result.ok) {
      const wrong = result.reason === 'wrong_password';
      const fields: Record<string, string> = wrong ? { password: ctx.t('credentials.wrongPassword') } : { email: ctx.t('auth.emailTaken') };
      const errors = { email: fields };
      return void res.status(wrong ? 403 : 409).send(credentialsPage(ctx, { email: account.email, notice: null }, errors).value);
    }
    res.redirect(303, '/account/credentials?done=credentials.email_changed');
  });
  return router;
}
