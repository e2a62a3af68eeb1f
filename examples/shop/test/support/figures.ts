import type { Panelkit } from '@panelkit/sdk';

/**
 * Brings the owner figures up to the rows written so far: the first call on a new shop starts the SDK's rebuild
 * (its meta is not set yet), the worker (`run`: drain it, or let a served shop's background do it) pages the
 * customers into the inbox, and `foldNow` folds them. Throws when they never catch up.
 */
export async function figuresCaughtUp(kit: Panelkit, run: () => Promise<unknown>): Promise<void> {
  for (let round = 0; round < 50; round++) {
    await kit.figures.foldNow();
    const status = await kit.figures.status();
    if (!status.rebuilding && status.pending === 0 && status.foldedAt !== null) return;
    await run();
  }
  throw new Error('the owner figures never caught up with the rows');
}
