import { isDeepStrictEqual } from 'node:util';
import type { Actor } from '../domain/common.js';
import type { Target, TargetPatch } from '../domain/target.js';
import { ValidationError } from '../errors.js';
import type { RemoteTarget } from '../ports/panel.js';
import { ADMIN_ACTOR } from './admin-actor.js';
import type { EngineContext } from './context.js';

/** How `targets.sync` treats a panel's targets. */
export interface TargetSyncOptions {
  /** Client slots of each target it creates (`null`, the default: unlimited). Stored targets keep theirs. */
  capacity?: number | null;
  /**
   * Which of the panel's targets the shop sells, from everything the panel lists (disabled ones included);
   * default every enabled one. Stored targets the panel still lists but this leaves out are not touched.
   */
  select?: (targets: readonly RemoteTarget[]) => readonly RemoteTarget[];
  /** Recorded on the audit event. Default an admin. */
  actor?: Actor;
  /** Aborts the panel call (which also has the engine's panel call timeout). */
  signal?: AbortSignal;
}

/** What one `targets.sync` did. */
export interface TargetSyncResult {
  /** Targets stored now for the first time (enabled on the panel and selected). */
  added: Target[];
  /** Stored targets whose name, protocol, kinds or adapter data the panel now reports differently, as updated. */
  updated: Target[];
  /** Targets taken out of placement now (`provisioningEnabled: false`) because the panel no longer offers them. */
  retired: Target[];
  /**
   * Every stored target of the panel that it no longer lists or has disabled (those retired now and
   * earlier). Their clients are left as they are, for an admin to decide.
   */
  missing: Target[];
  /** How many targets the panel has in storage after the sync. */
  total: number;
}

/**
 * Reads a panel's targets (inbounds, services) through its adapter and brings storage in line, in one
 * transaction audited as `panel.targets_synced` when something changed:
 * - an enabled remote target not yet stored is created with `options.capacity`; the first target of a panel
 *   that has no default becomes its default;
 * - a stored one whose name, protocol or `remoteMeta` changed on the panel is updated; its capacity, tags,
 *   default flag and `provisioningEnabled` stay as the admin set them;
 * - a stored one the panel no longer lists, or lists as disabled, is retired: no new client is placed there.
 *   A retired target that comes back stays off until an admin turns it on again.
 *
 * Running it again with nothing changed on the panel changes nothing. Panel errors are thrown as the
 * adapter's typed errors (`PanelConnectionError`, `PanelAuthError`, …) and store nothing; two syncs of
 * one panel at once may end in a `ConflictError` for the second, which changes nothing.
 */
export async function syncTargets(ctx: EngineContext, panelId: string, options: TargetSyncOptions = {}): Promise<TargetSyncResult> {
  const capacity = options.capacity ?? null;
  if (capacity !== null && (!Number.isSafeInteger(capacity) || capacity < 0)) {
    throw new ValidationError('invalid target capacity: a whole number of slots, at least 0, or null', [
      { path: 'capacity', message: 'must be a whole number, at least 0' },
    ]);
  }
  const handle = await ctx.panels.get(panelId);
  const call = options.signal === undefined ? {} : { signal: options.signal };
  const listed = await ctx.panels.call(handle, `targets:${panelId}`, (c) => handle.adapter.listTargets(c), call);
  const selected = options.select ? options.select(listed) : listed.filter((t) => t.enabled);
  // A target that hands out no kind the shop sells (3x-ui's Telegram proxy inbound on a node) is not offered.
  const offered = new Map(selected.filter((t) => t.enabled && t.kinds?.length !== 0).map((t) => [t.remoteRef, t]));
  const listedRefs = new Set(listed.filter((t) => t.enabled).map((t) => t.remoteRef));
  const selectedRefs = new Set(selected.map((t) => t.remoteRef));

  return ctx.storage.transaction(async (tx) => {
    const stored = await tx.targets.list({ panelId });
    const known = new Set(stored.map((t) => t.remoteRef));
    let hasDefault = stored.some((t) => t.isDefault);
    const result: TargetSyncResult = { added: [], updated: [], retired: [], missing: [], total: 0 };
    for (const remote of offered.values()) {
      if (known.has(remote.remoteRef)) continue;
      const { remoteRef, name, protocol, remoteMeta } = remote;
      const kinds = [...(remote.kinds ?? ['xray'])];
      result.added.push(
        await tx.targets.create({ panelId, remoteRef, name, protocol, remoteMeta, kinds, capacity, isDefault: !hasDefault }),
      );
      hasDefault = true;
    }
    for (const target of stored) {
      const remote = offered.get(target.remoteRef);
      if (remote !== undefined) {
        const patch = changes(target, remote);
        if (patch !== null) result.updated.push(await tx.targets.update(target.id, patch));
        continue;
      }
      // A target the panel still offers but the host did not select is none of this sync's business.
      if (listedRefs.has(target.remoteRef) && !selectedRefs.has(target.remoteRef)) continue;
      if (target.provisioningEnabled) {
        const retired = await tx.targets.update(target.id, { provisioningEnabled: false });
        result.retired.push(retired);
        result.missing.push(retired);
      } else {
        result.missing.push(target);
      }
    }
    result.total = stored.length + result.added.length;
    if (result.added.length + result.updated.length + result.retired.length > 0) {
      const { added, updated, retired, missing } = result;
      await tx.audit.append({
        actor: options.actor ?? ADMIN_ACTOR,
        action: 'panel.targets_synced',
        subjectType: 'panel',
        subjectId: panelId,
        data: { added: added.length, updated: updated.length, retired: retired.length, missing: missing.length },
      });
    }
    return result;
  });
}

/** What the panel reports differently about a stored target, or `null`. */
function changes(target: Target, remote: RemoteTarget): TargetPatch | null {
  const patch: TargetPatch = {};
  if (target.name !== remote.name) patch.name = remote.name;
  if (target.protocol !== remote.protocol) patch.protocol = remote.protocol;
  if (!isDeepStrictEqual(target.remoteMeta, remote.remoteMeta)) patch.remoteMeta = remote.remoteMeta;
  const kinds = remote.kinds ?? ['xray'];
  if (!isDeepStrictEqual(target.kinds, kinds)) patch.kinds = [...kinds];
  return Object.keys(patch).length === 0 ? null : patch;
}
