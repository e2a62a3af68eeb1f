import { Router } from 'express';
import { z } from 'zod';
import { canAddEmail, confirmEmailAddition, requestEmailAddition } from '../app/auth/add-email.js';
import { canSendEmailCodes } from '../app/auth/email-codes.js';
import { parseForm } from '../app/input/forms.js';
import type { Shop } from '../app/shop.js';
import { ctxOf, viewerOf } from '../http/context.js';
import type { RateLimits } from '../http/rate-limits.js';
import { requireAccount } from '../http/viewer.js';
import { addEmailPage } from '../views/sign-in-code-pages.js';
import { waitText } from './auth.js';

const Email = z.email({ message: 'forms.email' }).max(320);
const RequestSchema = z.object({ email: Email });
const ConfirmSchema = z.object({
  email: Email,
  code: z.string({ message: 'forms.required' }).min(1, { message: 'forms.required' }).max(20),
});

/**
 * `/account/email`: a buyer whose account has no real address (they came through Telegram) adds one, proven by a
 * code sent there; from then on they also sign in with it (a code by e-mail, or a password they set by "Forgot
 * password?"). When mail is not set up or the account has an address already, the path is the credentials page's (which
 * changes an address), or a 404.
 */
export function addEmailRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();
  // Not for this account: leave the path to the credentials page's routes (an address change is `POST /account/email`
  // there too), and to the 404 after them.
  router.use('/account/email', requireAccount, (_req, res, next) =>
    canSendEmailCodes(shop) && canAddEmail(viewerOf(res).account) ? next() : next('router'),
  );

  router.get('/account/email', (_req, res) => {
    res.send(addEmailPage(ctxOf(res), { sent: false }).value);
  });

  router.post('/account/email', limits.signIn, async (req, res) => {
    const ctx = ctxOf(res);
    const form = parseForm(RequestSchema, req.body, ctx.t);
    const email = typeof req.body?.email === 'string' ? req.body.email : '';
    if (!form.ok) return void res.status(400).send(addEmailPage(ctx, { email, sent: false }, form.fields).value);
    const result = await requestEmailAddition(shop, viewerOf(res).account, form.data.email, ctx.locale);
    if (!result.ok) return void res.status(400).send(addEmailPage(ctx, { email, sent: false }, { email: ctx.t('forms.email') }).value);
    res.send(addEmailPage(ctx, { email: form.data.email.trim().toLowerCase(), sent: true }).value);
  });

  router.post('/account/email/confirm', limits.signIn, async (req, res) => {
    const ctx = ctxOf(res);
    const form = parseForm(ConfirmSchema, req.body, ctx.t);
    const email = typeof req.body?.email === 'string' ? req.body.email : '';
    if (!form.ok) return void res.status(400).send(addEmailPage(ctx, { email, sent: true }, form.fields).value);
    const result = await confirmEmailAddition(shop, viewerOf(res).account, form.data.email, form.data.code);
    if (result.ok) return res.redirect(303, '/dashboard?done=signin.email_added');
    if (result.reason === 'throttled') {
      const wait = waitText(result.retryAfterMs ?? 1000, ctx.t);
      return void res
        .status(429)
        .send(addEmailPage(ctx, { email, sent: true }, { _form: ctx.t('auth.guesses.tryAgainIn', { wait }) }).value);
    }
    if (result.reason === 'email_taken')
      return void res.status(409).send(addEmailPage(ctx, { email, sent: false }, { email: ctx.t('auth.emailTaken') }).value);
    res.status(401).send(addEmailPage(ctx, { email, sent: true }, { code: ctx.t('signin.code.wrong') }).value);
  });
  return router;
}
