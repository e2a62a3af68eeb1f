import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireAdmin } from '../../auth/viewer.js';
import { paymentsOf } from '../../db/payments.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { idParam } from '../../http/ids.js';
import { parseForm } from '../../http/forms.js';
import { noticeFrom } from '../../http/notice.js';
import { reviewPayment } from '../../payments/review.js';
import type { Shop } from '../../stack/shop.js';
import { receiptsPage, type ReceiptsView } from '../../views/admin/receipts-page.js';

const ReviewSchema = z.object({
  note: z
    .string({ message: 'forms.invalid' })
    .trim()
    .max(500, { message: 'adminMoney.errors.noteTooLong' })
    .optional()
    .transform((n) => (n === undefined || n === '' ? null : n)),
});

const PENDING_SHOWN = 200;
const REVIEWED_SHOWN = 30;

/** Card receipts waiting for an admin, oldest first, and the decisions on them. */
export function adminReceiptsRoutes(shop: Shop): Router {
  const router = Router();
  router.use('/admin/receipts', requireAdmin);

  async function render(req: Request, res: Response, status: number, failed?: ReceiptsView['failed']) {
    const payments = paymentsOf(shop);
    const [pending, reviewed] = await Promise.all([payments.listPending(PENDING_SHOWN), payments.listReviewed(REVIEWED_SHOWN)]);
    const view: ReceiptsView = { pending, reviewed, timeZone: shop.config.timeZone, notice: failed === undefined ? noticeFrom(req) : null };
    if (failed !== undefined) view.failed = failed;
    res.status(status).send(receiptsPage(ctxOf(res), view).value);
  }

  router.get('/admin/receipts', (req, res) => render(req, res, 200));

  for (const [action, decision] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    router.post(`/admin/receipts/:id/${action}`, async (req, res) => {
      const ctx = ctxOf(res);
      const paymentId = idParam(req);
      const form = parseForm(ReviewSchema, req.body, ctx.t);
      if (!form.ok) {
        const note = typeof req.body?.note === 'string' ? (req.body.note as string).slice(0, 2000) : '';
        return render(req, res, 400, { paymentId, note, errors: form.fields });
      }
      const result = await reviewPayment(shop, { paymentId, decision, reviewerId: viewerOf(res).account.id, note: form.data.note });
      const notice = decision === 'rejected' ? 'rejected' : result.credited ? 'approved' : 'approved_not_credited';
      res.redirect(303, `/admin/receipts?done=adminMoney.${notice}`);
    });
  }
  return router;
}
