import type { Request, Response } from 'express';
import type { Shop } from '../app/shop.js';
import { IdempotencyKeySchema } from '../app/subscriptions/idempotency.js';
import { ctxOf } from './context.js';

/** The routes that place orders, whose `idempotencyKey` is the order's own key. */
const CHECKOUT_PATH = /^\/(api\/v1\/checkout|checkout\/[^/]+)\/?$/;

/**
 * Whether a checkout repeats one the viewer already placed (same idempotency key): a client that lost the
 * answer asks again to learn the outcome, and the engine replays the order without charging. Such a replay is
 * not a new attempt, so the per-account checkout limit does not count it.
 */
export function isCheckoutReplay(shop: Shop) {
  return async (req: Request, res: Response): Promise<boolean> => {
    const viewer = ctxOf(res).viewer;
    if (viewer === null || req.method !== 'POST' || !CHECKOUT_PATH.test(req.path)) return false;
    const key = IdempotencyKeySchema.safeParse((req.body as Record<string, unknown> | undefined)?.['idempotencyKey']);
    if (!key.success) return false;
    return (await shop.storage.orders.getByIdempotencyKey(viewer.customer.id, key.data)) !== null;
  };
}
