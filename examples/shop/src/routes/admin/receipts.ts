import { STARS_PROVIDER } from '@panelkit/payment-providers/stars';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireAdmin } from '../../http/viewer.js';
import { listReviewedReceipts, searchReceipts } from '../../app/payments/receipt-search.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { parseForm } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import { idParam } from '../../app/input/ids.js';
import { noticeFrom } from '../../http/notice.js';
import { reviewPayment } from '../../app/payments/review.js';
import type { Shop } from '../../app/shop.js';
import { fetchReceiptImage } from '../../app/payments/receipt-image-file.js';
import { ReceiptPhotoStore } from '../../db/telegram-receipt-photos.js';
import { receiptsPage, type ReceiptsView } from '../../views/admin/receipts-page.js';
import { adminBulkReceiptsRoutes } from './receipts-bulk.js';
import { filtersOf, ReceiptQuerySchema, rawQuery } from '../../app/payments/receipt-filters.js';

const ReviewSchema = z.object({
  note: z
    .string({ message: 'forms.invalid' })
    .trim()
    .max(500, { message: 'adminMoney.errors.noteTooLong' })
    .optional()
    .transform((n) => (n === undefined || n === '' ? null : n)),
});

/** An approval must carry the ticked "the transfer arrived" box: the confirmation step, without script. */
const ApproveSchema = ReviewSchema.extend({
  confirm: z.literal('yes', { message: 'receiptsQueue.errors.confirm' }),
});

const SHOWN = 200;
const REVIEWED_SHOWN = 30;

/** Card receipts waiting for an admin (searchable, filterable), the decisions on them, and bulk approval. */
export function adminReceiptsRoutes(shop: Shop): Router {
  const router = Router();
  const photos = new ReceiptPhotoStore(shop.db, shop.shopSchema, shop.clock);
  router.use('/admin/receipts', requireAdmin);

  async function render(req: Request, res: Response, status: number, failed?: ReceiptsView['failed']) {
    const ctx = ctxOf(res);
    const query = parseForm(ReceiptQuerySchema, rawQuery(req), ctx.t);
    const filters = filtersOf(query.ok ? query.data : ReceiptQuerySchema.parse({}), shop.config.currency, shop.config.timeZone);
    const [found, reviewed] = await Promise.all([searchReceipts(shop, filters, SHOWN), listReviewedReceipts(shop, REVIEWED_SHOWN)]);
    const withImages = shop.config.telegram === null ? new Set<string>() : await photos.withImages(found.map((p) => p.id));
    const view: ReceiptsView = {
      found,
      reviewed,
      withImages,
      query: query.ok ? query.data : ReceiptQuerySchema.parse({}),
      raw: rawQuery(req),
      queryErrors: query.ok ? {} : query.fields,
      timeZone: shop.config.timeZone,
      notice: failed === undefined ? noticeFrom(req) : null,
      markPaidOnly: shop.kit.payments
        .providers()
        .filter((p) => p.capabilities.confirmations.includes('admin_mark_paid') && !p.capabilities.confirmations.includes('admin_approval'))
        .map((p) => p.id),
      refundable: shop.kit.payments
        .providers()
        // Stars have their own refund button (to the buyer's Telegram account).
        .filter((p) => p.capabilities.refunds !== undefined && p.id !== STARS_PROVIDER)
        .map((p) => p.id),
      gatewayOnly: shop.kit.payments
        .providers()
        .filter((p) => !p.capabilities.confirmations.some((c) => c === 'admin_approval' || c === 'admin_mark_paid'))
        .map((p) => p.id),
    };
    if (failed !== undefined) view.failed = failed;
    res.status(query.ok ? status : 400).send(receiptsPage(ctx, view).value);
  }

  router.get('/admin/receipts', (req, res) => render(req, res, 200));

  // The picture a buyer sent with a receipt in Telegram, fetched from Telegram for the reviewing admin.
  router.get('/admin/receipts/:id/image', async (req, res) => {
    const telegram = shop.config.telegram;
    const image = telegram === null ? null : await photos.get(idParam(req));
    const file = telegram === null || image === null ? null : await fetchReceiptImage(telegram, image).catch(() => null);
    if (file === null) throw new ShopError('not_found', 'errors.notFound');
    res.set('cache-control', 'private, no-store');
    if (file.contentType === 'application/octet-stream') res.attachment('receipt');
    res.type(file.contentType).send(file.bytes);
  });
  router.use(adminBulkReceiptsRoutes(shop));

  for (const [action, decision] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
    ['mark-paid', 'mark_paid'],
  ] as const) {
    router.post(`/admin/receipts/:id/${action}`, async (req, res) => {
      const ctx = ctxOf(res);
      const paymentId = idParam(req);
      const form = parseForm(decision === 'rejected' ? ReviewSchema : ApproveSchema, req.body, ctx.t);
      if (!form.ok) {
        const note = typeof req.body?.note === 'string' ? (req.body.note as string).slice(0, 2000) : '';
        return render(req, res, 400, { paymentId, note, errors: form.fields });
      }
      const decided = await reviewPayment(shop, { paymentId, decision, reviewerId: viewerOf(res).account.id, note: form.data.note }).catch(
        (error: unknown) => {
          // A refused form (a rejection without its reason) comes back with the field marked, as a parse failure does.
          if (!(error instanceof ShopError) || error.code !== 'invalid_input') throw error;
          return error;
        },
      );
      if (decided instanceof ShopError) {
        const errors = Object.fromEntries(Object.entries(decided.fields).map(([field, key]) => [field, ctx.t(key)]));
        return render(req, res, 400, { paymentId, note: form.data.note ?? '', errors });
      }
      const result = decided;
      const notice =
        decision === 'rejected'
          ? 'rejected'
          : decision === 'mark_paid'
            ? 'marked_paid'
            : result.credited
              ? 'approved'
              : 'approved_not_credited';
      res.redirect(303, `/admin/receipts?done=adminMoney.${notice}`);
    });
  }
  return router;
}
