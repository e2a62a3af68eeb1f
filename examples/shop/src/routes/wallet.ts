import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { requireAccount } from '../http/viewer.js';
import { paymentsOf } from '../app/payments/records.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { noticeFrom } from '../http/notice.js';
import { REQUEST_KEY_PATTERN } from '../app/payments/provider.js';
import { describeLedger } from '../app/payments/ledger-descriptions.js';
import { payoutCard } from '../app/payments/payout-card.js';
import { enabledProviders } from '../app/payments/registry.js';
import { activeGateway } from '../app/payments/crypto/gateway-settings.js';
import { offeredRailTerms } from '../app/payments/rails/gateway-rails.js';
import { starsOffered } from './stars.js';
import { submitTopUp } from '../app/payments/topup.js';
import type { Shop } from '../app/shop.js';
import { walletPage, type TopUpFormState } from '../views/wallet-page.js';
import { cancelOwnPayment } from '../app/payments/cancel.js';
import { idParam } from '../app/input/ids.js';
import { httpStatusOf } from '../http/status.js';
import { allowOwnSavedMethodForRenewal, removeOwnSavedMethod, savedMethodsOf } from '../app/payments/saved-methods.js';
import { ShopError } from '../app/shop-error.js';

const LEDGER_PAGE = 20;
const RECENT_PAYMENTS = 20;

export function newFormKey(): string {
  return randomBytes(18).toString('base64url');
}

/** A storage cursor from the query, or `null` (a malformed one is refused by storage as a 400). */
export function cursorFrom(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= 512 ? value : null;
}

/** What the buyer sent, as strings, to fill the form again. */
function sentValues(body: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string' && name !== '_csrf' && value.length <= 200) values[name] = value;
  }
  return values;
}

export function walletRoutes(shop: Shop): Router {
  const router = Router();

  async function render(req: Request, res: Response, status: number, failed?: { provider: string; state: TopUpFormState }) {
    const ctx = ctxOf(res);
    const { customer } = viewerOf(res);
    const cursor = failed === undefined ? cursorFrom(req.query['after']) : null;
    const [balances, ledger, payments] = await Promise.all([
      shop.kit.customers.balances(customer.id),
      shop.storage.ledger.list(customer.id, { limit: LEDGER_PAGE, cursor }),
      paymentsOf(shop).listByCustomer(customer.id, { limit: RECENT_PAYMENTS }),
    ]);
    const forms = (await enabledProviders(shop)).map((p) =>
      failed?.provider === p.id ? failed : { provider: p.id, state: { key: newFormKey(), values: {} } },
    );
    res.status(status).send(
      walletPage(ctx, {
        balances,
        currency: shop.config.currency,
        timeZone: shop.config.timeZone,
        now: shop.clock.now(),
        forms,
        card: await payoutCard(shop),
        payments: payments.items,
        ledger: { entries: ledger.items, nextCursor: ledger.nextCursor, paged: cursor !== null },
        descriptions: await describeLedger(shop, ledger.items, ctxOf(res).locale),
        notice: failed === undefined ? noticeFrom(req) : null,
        crypto: (await activeGateway(shop)) === null ? null : { key: newFormKey() },
        rails: (await offeredRailTerms(shop)).map(({ rail, methods, savesMethods }) => ({
          rail,
          key: newFormKey(),
          methods,
          savesMethods,
        })),
        stars: (await starsOffered(shop)) ? { key: newFormKey() } : null,
        savedMethods: await savedMethodsOf(shop, customer.id),
      }).value,
    );
  }

  router.get('/wallet', requireAccount, (req, res) => render(req, res, 200));

  // The buyer withdraws one of their own pending payments (an invoice they will not pay, a receipt sent by mistake).
  router.post('/wallet/payments/:id/cancel', requireAccount, async (req, res) => {
    await cancelOwnPayment(shop, viewerOf(res).customer.id, idParam(req));
    res.redirect(303, '/wallet?done=wallet.payment_cancelled');
  });

  // The buyer's saved payment methods: stop or allow charging one for auto-renewals, or remove it.
  router.post('/wallet/methods/:id/renewal', requireAccount, async (req, res) => {
    const allowed = (req.body as Record<string, unknown> | undefined)?.['allowed'];
    if (allowed !== 'yes' && allowed !== 'no') throw new ShopError('invalid_input', 'errors.invalidInput');
    await allowOwnSavedMethodForRenewal(shop, viewerOf(res).customer.id, idParam(req), allowed === 'yes');
    res.redirect(303, '/wallet?done=wallet.method_updated#methods');
  });
  router.post('/wallet/methods/:id/remove', requireAccount, async (req, res) => {
    await removeOwnSavedMethod(shop, viewerOf(res).customer.id, idParam(req));
    res.redirect(303, '/wallet?done=wallet.method_removed#methods');
  });

  router.post('/wallet/topup/:provider', requireAccount, async (req, res) => {
    const ctx = ctxOf(res);
    const { customer } = viewerOf(res);
    const provider = req.params['provider'] as string;
    const result = await submitTopUp(shop, customer.id, provider, req.body, ctx.t);
    if (result.ok) return void res.redirect(303, `/wallet?done=wallet.${result.notice}`);
    const values = sentValues(req.body);
    const sentKey = values['idempotencyKey'];
    // Keep the form's key, so fixing a field and sending again is still the same form.
    const key = sentKey !== undefined && REQUEST_KEY_PATTERN.test(sentKey) ? sentKey : newFormKey();
    await render(req, res, httpStatusOf(result.code), { provider, state: { key, values, errors: result.fields } });
  });

  return router;
}
