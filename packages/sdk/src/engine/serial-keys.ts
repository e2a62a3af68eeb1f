import type { Panel } from '../domain/panel.js';
import type { StorageRepositories } from '../ports/storage.js';
import type { EngineContext } from './context.js';

/** Where a job writes clients: a target by id, or by its remote reference (an orphan on the panel). */
export type WritePlace = { readonly panelId: string; readonly targetId: string } | { readonly panelId: string; readonly remoteRef: string };

/** The serialisation key of client writes on one target of one panel. */
export function targetSerialKey(panelId: string, remoteRef: string): string {
  return `panel:${panelId}|target:${remoteRef}`;
}

/**
 * Whether client writes on one target of `panel` must run one at a time (its adapter declares
 * `serialTargetWrites`). A panel whose adapter cannot be built is treated as one that must: running
 * one at a time is safe whatever the panel turns out to be.
 */
export function serialTargetWrites(ctx: EngineContext, panel: Panel): boolean {
  try {
    return ctx.panels.handleFor(panel).adapter.capabilities.serialTargetWrites === true;
  } catch {
    return true;
  }
}

/**
 * The serialisation key for a job that writes clients at `place`: the target's key when the
 * panel's adapter declares `serialTargetWrites`, else `null` (the job runs alongside any other).
 * Read in the caller's transaction. A panel whose adapter cannot be built gets the key: running
 * one at a time is safe whatever the panel turns out to be. An unknown panel or target gets none
 * (the job fails on its own).
 */
export async function writeSerialKey(ctx: EngineContext, tx: StorageRepositories, place: WritePlace): Promise<string | null> {
  const panel = await tx.panels.get(place.panelId);
  if (panel === null) return null;
  if (!serialTargetWrites(ctx, panel)) return null;
  if ('remoteRef' in place) return targetSerialKey(panel.id, place.remoteRef);
  const target = await tx.targets.get(place.targetId);
  return target === null ? null : targetSerialKey(panel.id, target.remoteRef);
}
