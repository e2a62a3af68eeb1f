import { Router, type Request, type Response } from 'express';
import { callbackUrl } from '../../app/auth/oidc-client.js';
import { oidcProviders, removeOidcProvider, saveOidcProvider, type OidcProviderForm } from '../../app/auth/oidc-providers.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import type { Shop } from '../../app/shop.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { noticeFrom } from '../../http/notice.js';
import { everyRequestBase } from '../../http/request-base.js';
import { requireRecentAuth } from '../../http/staff-security.js';
import { adminPage } from '../../views/admin-layout.js';
import { signInProvidersBody } from '../../views/admin/sign-in-providers-page.js';
import { adminActor } from './shared.js';

/** A route parameter as text ('' when absent). */
const textParam = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The form as posted, every field a string cut to a length the checks then refuse past. */
function posted(body: Record<string, unknown>): OidcProviderForm {
  const text = (name: string, max: number) => (typeof body[name] === 'string' ? (body[name] as string).slice(0, max) : '');
  return {
    preset: text('preset', 20),
    id: text('id', 40),
    label: text('label', 80),
    issuer: text('issuer', 300),
    clientId: text('clientId', 600),
    clientSecret: text('clientSecret', 600),
  };
}

/**
 * `/admin/settings/sign-in` (the owner's, re-authenticated like the other settings): the OpenID Connect providers
 * buyers may sign in with (Google, Yandex ID, VK ID presets, or any standard issuer); client secrets sealed at rest.
 */
export function signInProviderRoutes(shop: Shop): Router {
  const router = Router();
  const recentAuth = requireRecentAuth(shop.clock);

  async function render(req: Request, res: Response, status: number, values: Partial<OidcProviderForm> = {}, errors?: FieldErrors) {
    const ctx = ctxOf(res);
    // A sign-in comes back to the address it started on: the owner registers the callback on each.
    const bases = await everyRequestBase(shop);
    const providers = (await oidcProviders(shop)).map((p) => ({
      id: p.id,
      label: p.label,
      preset: p.preset,
      clientId: p.clientId,
      callbackUrls: bases.map((base) => callbackUrl(shop, p.id, base)),
    }));
    const body = signInProvidersBody(ctx, { providers, values, callbackPattern: callbackUrl(shop, '<id>'), errors });
    res.status(status).send(adminPage(ctx, { title: ctx.t('signin.providers.title'), notice: noticeFrom(req), body }).value);
  }

  router.get('/admin/settings/sign-in', recentAuth, (req, res) => render(req, res, 200));
  router.post('/admin/settings/sign-in', recentAuth, async (req, res) => {
    const form = posted(req.body as Record<string, unknown>);
    const saved = await saveOidcProvider(shop, form, { ...adminActor(res), role: viewerOf(res).account.role });
    if (!saved.ok && 'reason' in saved) throw new ShopError('forbidden', 'errors.forbidden');
    if (!saved.ok) {
      const t = ctxOf(res).t;
      return render(
        req,
        res,
        400,
        { ...form, clientSecret: '' },
        Object.fromEntries(Object.entries(saved.fields).map(([f, key]) => [f, t(key)])),
      );
    }
    res.redirect(303, '/admin/settings/sign-in?done=signin.provider_saved');
  });
  router.post('/admin/settings/sign-in/:id/remove', recentAuth, async (req, res) => {
    if (!(await removeOidcProvider(shop, textParam(req.params['id']), { ...adminActor(res), role: viewerOf(res).account.role })))
      throw new ShopError('not_found', 'errors.notFound');
    res.redirect(303, '/admin/settings/sign-in?done=signin.provider_removed');
  });
  return router;
}
