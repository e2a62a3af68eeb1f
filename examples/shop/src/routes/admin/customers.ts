import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { isStaffRole, roleMayUse } from '../../app/auth/staff-roles.js';
import { requireAdmin } from '../../http/viewer.js';
import { findCustomers } from '../../app/customers/find-customers.js';
import { customerOverview } from '../../app/customers/customer-overview.js';
import { customerDevices, resetDevicesAsStaff } from '../../app/devices/staff-devices.js';
import { adminActor } from './shared.js';
import { paymentsOf } from '../../app/payments/records.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { parseForm } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import { idParam } from '../../app/input/ids.js';
import { noticeFrom } from '../../http/notice.js';
import { formatMoney } from '../../i18n/format.js';
import { adjustBalance } from '../../app/payments/adjust.js';
import { amountSchema } from '../../app/payments/amount.js';
import { REQUEST_KEY_PATTERN } from '../../app/payments/provider.js';
import type { Shop } from '../../app/shop.js';
import { savedMethodsOf } from '../../app/payments/saved-methods.js';
import { customerPage, type AdjustFormState } from '../../views/admin/customer-page.js';
import { customersPage } from '../../views/admin/customers-page.js';
import { cursorFrom, newFormKey } from '../wallet.js';

const PAGE_SIZE = 25;
const LEDGER_PAGE = 50;

const adjustSchema = (currency: string) =>
  z.object({
    direction: z.enum(['credit', 'debit'], { message: 'adminMoney.errors.direction' }),
    amount: amountSchema(currency),
    note: z
      .string({ message: 'adminMoney.errors.noteRequired' })
      .trim()
      .min(1, { message: 'adminMoney.errors.noteRequired' })
      .max(500, { message: 'adminMoney.errors.noteTooLong' }),
    nonce: z.string({ message: 'wallet.errors.formExpired' }).regex(REQUEST_KEY_PATTERN, { message: 'wallet.errors.formExpired' }),
  });

function pageNumber(value: unknown): number {
  return typeof value === 'string' && /^[1-9][0-9]{0,4}$/.test(value) ? Number(value) : 1;
}

function textValues(body: unknown, names: string[]): Record<string, string> {
  const source = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(names.flatMap((n) => (typeof source[n] === 'string' ? [[n, (source[n] as string).slice(0, 600)]] : [])));
}

/** Customers for admins: search, and one customer's money, payments and subscriptions, with manual adjustments. */
export function adminCustomersRoutes(shop: Shop): Router {
  const router = Router();
  router.use('/admin/customers', requireAdmin);

  router.get('/admin/customers', async (req, res) => {
    const query = typeof req.query['q'] === 'string' ? req.query['q'].trim().slice(0, 100) : '';
    const page = pageNumber(req.query['page']);
    const found = await findCustomers(shop, { query, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    res.send(customersPage(ctxOf(res), { query, page, items: found.items, hasMore: found.hasMore, timeZone: shop.config.timeZone }).value);
  });

  async function render(req: Request, res: Response, status: number, adjust?: AdjustFormState) {
    // The customer, their wallet and subscriptions: the same overview the bot's customer card shows.
    const overview = await customerOverview(shop, idParam(req));
    const { customer } = overview;
    const cursor = adjust === undefined ? cursorFrom(req.query['after']) : null;
    const [ledger, payments, devices, savedMethods] = await Promise.all([
      shop.storage.ledger.list(customer.id, { limit: LEDGER_PAGE, cursor }),
      paymentsOf(shop).listByCustomer(customer.id, { limit: 50 }),
      customerDevices(shop, overview.subscriptions),
      savedMethodsOf(shop, customer.id),
    ]);
    res.status(status).send(
      customerPage(ctxOf(res), {
        customer,
        email: overview.email,
        balances: overview.balances,
        currency: shop.config.currency,
        timeZone: shop.config.timeZone,
        ledger: { entries: ledger.items, nextCursor: ledger.nextCursor, paged: cursor !== null },
        payments: payments.items,
        savedMethods,
        subscriptions: overview.subscriptions,
        planNames: overview.planNames,
        adjust: adjust ?? { nonce: newFormKey(), values: {} },
        resellerLink: roleMayUse(viewerOf(res).account.role, 'GET', `/admin/customers/${customer.id}/reseller`),
        canIssueReset: viewerOf(res).account.role === 'admin' || overview.role === null || !isStaffRole(overview.role),
        notice: adjust === undefined ? noticeFrom(req) : null,
        devices,
      }).value,
    );
  }

  router.get('/admin/customers/:id', (req, res) => render(req, res, 200));

  router.post('/admin/customers/:id/devices/reset', async (req, res) => {
    const customerId = idParam(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    await resetDevicesAsStaff(shop, {
      customerId,
      subscriptionId: typeof body['subscriptionId'] === 'string' ? body['subscriptionId'] : '',
      reason: typeof body['reason'] === 'string' ? body['reason'] : '',
      actor: adminActor(res),
    });
    res.redirect(303, `/admin/customers/${encodeURIComponent(customerId)}?done=devices.reset#devices`);
  });

  router.post('/admin/customers/:id/adjust', async (req, res) => {
    const ctx = ctxOf(res);
    const customerId = idParam(req);
    if ((await shop.storage.customers.get(customerId)) === null) throw new ShopError('not_found', 'errors.notFound');
    const values = textValues(req.body, ['direction', 'amount', 'note', 'nonce']);
    const nonce = values['nonce'] !== undefined && REQUEST_KEY_PATTERN.test(values['nonce']) ? values['nonce'] : newFormKey();
    const form = parseForm(adjustSchema(shop.config.currency), req.body, ctx.t);
    if (!form.ok) return render(req, res, 400, { nonce, values, errors: form.fields });
    const { direction, amount, note } = form.data;
    const result = await adjustBalance(shop, {
      customerId,
      amount: direction === 'debit' ? -amount : amount,
      currency: shop.config.currency,
      note,
      nonce: form.data.nonce,
      adminId: viewerOf(res).account.id,
      role: viewerOf(res).account.role,
    });
    if (!result.ok && result.reason !== 'below_zero') {
      const cap = formatMoney({ amount: shop.config.supportMoney.perAction, currency: shop.config.currency }, ctx.locale);
      const message = {
        over_action_cap: 'overActionCap',
        over_daily_cap: 'overDailyCap',
        not_staff: 'notStaff',
        own_wallet: 'ownWallet',
      }[result.reason];
      return render(req, res, 403, { nonce, values, errors: { amount: ctx.t(`adminMoney.errors.${message}`, { cap }) } });
    }
    if (!result.ok) {
      const balance = formatMoney({ amount: result.balance, currency: shop.config.currency }, ctx.locale);
      return render(req, res, 409, { nonce, values, errors: { amount: ctx.t('adminMoney.errors.belowZero', { balance }) } });
    }
    res.redirect(303, `/admin/customers/${encodeURIComponent(customerId)}?done=adminMoney.adjusted`);
  });
  return router;
}
