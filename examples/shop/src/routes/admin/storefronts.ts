import { WITHDRAWAL_STATUSES, type StorefrontStatus, type WithdrawalStatus } from '@panelkit/sdk/storefronts';
import { Router, type Request, type Response } from 'express';
import { ctxOf, viewerOf } from '../../http/context.js';
import { noticeFrom } from '../../http/notice.js';
import { requireRecentAuth } from '../../http/staff-security.js';
import { httpStatusOf } from '../../http/status.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { idParam, isId } from '../../app/input/ids.js';
import { asciiDigits } from '../../app/input/digits.js';
import { ShopError } from '../../app/shop-error.js';
import { storefrontBrands } from '../../app/storefront-bots/brand.js';
import type { Shop } from '../../app/shop.js';
import { approveWithdrawal } from '../../app/storefronts/approve-withdrawal.js';
import { createStorefront } from '../../app/storefronts/create-storefront.js';
import { ownerBrandStorefront } from '../../app/storefronts/owner-brand-storefront.js';
import { ownerConnectBot } from '../../app/storefronts/owner-connect-bot.js';
import { markWithdrawalPaid } from '../../app/storefronts/mark-withdrawal-paid.js';
import { moveBuyer } from '../../app/storefronts/move-buyer.js';
import { payoutQueue } from '../../app/storefronts/payout-queue.js';
import { refuseWithdrawal } from '../../app/storefronts/refuse-withdrawal.js';
import { setStorefrontQuotas } from '../../app/storefronts/set-storefront-quotas.js';
import { setStorefrontStatus } from '../../app/storefronts/set-storefront-status.js';
import type { StorefrontStaff } from '../../app/storefronts/staff.js';
import { storefrontDetail } from '../../app/storefronts/storefront-detail.js';
import { storefrontsOverview } from '../../app/storefronts/storefronts-overview.js';
import { setStorefrontAddress, storefrontAddresses } from '../../app/storefronts/web-address.js';
import type { AddressFormState } from '../../views/admin/storefront-address-form.js';
import { payoutsPage } from '../../views/admin/payouts-page.js';
import { storefrontPage } from '../../views/admin/storefront-page.js';
import { storefrontsPage } from '../../views/admin/storefronts-page.js';
import { brandFromForm } from '../storefront-bot-forms.js';

const GIB = 1024 ** 3;

/** The signed-in staff account, as the storefront use cases check it. */
function staffOf(res: Response): StorefrontStaff {
  const { account } = viewerOf(res);
  return { accountId: account.id, role: account.role };
}

/** A form's text field (a string, at most `max` characters kept), `''` when absent or not text. */
function text(body: unknown, name: string, max: number): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/** A whole quota typed on the form: `null` for blank, `undefined` when it is not a whole number. */
function wholeNumber(value: string): number | null | undefined {
  const typed = asciiDigits(value).trim();
  if (typed === '') return null;
  return /^[0-9]{1,12}$/.test(typed) ? Number(typed) : undefined;
}

/** Translated field errors of a refusal. */
function fieldsOf(res: Response, error: ShopError): FieldErrors {
  const { t } = ctxOf(res);
  const fields: FieldErrors = { _form: t(error.messageKey, error.params) };
  for (const [name, key] of Object.entries(error.fields)) fields[name] = t(key, error.params);
  return fields;
}

/**
 * The owner's storefront pages: the list with each storefront's figures and the form creating one, one storefront
 * (suspend or resume, quotas, menu, buyers), moving a buyer between storefronts, and the payout queue (approve,
 * mark paid, refuse with a reason). Each action is one use case in `app/storefronts`, which checks the role again;
 * bad input is answered 4xx and changes nothing.
 */
