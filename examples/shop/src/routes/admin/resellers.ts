import type { PriceBookEntry } from '@panelkit/sdk';
import { Router, type Request, type Response } from 'express';
import { requireRecentAuth } from '../../http/staff-security.js';
import { ctxOf } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import { idParam } from '../../app/input/ids.js';
import { noticeFrom } from '../../http/notice.js';
import { formatMoney, minorDigits, parseMajorAmount } from '../../i18n/format.js';
import { asciiDigits } from '../../app/input/digits.js';
import type { Shop } from '../../app/shop.js';
import { saveResellerTerms } from '../../app/selling/save-reseller-terms.js';
import { sellsAtOnePrice } from '../../app/plans/one-price.js';
import { priceField, resellerPage } from '../../views/admin/reseller-page.js';
import { adminActor } from './shared.js';

/** Minor units as the admin types them back (`7.00`, `70000`), without float rounding. */
function majorText(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  if (digits === 0) return String(amount);
  const text = String(amount).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** A typed amount (zero allowed) in minor units, `null` for blank, or `undefined` when it is not an amount. */
function typedAmount(value: unknown, currency: string): number | null | undefined {
  const text = typeof value === 'string' ? asciiDigits(value).replace('\u066B', '.').trim() : '';
  if (text === '') return null;
  return text.length > 40 ? undefined : (parseMajorAmount(text, currency) ?? undefined);
}

/**
 * A customer's reseller terms, the owner's alone (re-authentication before the page and the save): its price
 * per plan and its credit limit, saved in one transaction by `saveResellerTerms`, each change audited under the
 * owner's name (`reseller.price_set`, `reseller.price_removed`, `reseller.credit_limit_set`). Bad input changes
 * nothing; a limit below what the customer owes now is refused (409) and no price changes either.
 */
export function resellerRoutes(shop: Shop): Router {
  const router = Router();
  const recentAuth = requireRecentAuth(shop.clock);
  const { currency } = shop.config;

  async function render(req: Request, res: Response, status: number, typed?: { values: Record<string, string>; errors: FieldErrors }) {
    const customer = await shop.storage.customers.get(idParam(req));
    if (customer === null) throw new ShopError('not_found', 'errors.notFound');
    const [account, plans, book, balance, creditLimit] = await Promise.all([
      shop.accounts.getByCustomer(customer.id),
      shop.storage.plans.list(),
      shop.kit.resellers.priceBook(customer.id),
      shop.storage.ledger.balance(customer.id, currency),
      shop.kit.resellers.creditLimit(customer.id, currency),
    ]);
    const lines = new Map<string, PriceBookEntry>(book.map((l) => [l.planId, l]));
    const stored: Record<string, string> = { creditLimit: majorText(creditLimit, currency) };
    for (const line of book) stored[priceField(line.planId)] = majorText(line.price.amount, line.price.currency);
    res.status(status).send(
      resellerPage(ctxOf(res), {
        customer,
        email: account?.email ?? customer.email,
        currency,
        balance,
        creditLimit,
        plans: plans.filter((p) => p.price.currency === currency),
        lines,
        values: typed?.values ?? stored,
        ...(typed === undefined ? {} : { errors: typed.errors }),
        notice: typed === undefined ? noticeFrom(req) : null,
      }).value,
    );
  }

  router.get('/admin/customers/:id/reseller', recentAuth, (req, res) => render(req, res, 200));

  router.post('/admin/customers/:id/reseller', recentAuth, async (req, res) => {
    const ctx = ctxOf(res);
    const customerId = idParam(req);
    if ((await shop.storage.customers.get(customerId)) === null) throw new ShopError('not_found', 'errors.notFound');
    const body = (req.body ?? {}) as Record<string, unknown>;
    // The form's plans: a plan the buyer composes has no price field (its lines, if any, are left as they are).
    const plans = (await shop.storage.plans.list()).filter((p) => p.price.currency === currency && sellsAtOnePrice(p));
    const values: Record<string, string> = { creditLimit: String(body['creditLimit'] ?? '').slice(0, 40) };
    const errors: FieldErrors = {};
    const limit = typedAmount(body['creditLimit'], currency);
    if (limit === undefined) errors['creditLimit'] = ctx.t('forms.amount');
    const prices = new Map<string, number | null>();
    for (const plan of plans) {
      const name = priceField(plan.id);
      values[name] = String(body[name] ?? '').slice(0, 40);
      const price = typedAmount(body[name], currency);
      if (price === undefined) errors[name] = ctx.t('forms.amount');
      else prices.set(plan.id, price);
    }
    if (Object.keys(errors).length > 0) return render(req, res, 400, { values, errors });

    const saved = await saveResellerTerms(shop, { customerId, creditLimit: limit ?? null, prices }, adminActor(res));
    if (!saved.ok)
      return render(req, res, 409, {
        values,
        errors: { creditLimit: ctx.t('resellers.admin.belowDebt', { owed: formatMoney(saved.owed, ctx.locale) }) },
      });
    res.redirect(303, `/admin/customers/${encodeURIComponent(customerId)}/reseller?done=resellers.saved`);
  });
  return router;
}
