import type { LedgerEntry, SavedPaymentMethodView } from '@panelkit/sdk';
import { z } from 'zod';
import { allowOwnSavedMethodForRenewal, removeOwnSavedMethod, savedMethodsOf } from '../../app/payments/saved-methods.js';
import { Router, type Request, type Response } from 'express';
import { requireAccount } from '../../http/viewer.js';
import { paymentsOf, type Payment } from '../../app/payments/records.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { parseOrThrow } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import { idParam } from '../../app/input/ids.js';
import { formatMoney } from '../../i18n/format.js';
import type { Translate } from '../../i18n/translate.js';
import { paymentNoteText } from '../../app/payments/payment-notes.js';
import { enabledProviders } from '../../app/payments/registry.js';
import { offeredRailTerms } from '../../app/payments/rails/gateway-rails.js';
import { submitTopUp } from '../../app/payments/topup.js';
import { cancelOwnPayment } from '../../app/payments/cancel.js';
import type { Shop } from '../../app/shop.js';
import { cursorFrom } from '../wallet.js';
import { PageQuery } from './v1.js';
import { gatewayTopUpPath } from './gateway-topup-path.js';

/** A page asked for in the query (`PageQuery`): 400 for a limit outside 1–100. */
function pageFrom(req: Request, res: Response): { limit: number; cursor: string | null } {
  const query = parseOrThrow(PageQuery, req.query, ctxOf(res).t);
  return { limit: query.limit ?? 20, cursor: cursorFrom(query.cursor) };
}

function entryJson(e: LedgerEntry) {
  return {
    id: e.id,
    kind: e.kind,
    amount: e.amount,
    currency: e.currency,
    balanceAfter: e.balanceAfter,
    reference: e.reference,
    createdAt: e.createdAt.toISOString(),
  };
}

/** A payment for the API: the note as its buyer reads it (the SDK's words from the catalog, in the caller's language). */
export function paymentJson(p: Payment, t: Translate) {
  return {
    id: p.id,
    provider: p.provider,
    status: p.status,
    amount: p.amount.amount,
    currency: p.amount.currency,
    reference: p.reference,
    cardLast4: p.details.cardLast4 ?? null,
    paidAt: p.details.paidAt ?? null,
    credited: p.creditedEntryId !== null,
    reviewNote: paymentNoteText(p, t),
    createdAt: p.createdAt.toISOString(),
    reviewedAt: p.reviewedAt?.toISOString() ?? null,
  };
}

/** A saved payment method for the API: its label, never the provider's reference. */
export function savedMethodJson(m: SavedPaymentMethodView) {
  return { id: m.id, provider: m.providerId, label: m.label, allowRenewal: m.allowRenewal, createdAt: m.createdAt.toISOString() };
}

/** Whether a saved method may pay the caller's auto-renewals when the wallet is short. */
export const SavedMethodRenewalBody = z.strictObject({ allowed: z.boolean() });

/**
 * The wallet for scripts and bots (a Bearer API token, or a session with `x-csrf-token`): `GET /api/v1/wallet` lists
 * the wallet-form providers and the gateways on now (each with its terms and `topUpPath`). Amounts are minor units;
 * a top-up takes the same fields as the wallet form, amounts typed in major units ("12.50"), plus `idempotencyKey`
 * (16–64 of A-Z a-z 0-9 _ -): a retried request with the same key records one payment. `POST /api/v1/payments/:id/cancel` withdraws one of the
 * buyer's pending payments. `GET /api/v1/payment-methods` lists the buyer's saved payment methods;
 * `POST …/:id/renewal` (`{ allowed }`) and `POST …/:id/remove` change them.
 */
export function walletApiRoutes(shop: Shop): Router {
  const router = Router();

  router.get('/api/v1/wallet', requireAccount, async (req, res) => {
    const { customer } = viewerOf(res);
    const [balances, ledger] = await Promise.all([
      shop.kit.customers.balances(customer.id),
      shop.storage.ledger.list(customer.id, pageFrom(req, res)),
    ]);
    res.json({
      balances: balances.map((b) => ({ amount: b.amount, currency: b.currency, formatted: formatMoney(b, ctxOf(res).locale) })),
      providers: (await enabledProviders(shop)).map((p) => ({ id: p.id, kind: p.kind })),
      gateways: (await offeredRailTerms(shop)).map(({ rail, ...terms }) => ({ id: rail, ...terms, topUpPath: gatewayTopUpPath(rail) })),
      ledger: ledger.items.map(entryJson),
      nextCursor: ledger.nextCursor,
    });
  });

  router.get('/api/v1/payments', requireAccount, async (req, res) => {
    const { customer } = viewerOf(res);
    const page = await paymentsOf(shop).listByCustomer(customer.id, pageFrom(req, res));
    res.json({ payments: page.items.map((p) => paymentJson(p, ctxOf(res).t)), nextCursor: page.nextCursor });
  });

  router.get('/api/v1/payments/:id', requireAccount, async (req, res) => {
    const payment = await paymentsOf(shop).get(idParam(req));
    // Someone else's payment looks exactly like one that does not exist.
    if (payment === null || payment.customerId !== viewerOf(res).customer.id) throw new ShopError('not_found', 'errors.notFound');
    res.json({ payment: paymentJson(payment, ctxOf(res).t) });
  });

  router.post('/api/v1/payments/:id/cancel', requireAccount, async (req, res) => {
    res.json({ payment: paymentJson(await cancelOwnPayment(shop, viewerOf(res).customer.id, idParam(req)), ctxOf(res).t) });
  });

  router.get('/api/v1/payment-methods', requireAccount, async (_req, res) => {
    res.json({ methods: (await savedMethodsOf(shop, viewerOf(res).customer.id)).map(savedMethodJson) });
  });

  router.post('/api/v1/payment-methods/:id/renewal', requireAccount, async (req, res) => {
    const { allowed } = parseOrThrow(SavedMethodRenewalBody, req.body, ctxOf(res).t);
    res.json({ method: savedMethodJson(await allowOwnSavedMethodForRenewal(shop, viewerOf(res).customer.id, idParam(req), allowed)) });
  });

  router.post('/api/v1/payment-methods/:id/remove', requireAccount, async (req, res) => {
    await removeOwnSavedMethod(shop, viewerOf(res).customer.id, idParam(req));
    res.status(204).end();
  });

  router.post('/api/v1/topups/:provider', requireAccount, async (req, res) => {
    const ctx = ctxOf(res);
    const result = await submitTopUp(shop, viewerOf(res).customer.id, req.params['provider'] as string, req.body, ctx.t);
    if (!result.ok) throw new ShopError(result.code, result.messageKey, result.params, result.fields);
    res.status(result.payment.status === 'pending' ? 202 : 201).json({ payment: paymentJson(result.payment, ctx.t) });
  });

  return router;
}