export function storefrontRoutes(shop: Shop): Router {
  const router = Router();
  const recentAuth = requireRecentAuth(shop.clock);

  async function renderList(req: Request, res: Response, status: number, values: Record<string, string>, errors?: FieldErrors) {
    const { rows, ownShopRevenue } = await storefrontsOverview(shop, staffOf(res));
    res.status(status).send(
      storefrontsPage(ctxOf(res), {
        rows,
        ownShopRevenue,
        values,
        ...(errors === undefined ? {} : { errors }),
        notice: status === 200 ? noticeFrom(req) : null,
      }).value,
    );
  }

  async function renderOne(
    req: Request,
    res: Response,
    status: number,
    typed?: { values: Record<string, string>; errors: FieldErrors },
    addressForm?: AddressFormState,
  ) {
    const detail = await storefrontDetail(shop, idParam(req), staffOf(res));
    const q = detail.storefront.quotas;
    const stored = {
      maxActiveSubscriptions: q.maxActiveSubscriptions === null ? '' : String(q.maxActiveSubscriptions),
      maxTrafficGb: q.maxTrafficBytes === null ? '' : String(Math.floor(q.maxTrafficBytes / GIB)),
    };
    res.status(status).send(
      storefrontPage(ctxOf(res), {
        ...detail,
        values: typed?.values ?? stored,
        ...(typed === undefined ? {} : { errors: typed.errors }),
        notice: typed === undefined && addressForm === undefined ? noticeFrom(req) : null,
        brand: await storefrontBrands(shop).get(detail.storefront.id),
        address: await storefrontAddresses(shop).get(detail.storefront.id),
        ...(addressForm === undefined ? {} : { addressForm }),
      }).value,
    );
  }

  router.get('/admin/storefronts', (req, res) => renderList(req, res, 200, {}));

  router.post('/admin/storefronts', async (req, res) => {
    const values = { reseller: text(req.body, 'reseller', 320), name: text(req.body, 'name', 200) };
    try {
      const created = await createStorefront(shop, values, staffOf(res));
      res.redirect(303, `/admin/storefronts/${encodeURIComponent(created.id)}?done=storefronts.created`);
    } catch (error) {
      if (!(error instanceof ShopError) || error.code === 'forbidden') throw error;
      await renderList(req, res, httpStatusOf(error.code), values, fieldsOf(res, error));
    }
  });

  router.post('/admin/storefronts/move-buyer', async (req, res) => {
    const target = text(req.body, 'storefrontId', 200);
    if (target !== '' && !isId(target)) throw new ShopError('invalid_input', 'forms.invalid');
    await moveBuyer(shop, { buyer: text(req.body, 'buyer', 320), storefrontId: target === '' ? null : target }, staffOf(res));
    const back = text(req.body, 'back', 200);
    res.redirect(
      303,
      isId(back) ? `/admin/storefronts/${encodeURIComponent(back)}?done=storefronts.moved` : '/admin/storefronts?done=storefronts.moved',
    );
  });

  router.get('/admin/storefronts/:id', (req, res) => renderOne(req, res, 200));

  router.post('/admin/storefronts/:id/status', async (req, res) => {
    const storefrontId = idParam(req);
    const status = text(req.body, 'status', 20);
    if (status !== 'active' && status !== 'suspended') throw new ShopError('invalid_input', 'forms.invalid');
    await setStorefrontStatus(shop, { storefrontId, status: status as StorefrontStatus }, staffOf(res));
    const done = status === 'active' ? 'done=storefronts.resumed' : 'done=storefronts.suspended';
    res.redirect(303, `/admin/storefronts/${encodeURIComponent(storefrontId)}?${done}`);
  });

  router.post('/admin/storefronts/:id/bot', async (req, res) => {
    const storefrontId = idParam(req);
    await ownerConnectBot(shop, storefrontId, text(req.body, 'token', 200), staffOf(res));
    res.redirect(303, `/admin/storefronts/${encodeURIComponent(storefrontId)}?done=storefronts.bot_connected`);
  });

  router.post('/admin/storefronts/:id/brand', async (req, res) => {
    const storefrontId = idParam(req);
    const current = await storefrontBrands(shop).get(storefrontId);
    await ownerBrandStorefront(shop, storefrontId, brandFromForm(req.body, current), staffOf(res));
    res.redirect(303, `/admin/storefronts/${encodeURIComponent(storefrontId)}?done=storefronts.brand_saved`);
  });

  router.post('/admin/storefronts/:id/address', async (req, res) => {
    const storefrontId = idParam(req);
    const values = { slug: text(req.body, 'slug', 200), hosts: text(req.body, 'hosts', 2000) };
    try {
      await setStorefrontAddress(shop, storefrontId, values, staffOf(res));
    } catch (error) {
      if (!(error instanceof ShopError) || (error.code !== 'invalid_input' && error.code !== 'conflict')) throw error;
      return renderOne(req, res, httpStatusOf(error.code), undefined, { values, errors: fieldsOf(res, error) });
    }
    res.redirect(303, `/admin/storefronts/${encodeURIComponent(storefrontId)}?done=storefrontWeb.saved`);
  });

  router.post('/admin/storefronts/:id/quotas', async (req, res) => {
    const storefrontId = idParam(req);
    const ctx = ctxOf(res);
    const values = {
      maxActiveSubscriptions: text(req.body, 'maxActiveSubscriptions', 40),
      maxTrafficGb: text(req.body, 'maxTrafficGb', 40),
    };
    const raw = (req.body as Record<string, unknown> | undefined)?.['panelIds'];
    const panelIds = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const errors: FieldErrors = {};
    const subscriptions = wholeNumber(values.maxActiveSubscriptions);
    const gigabytes = wholeNumber(values.maxTrafficGb);
    if (subscriptions === undefined) errors['maxActiveSubscriptions'] = ctx.t('forms.invalid');
    if (gigabytes === undefined || (gigabytes !== null && gigabytes * GIB > Number.MAX_SAFE_INTEGER))
      errors['maxTrafficGb'] = ctx.t('forms.invalid');
    if (panelIds.length > 1000 || !panelIds.every(isId)) errors['_form'] = ctx.t('forms.invalid');
    if (Object.keys(errors).length > 0) return renderOne(req, res, 400, { values, errors });
    const quotas = {
      maxActiveSubscriptions: subscriptions ?? null,
      maxTrafficBytes: gigabytes === null || gigabytes === undefined ? null : gigabytes * GIB,
      panelIds: panelIds.length === 0 ? null : (panelIds as string[]),
    };
    try {
      await setStorefrontQuotas(shop, { storefrontId, quotas }, staffOf(res));
    } catch (error) {
      if (!(error instanceof ShopError) || error.code !== 'invalid_input') throw error;
      return renderOne(req, res, 400, { values, errors: fieldsOf(res, error) });
    }
    res.redirect(303, `/admin/storefronts/${encodeURIComponent(storefrontId)}?done=storefronts.quotas`);
  });

  router.get('/admin/payouts', async (req, res) => {
    const asked = typeof req.query['status'] === 'string' ? req.query['status'] : 'requested';
    const status: WithdrawalStatus | null =
      asked === 'all' ? null : (WITHDRAWAL_STATUSES as readonly string[]).includes(asked) ? (asked as WithdrawalStatus) : 'requested';
    const items = await payoutQueue(shop, { status }, staffOf(res));
    res.send(payoutsPage(ctxOf(res), { items, status, timeZone: shop.config.timeZone, notice: noticeFrom(req) }).value);
  });

  router.post('/admin/payouts/:id/approve', recentAuth, async (req, res) => {
    await approveWithdrawal(shop, { withdrawalId: idParam(req) }, staffOf(res));
    res.redirect(303, '/admin/payouts?status=approved&done=storefronts.approved');
  });

  router.post('/admin/payouts/:id/paid', recentAuth, async (req, res) => {
    await markWithdrawalPaid(shop, { withdrawalId: idParam(req), reference: text(req.body, 'reference', 400) }, staffOf(res));
    res.redirect(303, '/admin/payouts?status=paid&done=storefronts.paid');
  });

  router.post('/admin/payouts/:id/refuse', recentAuth, async (req, res) => {
    await refuseWithdrawal(shop, { withdrawalId: idParam(req), reason: text(req.body, 'reason', 2000) }, staffOf(res));
    res.redirect(303, '/admin/payouts?status=refused&done=storefronts.refused');
  });
  return router;
}
