import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireAccount } from '../http/viewer.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { parseForm } from '../app/input/forms.js';
import { ShopError } from '../app/shop-error.js';
import { noticeFrom } from '../http/notice.js';
import type { Shop } from '../app/shop.js';
import { apiTokensPage } from '../views/api-tokens-page.js';

/** Enough for any real use; a cap keeps a script gone wrong from filling the table. */
const MAX_TOKENS = 20;

const CreateForm = z.object({
  name: z.string({ message: 'forms.required' }).trim().min(1, { message: 'forms.required' }).max(60),
  /** `read`: look only; `write` (default): also buy and pay. */
  access: z.enum(['read', 'write'], { message: 'forms.invalid' }).default('write'),
});

/** Tokens are managed from a signed-in browser only: a leaked token must not be able to mint more. */
function sessionOnly(_req: Request, res: Response, next: NextFunction): void {
  if (viewerOf(res).via !== 'session') return next(new ShopError('forbidden', 'account.tokens.sessionOnly'));
  next();
}

export function apiTokenRoutes(shop: Shop): Router {
  const router = Router();
  router.use('/account/api-tokens', requireAccount, sessionOnly);

  router.get('/account/api-tokens', async (req, res) => {
    const tokens = await shop.apiTokens.list(viewerOf(res).account.id);
    res.send(apiTokensPage(ctxOf(res), { tokens, timeZone: shop.config.timeZone, notice: noticeFrom(req) }).value);
  });

  router.post('/account/api-tokens', async (req, res) => {
    const ctx = ctxOf(res);
    const account = viewerOf(res).account;
    const tokens = await shop.apiTokens.list(account.id);
    const name = typeof req.body?.name === 'string' ? req.body.name.slice(0, 200) : '';
    const form = parseForm(CreateForm, req.body, ctx.t);
    const errors = !form.ok
      ? form.fields
      : tokens.length >= MAX_TOKENS
        ? { _form: ctx.t('account.tokens.tooMany', { max: MAX_TOKENS }) }
        : null;
    if (errors !== null || !form.ok) {
      return void res
        .status(400)
        .send(apiTokensPage(ctx, { tokens, values: { name }, errors: errors ?? {}, timeZone: shop.config.timeZone, notice: null }).value);
    }
    const created = await shop.apiTokens.create(account.id, form.data.name, form.data.access === 'read' ? ['read'] : ['read', 'write']);
    res.setHeader('cache-control', 'no-store');
    res.status(201).send(
      apiTokensPage(ctx, {
        tokens: [created.info, ...tokens],
        created: { name: form.data.name, token: created.token },
        timeZone: shop.config.timeZone,
        notice: null,
      }).value,
    );
  });

  router.post('/account/api-tokens/:id/revoke', async (req, res) => {
    const id = req.params['id'] ?? '';
    const revoked = /^[0-9a-f]{12}$/.test(id) && (await shop.apiTokens.revoke(viewerOf(res).account.id, id));
    if (!revoked) throw new ShopError('not_found', 'errors.notFound');
    res.redirect(303, '/account/api-tokens?done=account.revoked');
  });
  return router;
}
