import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireAccount } from '../http/viewer.js';
import { ResellerClients } from '../db/reseller-clients.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { ShopError } from '../app/shop-error.js';
import { isId } from '../app/input/ids.js';
import { resellerClientsPage } from '../views/reseller-clients-page.js';
import { resellerTerms } from '../app/selling/reseller-terms.js';
import { sellsAtOnePrice } from '../app/plans/one-price.js';
import { planListedPrice } from '../i18n/plan-text.js';
import type { Shop } from '../app/shop.js';
import { resellerAccountPage } from '../views/reseller-account-page.js';
import { httpStatusOf } from '../http/status.js';

/** A reseller's new client (the web form and `POST /api/v1/reseller/clients`' body). */
export const ClientForm = z.object({
  name: z.string().trim().min(1).max(100),
  note: z.string().trim().max(300).default(''),
});
/** `POST /api/v1/reseller/clients/:id/subscriptions`' body: one of the reseller's subscriptions to give the client. */
export const AssignBody = z.object({ subscriptionId: z.string().refine(isId) });
const AssignForm = AssignBody.extend({ clientId: z.string().refine(isId) });

/**
 * A reseller's view of its own terms, on the web (`/account/reseller`) and the JSON API (`/api/v1/reseller`,
 * with its API token), and its own clients (`/account/reseller/clients`, `/api/v1/reseller/clients`): all
 * scoped to the signed-in customer (a session or its API token), 404 for a customer that is no reseller.
 */
export function resellerAccountRoutes(shop: Shop): Router {
  const router = Router();
  const { currency, timeZone } = shop.config;
  const clients = new ResellerClients(shop);

  /** The signed-in reseller's customer id; 404 for anyone else. */
  const reseller = async (res: Response): Promise<string> => {
    const customerId = viewerOf(res).customer.id;
    if ((await resellerTerms(shop, customerId)) === null) throw new ShopError('not_found', 'errors.notFound');
    return customerId;
  };

  async function renderClients(res: Response, status: number, customerId: string, problem: string | null) {
    const [list, subs] = await Promise.all([
      clients.list(customerId),
      shop.storage.subscriptions.listByCustomer(customerId, { limit: 200 }),
    ]);
    const planNames = new Map<string, string>();
    for (const planId of new Set(subs.items.map((s) => s.planId)))
      planNames.set(planId, (await shop.storage.plans.get(planId))?.name ?? planId);
    res.status(status).send(resellerClientsPage(ctxOf(res), { clients: list, subscriptions: subs.items, planNames, problem }).value);
  }

  const addClient = async (req: Request, res: Response) => {
    const customerId = await reseller(res);
    const form = ClientForm.safeParse(req.body ?? {});
    if (!form.success) throw new ShopError('invalid_input', 'forms.invalid', {}, { name: 'forms.required' });
    const added = await clients.add(customerId, { name: form.data.name, note: form.data.note === '' ? null : form.data.note });
    if (!added.ok) throw new ShopError('conflict', 'resellers.clients.nameTaken', {}, { name: 'resellers.clients.nameTaken' });
    return { customerId, id: added.id };
  };

  const assign = async (res: Response, clientId: unknown, subscriptionId: unknown) => {
    const customerId = await reseller(res);
    const form = AssignForm.safeParse({ clientId, subscriptionId });
    if (!form.success) throw new ShopError('invalid_input', 'forms.invalid');
    const done = await clients.assign(customerId, form.data.clientId, form.data.subscriptionId);
    if (!done.ok) throw new ShopError('not_found', 'errors.notFound');
    return customerId;
  };

  router.get('/account/reseller/clients', requireAccount, async (_req, res) => renderClients(res, 200, await reseller(res), null));
  router.post('/account/reseller/clients', requireAccount, async (req, res) => {
    try {
      await addClient(req, res);
    } catch (error) {
      if (!(error instanceof ShopError) || error.code === 'not_found') throw error;
      return renderClients(res, httpStatusOf(error.code), viewerOf(res).customer.id, ctxOf(res).t(error.messageKey));
    }
    res.redirect(303, '/account/reseller/clients');
  });
  router.post('/account/reseller/clients/assign', requireAccount, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    await assign(res, body['clientId'], body['subscriptionId']);
    res.redirect(303, '/account/reseller/clients');
  });

  router.get('/api/v1/reseller/clients', requireAccount, async (_req, res) => {
    const list = await clients.list(await reseller(res));
    res.json({
      items: list.map((c) => ({
        id: c.id,
        name: c.name,
        note: c.note,
        createdAt: c.createdAt.toISOString(),
        subscriptionIds: c.subscriptionIds,
      })),
    });
  });
  router.post('/api/v1/reseller/clients', requireAccount, async (req, res) => {
    const { id } = await addClient(req, res);
    res.status(201).json({ id });
  });
  router.post('/api/v1/reseller/clients/:id/subscriptions', requireAccount, async (req, res) => {
    await assign(res, req.params['id'], ((req.body ?? {}) as Record<string, unknown>)['subscriptionId']);
    res.json({ ok: true });
  });

  router.get('/account/reseller', requireAccount, async (_req, res) => {
    const terms = await resellerTerms(shop, viewerOf(res).customer.id);
    if (terms === null) throw new ShopError('not_found', 'errors.notFound');
    const storefront = await shop.kit.storefronts.byReseller(viewerOf(res).customer.id);
    res.send(resellerAccountPage(ctxOf(res), terms, currency, timeZone, storefront !== null).value);
  });

  router.get('/api/v1/reseller', requireAccount, async (_req, res) => {
    const terms = await resellerTerms(shop, viewerOf(res).customer.id);
    if (terms === null) throw new ShopError('not_found', 'errors.notFound');
    res.json({
      currency,
      balance: terms.balance,
      creditLimit: terms.creditLimit,
      spendable: terms.spendable,
      prices: terms.prices.map(({ plan, line }) => {
        // The price the plan is listed at everywhere: for a plan the buyer composes, the least it sells for ("from").
        const listed = planListedPrice(plan);
        return {
          planId: plan.id,
          listPrice: listed.price,
          listPriceFrom: listed.from,
          // False for a plan the buyer composes: checkout charges the quote of its parts, never a line (price is null).
          takesPriceBookLine: sellsAtOnePrice(plan),
          price: line?.price ?? null,
          extensionPrice: line?.extensionPrice ?? null,
          trafficPricePerGiB: line?.trafficPricePerGiB ?? null,
        };
      }),
      changes: terms.changes.map((e) => ({ action: e.action, at: e.at.toISOString(), data: e.data })),
    });
  });
  return router;
}
