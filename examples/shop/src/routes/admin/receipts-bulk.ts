import { Router } from 'express';
import { z } from 'zod';
import type { PaymentWithEmail } from '../../app/payments/records.js';
import { searchReceipts } from '../../app/payments/receipt-search.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { ShopError } from '../../app/shop-error.js';
import { isId } from '../../app/input/ids.js';
import { parseOrThrow } from '../../app/input/forms.js';
import { reviewPayment } from '../../app/payments/review.js';
import type { Shop } from '../../app/shop.js';
import { bulkConfirmPage, bulkResultPage, type BulkOutcome } from '../../views/admin/receipts-bulk-page.js';

/** At most this many receipts in one bulk approval (the queue shows 200). */
export const BULK_MAX = 200;

const IdsSchema = z.preprocess(
  (v) => (typeof v === 'string' ? [v] : v),
  z
    .array(z.string().refine(isId, { message: 'receiptsQueue.errors.ids' }), { message: 'receiptsQueue.errors.ids' })
    .min(1, { message: 'receiptsQueue.errors.noneSelected' })
    .max(BULK_MAX, { message: 'receiptsQueue.errors.tooMany' })
    .transform((ids) => [...new Set(ids)]),
);

const SelectSchema = z.object({ ids: IdsSchema });
const ConfirmSchema = z.object({ ids: IdsSchema, confirm: z.literal('yes', { message: 'receiptsQueue.errors.confirm' }) });

/**
 * Bulk approval in two steps: the queue's ticked receipts go to a confirmation page (which changes
 * nothing), and its one confirmation approves each through `reviewPayment`. That conditional
 * update decides each receipt once, so a replayed or racing confirmation credits nothing twice:
 * the receipts someone else decided first are counted as "already reviewed".
 */
export function adminBulkReceiptsRoutes(shop: Shop): Router {
  const router = Router();

  router.post('/admin/receipts/bulk-approve', async (req, res) => {
    const ctx = ctxOf(res);
    const { ids } = parseOrThrow(SelectSchema, req.body, ctx.t);
    const chosen = await pendingOf(shop, ids);
    if (chosen.length === 0) throw new ShopError('conflict', 'receiptsQueue.errors.nonePending');
    res.send(bulkConfirmPage(ctx, { payments: chosen, timeZone: shop.config.timeZone }).value);
  });

  router.post('/admin/receipts/bulk-approve/confirm', async (req, res) => {
    const ctx = ctxOf(res);
    const { ids } = parseOrThrow(ConfirmSchema, req.body, ctx.t);
    const reviewerId = viewerOf(res).account.id;
    const outcome: BulkOutcome = { approved: 0, notCredited: 0, alreadyReviewed: 0, missing: 0 };
    // One after another: each approval runs the settle sweep, and they would only queue on the same rows.
    for (const paymentId of ids) {
      try {
        const result = await reviewPayment(shop, { paymentId, decision: 'approved', reviewerId, note: null });
        if (result.credited) outcome.approved += 1;
        else outcome.notCredited += 1;
      } catch (error) {
        if (!(error instanceof ShopError)) throw error;
        if (error.code === 'not_found') outcome.missing += 1;
        else outcome.alreadyReviewed += 1;
      }
    }
    res.send(bulkResultPage(ctx, outcome).value);
  });
  return router;
}

/** The chosen receipts that are still pending, oldest first. */
function pendingOf(shop: Shop, ids: string[]): Promise<PaymentWithEmail[]> {
  const filters = {
    text: null,
    amount: null,
    status: 'pending',
    provider: null,
    from: null,
    to: null,
    timeZone: shop.config.timeZone,
    ids,
  } as const;
  return searchReceipts(shop, filters, BULK_MAX);
}
