import type { EngineContext } from '../context.js';

/**
 * Whether the guard holds the subscription to its device limit on its link now: its case is at `limit` or `suspend`.
 * Then an app without a hardware id is refused (`hwid_required`) even under a `serve` no-id policy, since it cannot be
 * counted against the limit; a lifted case (`watching`), or one only warned, is served as its terms say.
 */
export async function guardHoldsDevices(ctx: EngineContext, subscriptionId: string): Promise<boolean> {
  const [found] = await ctx.storage.guard.cases([subscriptionId]);
  return found !== undefined && (found.step === 'limit' || found.step === 'suspend');
}
