import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { signUp } from '../app/auth/accounts.js';
import { newAccountMade, newAccountOriginOf, slowedSignUp } from '../http/new-account-origin.js';
import { signInWithPassword } from '../app/auth/password-sign-in.js';
import { knownDeviceOf, rememberKnownDevice } from '../http/known-device.js';
import { formatDuration } from '../i18n/duration.js';
import type { Translate } from '../i18n/translate.js';
import { SESSION_COOKIE, cookieName } from '../http/viewer.js';
import { setLocaleCookie } from '../http/locale-cookie.js';
import { clearSessionCookie } from '../http/session-cookie.js';
import { startSession as startSessionFor } from '../http/start-session.js';
import { canSendEmailCodes } from '../app/auth/email-codes.js';
import { signInButtons } from '../app/auth/oidc-providers.js';
import { ctxOf } from '../http/context.js';
import { parseForm } from '../app/input/forms.js';
import { noticeFrom } from '../http/notice.js';
import type { RateLimits } from '../http/rate-limits.js';
import { isLocale } from '../i18n/translate.js';
import { setCustomerLanguage } from '../app/customers/language.js';
import type { Shop } from '../app/shop.js';
import { signInPage, signUpPage } from '../views/auth-pages.js';
import { REFERRAL_CODE, recordSignUpReferral } from '../app/selling/sign-up-referral.js';
import { joinCampaign } from '../app/growth/campaigns.js';
import { arrivalCampaignOf, campaignParam, forgetArrivalCampaign, rememberArrivalCampaign } from '../http/arrival-campaign.js';

const SignUpSchema = z.object({
  email: z.email({ message: 'forms.email' }).max(320),
  password: z.string({ message: 'forms.required' }).min(10, { message: 'forms.passwordTooShort' }).max(200),
});

const SignInSchema = z.object({
  email: z.string({ message: 'forms.required' }).min(1, { message: 'forms.required' }).max(320),
  password: z.string({ message: 'forms.required' }).min(1, { message: 'forms.required' }).max(200),
  next: z.string().max(2000).optional(),
});

