import { Router } from 'express';
import { z } from 'zod';
import { requestSignInCode, signInWithCode } from '../app/auth/code-sign-in.js';
import { canSendEmailCodes } from '../app/auth/email-codes.js';
import { parseForm } from '../app/input/forms.js';
import { ShopError } from '../app/shop-error.js';
import type { Shop } from '../app/shop.js';
import { ctxOf } from '../http/context.js';
import type { RateLimits } from '../http/rate-limits.js';
import { joinArrivalCampaign } from '../http/arrival-campaign.js';
import { newAccountMade, newAccountOriginOf, slowedSignUp } from '../http/new-account-origin.js';
import { startSession } from '../http/start-session.js';
import { codeEntryPage, codeRequestPage } from '../views/sign-in-code-pages.js';
import { safeNext, waitText } from './auth.js';

const Email = z.email({ message: 'forms.email' }).max(320);
const RequestSchema = z.object({ email: Email, next: z.string().max(2000).optional() });
const VerifySchema = z.object({
  email: Email,
  code: z.string({ message: 'forms.required' }).min(1, { message: 'forms.required' }).max(20),
  next: z.string().max(2000).optional(),
});

/**
 * Sign-in by a one-time code sent by e-mail (`/signin/code`): the address, then the code. Buyers only (a code never
 * opens a staff account); an address without an account signs up with its first right code. 404 when mail is not set up.
 */
export function signInCodeRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();
  router.use('/signin/code', (_req, _res, next) =>
    next(canSendEmailCodes(shop) ? undefined : new ShopError('not_found', 'errors.notFound')),
  );

  router.get('/signin/code', (req, res) => {
    res.send(codeRequestPage(ctxOf(res), { next: typeof req.query['next'] === 'string' ? req.query['next'] : '' }).value);
  });

  router.post('/signin/code', limits.signIn, async (req, res) => {
    const ctx = ctxOf(res);
    const form = parseForm(RequestSchema, req.body, ctx.t);
    const email = typeof req.body?.email === 'string' ? req.body.email : '';
    if (!form.ok) return void res.status(400).send(codeRequestPage(ctx, { email }, form.fields).value);
    await requestSignInCode(shop, form.data.email, ctx.locale);
    // The same page whether or not the address has an account, is staff's, or was sent too many codes this hour.
    res.send(codeEntryPage(ctx, { email: form.data.email.trim().toLowerCase(), next: form.data.next }).value);
  });

  router.post('/signin/code/verify', limits.signIn, async (req, res) => {
    const ctx = ctxOf(res);
    const form = parseForm(VerifySchema, req.body, ctx.t);
    const email = typeof req.body?.email === 'string' ? req.body.email : '';
    if (!form.ok) return void res.status(400).send(codeEntryPage(ctx, { email }, form.fields).value);
    const result = await signInWithCode(shop, form.data.email, form.data.code, ctx.locale, newAccountOriginOf(req, res, limits));
    if (result.outcome === 'slowed')
      return void res.send(codeEntryPage(ctx, { email, next: form.data.next }, { _form: slowedSignUp(res, result.retryAfterMs) }).value);
    if (result.outcome === 'throttled') {
      res.setHeader('retry-after', String(Math.ceil(result.retryAfterMs / 1000)));
      const wait = waitText(result.retryAfterMs, ctx.t);
      return void res
        .status(429)
        .send(codeEntryPage(ctx, { email, next: form.data.next }, { _form: ctx.t('auth.guesses.tryAgainIn', { wait }) }).value);
    }
    if (result.outcome === 'wrong')
      return void res.status(401).send(codeEntryPage(ctx, { email, next: form.data.next }, { code: ctx.t('signin.code.wrong') }).value);
    if (result.created) {
      newAccountMade(shop, res);
      await joinArrivalCampaign(shop, req, res, result.account.customerId);
    }
    await startSession(shop, req, res, result.account.id);
    res.redirect(303, result.created ? '/?done=auth.signed_up' : safeNext(form.data.next));
  });
  return router;
}
