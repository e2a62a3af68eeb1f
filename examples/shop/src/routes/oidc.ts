import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  confirmJoin,
  finishOidcSignIn,
  openPendingJoin,
  sealPendingJoin,
  sendJoinCode,
  startOidcSignIn,
} from '../app/auth/oidc-sign-in.js';
import { maskEmail } from '../app/auth/credentials.js';
import { oidcProvider } from '../app/auth/oidc-providers.js';
import { parseForm } from '../app/input/forms.js';
import { ShopError } from '../app/shop-error.js';
import type { Shop } from '../app/shop.js';
import { ctxOf } from '../http/context.js';
import { newAccountMade, newAccountOriginOf, slowedSignUp } from '../http/new-account-origin.js';
import type { RateLimits } from '../http/rate-limits.js';
import { joinArrivalCampaign } from '../http/arrival-campaign.js';
import { requestBase } from '../http/request-base.js';
import { startSession } from '../http/start-session.js';
import { cookieName } from '../http/viewer.js';
import { signInPage } from '../views/auth-pages.js';
import { joinPage } from '../views/sign-in-code-pages.js';
import { safeNext, waitText } from './auth.js';

/** A route parameter as text ('' when absent). */
const textParam = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The cookie that carries a started sign-in's checks (state, nonce, PKCE verifier), sealed, to the callback. */
const LOGIN_COOKIE = 'pk_oidc';
/** The cookie that carries an identity waiting to join an existing account, sealed. */
const JOIN_COOKIE = 'pk_oidc_join';
const FIFTEEN_MINUTES = 15 * 60_000;

const CodeSchema = z.object({ code: z.string({ message: 'forms.required' }).min(1, { message: 'forms.required' }).max(20) });

/**
 * Sign-in with the providers the owner set up (`/signin/oidc/<id>` → the provider → `/signin/oidc/<id>/callback`),
 * and the confirmation a provider identity needs before it joins an existing account (`/signin/join`).
 */
export function oidcRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();
  const secure = shop.config.secureCookies;
  // Lax: the provider's redirect back is a top-level GET, which carries it.
  const setCookie = (res: Response, name: string, value: string) =>
    res.cookie(cookieName(name, secure), value, { httpOnly: true, sameSite: 'lax', secure, maxAge: FIFTEEN_MINUTES, path: '/' });
  const clearCookie = (res: Response, name: string) =>
    res.clearCookie(cookieName(name, secure), { httpOnly: true, sameSite: 'lax', secure, path: '/' });
  const cookieOf = (req: Request, name: string): unknown => req.cookies?.[cookieName(name, secure)];

  // The trip to the provider and back guesses nothing (the provider authenticates; the callback's state is sealed), so
  // the per-address sign-in limit, which counts password and code guesses, is not spent on it.
  router.get('/signin/oidc/:provider', async (req, res) => {
    const next = typeof req.query['next'] === 'string' ? safeNext(req.query['next']) : '/dashboard';
    const started = await startOidcSignIn(shop, textParam(req.params['provider']), next, await requestBase(shop, req));
    if (started === null) throw new ShopError('not_found', 'errors.notFound');
    setCookie(res, LOGIN_COOKIE, started.sealedState);
    res.redirect(303, started.url);
  });

  router.get('/signin/oidc/:provider/callback', async (req, res) => {
    const ctx = ctxOf(res);
    const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    const result = await finishOidcSignIn(shop, {
      providerId: textParam(req.params['provider']),
      query,
      sealedState: cookieOf(req, LOGIN_COOKIE),
      signedIn: ctx.viewer?.account ?? null,
      locale: ctx.locale,
      origin: newAccountOriginOf(req, res, limits),
    });
    clearCookie(res, LOGIN_COOKIE);
    if (result.outcome === 'signed_in') {
      if (result.created) {
        newAccountMade(shop, res);
        await joinArrivalCampaign(shop, req, res, result.account.customerId);
      }
      if (ctx.viewer?.account.id !== result.account.id) await startSession(shop, req, res, result.account.id);
      return res.redirect(303, result.created ? '/?done=auth.signed_up' : result.next);
    }
    if (result.outcome === 'confirm_join') {
      setCookie(res, JOIN_COOKIE, sealPendingJoin(shop, result.pending));
      return res.redirect(303, '/signin/join');
    }
    if (result.outcome === 'slowed') return void res.send(signInPage(ctx, {}, { _form: slowedSignUp(res, result.retryAfterMs) }).value);
    const status = result.reason === 'failed' ? 400 : result.reason === 'staff' ? 403 : 409;
    res.status(status).send(signInPage(ctx, {}, { _form: ctx.t(`signin.refused.${result.reason}`) }).value);
  });

  const pendingOf = (req: Request) => {
    const pending = openPendingJoin(shop, cookieOf(req, JOIN_COOKIE));
    if (pending === null) throw new ShopError('not_found', 'signin.join.gone');
    return pending;
  };
  const labelOf = async (providerId: string) => (await oidcProvider(shop, providerId))?.label ?? providerId;

  router.get('/signin/join', async (req, res) => {
    const pending = pendingOf(req);
    res.send(joinPage(ctxOf(res), { provider: await labelOf(pending.provider), maskedEmail: maskEmail(pending.email), sent: false }).value);
  });

  router.post('/signin/join/send', limits.signIn, async (req, res) => {
    const pending = pendingOf(req);
    await sendJoinCode(shop, pending, ctxOf(res).locale);
    res.send(joinPage(ctxOf(res), { provider: await labelOf(pending.provider), maskedEmail: maskEmail(pending.email), sent: true }).value);
  });

  router.post('/signin/join/confirm', limits.signIn, async (req, res) => {
    const ctx = ctxOf(res);
    const pending = pendingOf(req);
    const view = { provider: await labelOf(pending.provider), maskedEmail: maskEmail(pending.email), sent: true };
    const form = parseForm(CodeSchema, req.body, ctx.t);
    if (!form.ok) return void res.status(400).send(joinPage(ctx, view, form.fields).value);
    const result = await confirmJoin(shop, pending, form.data.code);
    if (!result.ok) {
      if (result.reason === 'throttled') {
        const wait = waitText(result.retryAfterMs ?? 1000, ctx.t);
        return void res.status(429).send(joinPage(ctx, view, { _form: ctx.t('auth.guesses.tryAgainIn', { wait }) }).value);
      }
      if (result.reason === 'staff') return void res.status(403).send(signInPage(ctx, {}, { _form: ctx.t('signin.refused.staff') }).value);
      return void res.status(401).send(joinPage(ctx, view, { code: ctx.t('signin.code.wrong') }).value);
    }
    clearCookie(res, JOIN_COOKIE);
    await startSession(shop, req, res, result.account.id);
    res.redirect(303, '/dashboard?done=signin.joined');
  });
  return router;
}