/** Only a path on this site, so `?next=` cannot send a buyer elsewhere after signing in. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/dashboard';
}

export function authRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();
  const startSession = (req: Request, res: Response, accountId: string, secondFactorPending = false) =>
    startSessionFor(shop, req, res, accountId, secondFactorPending);

  router.get('/signup', (req, res) => {
    const ref = req.query['ref'];
    const campaign = campaignParam(req.query);
    // Kept in the browser too: a buyer who then signs up by an e-mail code or an identity provider joins it as well.
    rememberArrivalCampaign(req, res, campaign, shop.config.secureCookies);
    res.send(signUpPage(ctxOf(res), { ref: typeof ref === 'string' && REFERRAL_CODE.test(ref) ? ref : '', campaign }).value);
  });

  router.post('/signup', limits.signUp, async (req, res) => {
    const ctx = ctxOf(res);
    const form = parseForm(SignUpSchema, req.body, ctx.t);
    const email = typeof req.body?.email === 'string' ? req.body.email : '';
    const ref = typeof req.body?.ref === 'string' && REFERRAL_CODE.test(req.body.ref) ? (req.body.ref as string) : '';
    const campaign = campaignParam(req.body) || arrivalCampaignOf(req, shop.config.secureCookies);
    if (!form.ok) return void res.status(400).send(signUpPage(ctx, { email, ref, campaign }, form.fields).value);
    // New accounts per network, counted on PostgreSQL across replicas: a farm is slowed, and told nothing of accounts.
    const result = await signUp(shop, {
      email: form.data.email,
      password: form.data.password,
      locale: ctx.locale,
      origin: newAccountOriginOf(req, res, limits),
    });
    if (!result.ok && result.reason === 'slowed')
      return void res.send(signUpPage(ctx, { email, ref, campaign }, { email: slowedSignUp(res, result.retryAfterMs) }).value);
    if (!result.ok) return void res.status(409).send(signUpPage(ctx, { email, ref, campaign }, { email: ctx.t('auth.emailTaken') }).value);
    newAccountMade(shop, res);
    // A referral is taken only here, at sign-up (the engine refuses the account's own link).
    if (ref !== '') await recordSignUpReferral(shop, ref, result.account.customerId);
    // The campaign whose web link brought this buyer (`/signup?c=<slug>`): an unknown one is no reason to refuse.
    if (campaign !== '') await joinCampaign(shop, result.account.customerId, campaign);
    forgetArrivalCampaign(res, shop.config.secureCookies);
    await startSession(req, res, result.account.id);
    rememberKnownDevice(req, res, { secret: shop.secret, email: form.data.email, secure: shop.config.secureCookies });
    res.redirect(303, '/?done=auth.signed_up');
  });

  const waysIn = async () => ({ codeSignIn: canSendEmailCodes(shop), providers: await signInButtons(shop) });

  router.get('/signin', async (req, res) => {
    const next = typeof req.query['next'] === 'string' ? req.query['next'] : '';
    res.send(signInPage(ctxOf(res), { next, notice: noticeFrom(req), ...(await waysIn()) }).value);
  });

  router.post('/signin', limits.signIn, async (req, res) => {
    const ctx = ctxOf(res);
    const form = parseForm(SignInSchema, req.body, ctx.t);
    const email = typeof req.body?.email === 'string' ? req.body.email : '';
    if (!form.ok) return void res.status(400).send(signInPage(ctx, { email, ...(await waysIn()) }, form.fields).value);
    const device = { secret: shop.secret, email: form.data.email, secure: shop.config.secureCookies };
    const result = await signInWithPassword(shop, form.data.email, form.data.password, {
      address: req.ip ?? 'unknown',
      deviceId: knownDeviceOf(req, device),
    });
    if (result.outcome === 'throttled') {
      res.setHeader('retry-after', String(Math.ceil(result.retryAfterMs / 1000)));
      const wait = waitText(result.retryAfterMs, ctx.t);
      return void res
        .status(429)
        .send(
          signInPage(ctx, { email, next: form.data.next, ...(await waysIn()) }, { _form: ctx.t('auth.guesses.tryAgainIn', { wait }) })
            .value,
        );
    }
    if (result.outcome === 'wrong')
      return void res
        .status(401)
        .send(signInPage(ctx, { email, next: form.data.next, ...(await waysIn()) }, { _form: ctx.t('auth.wrongPassword') }).value);
    const { account } = result;
    rememberKnownDevice(req, res, device);
    if (await shop.staffTotp.isEnabled(account.id)) {
      // The password was right; the session signs in only once the second factor is given too.
      await startSession(req, res, account.id, true);
      return res.redirect(303, `/signin/second-factor?next=${encodeURIComponent(safeNext(form.data.next))}`);
    }
    await startSession(req, res, account.id);
    res.redirect(303, safeNext(form.data.next));
  });

  router.post('/signout', async (req, res) => {
    const token = req.cookies?.[cookieName(SESSION_COOKIE, shop.config.secureCookies)] as unknown;
    if (typeof token === 'string') await shop.sessions.destroy(token);
    clearSessionCookie(res, shop.config);
    res.redirect(303, '/');
  });

  router.get('/lang/:locale', async (req, res) => {
    const locale = req.params.locale;
    if (isLocale(locale)) {
      setLocaleCookie(res, shop.config, locale, false);
      const viewer = ctxOf(res).viewer;
      if (viewer !== null) await setCustomerLanguage(shop, viewer.customer.id, locale);
    }
    const next = safeNext(req.query['next']);
    res.redirect(303, next === '/dashboard' && typeof req.query['next'] !== 'string' ? '/' : next);
  });
  return router;
}

/** "30 seconds", "14 minutes": how long to wait, rounded up. */
export function waitText(ms: number, t: Translate): string {
  const seconds = Math.ceil(ms / 1000);
  return seconds < 60 ? t('auth.guesses.seconds', { count: seconds }) : formatDuration(Math.ceil(ms / 60_000) * 60_000, t);
}
