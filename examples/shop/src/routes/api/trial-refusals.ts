import { Router } from 'express';
import { z } from 'zod';
import { parseOrThrow } from '../../app/input/forms.js';
import type { Shop } from '../../app/shop.js';
import { listTrialRefusals, TRIAL_REFUSALS_PAGE_MAX } from '../../app/trials/trial-refusals.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { requireAccount } from '../../http/viewer.js';

/** `GET /api/v1/trial-refusals`' query: a page size (1–100, default 50) and the cursor of the previous page. */
export const TrialRefusalsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(TRIAL_REFUSALS_PAGE_MAX).default(50),
  cursor: z.string().min(1).max(512).optional(),
});

/**
 * Refused trial attempts as JSON, newest first: `{ items: [{ id, at, customerId, planId, family, reason, matched,
 * subscriptionId }], nextCursor }`. Owners only (403 otherwise); a bad query is 400.
 */
export function trialRefusalsApiRoutes(shop: Shop): Router {
  const router = Router();
  router.get('/api/v1/trial-refusals', requireAccount, async (req, res) => {
    const query = parseOrThrow(TrialRefusalsQuery, req.query, ctxOf(res).t);
    const page = await listTrialRefusals(shop, viewerOf(res).account.role, { limit: query.limit, cursor: query.cursor ?? null });
    res.json({ items: page.items.map((r) => ({ ...r, at: r.at.toISOString() })), nextCursor: page.nextCursor });
  });
  return router;
}
