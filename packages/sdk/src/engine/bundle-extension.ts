import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { Subscription } from '../domain/subscription.js';
import { parseInput } from '../domain/validate.js';
import { NotFoundError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import type { EngineContext } from './context.js';
import { type ExtendResult, extendWithin, extensionKey, refusedByFirstSubmission } from './extension.js';

/** Validates a bundle's extension: any part of it, the client's idempotency key, and the device packs to keep. */
export const ExtendBundleRequestSchema = z.object({
  /** Any subscription of the bundle (the parts share its `bundleId`). */
  subscriptionId: IdSchema,
  /** The client's key for this extension: a second submission with it charges nothing. */
  idempotencyKey: z.string().min(1).max(140),
  /** As `kit.extend`'s, for the bundle's Xray part (the only one that holds devices). */
  keepExtraDevices: z.boolean().default(false),
  actor: ActorSchema.optional(),
});
/** Input of `kit.extendBundle`. */
export type ExtendBundleRequest = z.input<typeof ExtendBundleRequestSchema>;

/** What `kit.extendBundle` did: each live part's extension, in the bundle's order. */
export interface ExtendBundleResult {
  parts: ExtendResult[];
  /** True when the key had been used: nothing new was charged or queued for any part. */
  replayed: boolean;
}

/** Statuses whose part is no longer extended with its bundle: it failed or was ended for good. */
const GONE = new Set<Subscription['status']>(['failed', 'terminated']);

/** The live parts of the bundle `sub` belongs to (itself alone when it is in none), in creation order. */
export async function bundleParts(repos: StorageRepositories, sub: Subscription): Promise<Subscription[]> {
  if (sub.bundleId === null || sub.orderId === null) return [sub];
  const siblings = await repos.subscriptions.listByOrder(sub.orderId);
  return siblings.filter((s) => s.bundleId === sub.bundleId && !GONE.has(s.status));
}

/**
 * Extends every live part of a bundle (the kinds of one plan, or a built plan's locations) as one purchase: each
 * part as `kit.extend` would at its own price (its share of the plan's), in one transaction, so either every part is
 * extended and paid or none is (a part that cannot be extended now refuses the whole with its `EligibilityError`).
 * The parts keep one expiry. Happens once per key: a replay charges and queues nothing. Takes no discount code: a
 * code is for one purchase of one plan, which a bundle's parts are not each.
 */
export async function extendBundle(ctx: EngineContext, input: ExtendBundleRequest): Promise<ExtendBundleResult> {
  const request = parseInput(ExtendBundleRequestSchema, input, 'bundle extension');
  const now = ctx.clock.now();
  const run = () =>
    ctx.storage.transaction(async (tx) => {
      const sub = await tx.subscriptions.get(request.subscriptionId);
      if (sub === null) throw new NotFoundError('subscription', request.subscriptionId);
      const parts: ExtendResult[] = [];
      for (const part of await bundleParts(tx, sub)) {
        parts.push(await extendWithin(ctx, tx, { ...request, subscriptionId: part.id }, now));
      }
      return parts;
    });
  let parts: ExtendResult[];
  try {
    parts = await run();
  } catch (error) {
    // Lost a race to another submission of this key: that one stands; this reads as its replay.
    const key = extensionKey(request.subscriptionId, request.idempotencyKey);
    if (!(await refusedByFirstSubmission(ctx.storage, key, error))) throw error;
    parts = await run();
  }
  for (const part of parts) if (part.entry !== null) ctx.events.emit('ledger:appended', { entry: part.entry, at: now });
  return { parts, replayed: parts.every((p) => p.replayed) };
}
