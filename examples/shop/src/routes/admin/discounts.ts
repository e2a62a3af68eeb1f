import { ConflictError, DISCOUNT_USES, ValidationError, normalizeDiscountCode } from '@panelkit/sdk';
import type { DiscountUse, NewDiscountCode } from '@panelkit/sdk';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { ctxOf } from '../../http/context.js';
import { checkbox, optionalText, optionalWholeNumber, tagList } from '../../app/input/form-fields.js';
import { parseForm, type FieldErrors } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import { idParam } from '../../app/input/ids.js';
import { noticeFrom } from '../../http/notice.js';
import { parseMajorAmount } from '../../i18n/format.js';
import { asciiDigits } from '../../app/input/digits.js';
import type { Shop } from '../../app/shop.js';
import { discountsPage, type DiscountFormValues } from '../../views/admin/discounts-page.js';
import { adminActor, cursorOf } from './shared.js';

const day = z
  .string()
  .trim()
  .max(10)
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return null;
    const at = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00.000Z`) : null;
    if (at === null || Number.isNaN(at.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'discounts.admin.badDate' });
      return z.NEVER;
    }
    return at;
  });

const minor = (currency: string) =>
  z
    .string()
    .trim()
    .max(40)
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return null;
      const amount = parseMajorAmount(asciiDigits(v), currency);
      if (amount === null || amount < 0) {
        ctx.addIssue({ code: 'custom', message: 'forms.amount' });
        return z.NEVER;
      }
      return amount;
    });

function createSchema(currency: string) {
  return z.object({
    code: z
      .string()
      .trim()
      .max(60)
      .refine((c) => normalizeDiscountCode(c) !== null, { message: 'discounts.admin.badCode' }),
    type: z.enum(['percent', 'fixed'], { message: 'forms.invalid' }),
    value: z.string().trim().max(40),
    planIds: z
      .union([z.string().max(128), z.array(z.string().max(128)).max(100)], { message: 'forms.invalid' })
      .optional()
      .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
    locations: tagList(64),
    minAmount: minor(currency),
    startsAt: day,
    endsAt: day,
    maxUses: optionalWholeNumber,
    maxUsesPerCustomer: optionalWholeNumber,
    firstPurchaseOnly: checkbox,
    appliesTo: z
      .union([z.enum(DISCOUNT_USES), z.array(z.enum(DISCOUNT_USES))], { message: 'forms.invalid' })
      .transform((v) => (Array.isArray(v) ? v : [v])),
    note: optionalText(500),
  });
}

const text = (v: unknown, max = 200) => (typeof v === 'string' ? v.slice(0, max) : '');

/** The owner's discount codes: create, list with their uses, disable and enable. */
export function discountRoutes(shop: Shop): Router {
  const router = Router();
  const currency = shop.config.currency;

  const render = async (
    res: Response,
    status: number,
    extra: { notice?: string | null; errors?: FieldErrors; values?: DiscountFormValues; cursor?: string | null } = {},
  ) => {
    const page = await shop.storage.discounts.list({ limit: 50, cursor: extra.cursor ?? null });
    const plans = await shop.storage.plans.list();
    res.status(status).send(
      discountsPage(ctxOf(res), {
        codes: page.items,
        nextCursor: page.nextCursor,
        plans,
        currency,
        timeZone: shop.config.timeZone,
        ...extra,
      }).value,
    );
  };

  router.get('/admin/discounts', async (req, res) => render(res, 200, { notice: noticeFrom(req), cursor: cursorOf(req) }));

  router.post('/admin/discounts', async (req, res) => {
    const ctx = ctxOf(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: DiscountFormValues = {
      code: text(body['code'], 60),
      type: body['type'] === 'fixed' ? 'fixed' : 'percent',
      value: text(body['value'], 40),
      planIds: (Array.isArray(body['planIds']) ? body['planIds'] : [body['planIds']])
        .filter((p): p is string => typeof p === 'string')
        .slice(0, 100),
      locations: text(body['locations'], 2000),
      minAmount: text(body['minAmount'], 40),
      startsAt: text(body['startsAt'], 10),
      endsAt: text(body['endsAt'], 10),
      maxUses: text(body['maxUses'], 12),
      maxUsesPerCustomer: text(body['maxUsesPerCustomer'], 12),
      firstPurchaseOnly: body['firstPurchaseOnly'] !== undefined,
      appliesTo: (Array.isArray(body['appliesTo']) ? body['appliesTo'] : [body['appliesTo']]).filter((u): u is DiscountUse =>
        (DISCOUNT_USES as readonly unknown[]).includes(u),
      ),
      note: text(body['note'], 500),
    };
    const form = parseForm(createSchema(currency), body, ctx.t);
    if (!form.ok) return render(res, 400, { errors: form.fields, values });
    const d = form.data;
    let value: NewDiscountCode['value'];
    if (d.type === 'percent') {
      const percent = /^\d{1,3}$/.test(asciiDigits(d.value)) ? Number(asciiDigits(d.value)) : NaN;
      if (!(percent >= 1 && percent <= 100)) return render(res, 400, { errors: { value: ctx.t('discounts.admin.valueHint') }, values });
      value = { type: 'percent', percent };
    } else {
      const amount = parseMajorAmount(asciiDigits(d.value), currency);
      if (amount === null || amount <= 0) return render(res, 400, { errors: { value: ctx.t('forms.amount') }, values });
      value = { type: 'fixed', amount: { amount, currency } };
    }
    const planIds = [...new Set(d.planIds.filter((s) => s !== ''))];
    for (const id of planIds)
      if ((await shop.storage.plans.get(id)) === null) return render(res, 400, { errors: { planIds: ctx.t('errors.notFound') }, values });
    try {
      await shop.kit.createDiscountCode(
        {
          code: d.code,
          value,
          planIds,
          locations: d.locations,
          minAmount: d.minAmount === null ? null : { amount: d.minAmount, currency },
          startsAt: d.startsAt,
          endsAt: d.endsAt,
          maxUses: d.maxUses === 0 ? null : d.maxUses,
          maxUsesPerCustomer: d.maxUsesPerCustomer === 0 ? null : d.maxUsesPerCustomer,
          firstPurchaseOnly: d.firstPurchaseOnly,
          appliesTo: d.appliesTo,
          note: d.note === '' ? null : d.note,
        },
        adminActor(res),
      );
    } catch (error) {
      if (ConflictError.is(error)) return render(res, 409, { errors: { code: ctx.t('discounts.admin.taken') }, values });
      if (ValidationError.is(error))
        return render(res, 400, { errors: { _form: error.issues.map((i) => `${i.path}: ${i.message}`).join('; ') }, values });
      throw error;
    }
    res.redirect(303, '/admin/discounts?done=discounts.created');
  });

  router.post('/admin/discounts/:id/disabled', async (req, res) => {
    const id = idParam(req);
    const code = await shop.storage.discounts.get(id);
    if (code === null) throw new ShopError('not_found', 'errors.notFound');
    const disabled = req.body?.disabled === 'true';
    await shop.kit.updateDiscountCode(id, { disabled }, adminActor(res));
    res.redirect(303, '/admin/discounts?done=discounts.updated');
  });
  return router;
}
