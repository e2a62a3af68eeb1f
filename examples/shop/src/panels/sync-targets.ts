import type { Panel, PanelAdapter, StoragePort, Target } from '@panelkit/sdk';

export interface TargetSyncResult {
  added: Target[];
  /** Stored targets the panel no longer lists (deleted or renamed inbounds); left for an admin to decide. */
  missing: Target[];
  total: number;
}

/**
 * Reads the panel's targets (inbounds, services) and stores each enabled one not yet known with
 * `capacity` slots (`null`: unlimited). Known targets keep their capacity and settings; running it again adds only
 * new ones. The first target of a panel without a default becomes its default.
 */
export async function syncTargets(
  storage: StoragePort,
  adapter: PanelAdapter,
  panel: Panel,
  capacity: number | null,
  signal: AbortSignal,
): Promise<TargetSyncResult> {
  const remote = await adapter.listTargets({ signal, idempotencyKey: `targets:${panel.id}` });
  const stored = await storage.targets.list({ panelId: panel.id });
  const known = new Set(stored.map((t) => t.remoteRef));
  const listed = new Set(remote.map((t) => t.remoteRef));
  let hasDefault = stored.some((t) => t.isDefault);
  const added: Target[] = [];
  for (const target of remote) {
    if (!target.enabled || known.has(target.remoteRef)) continue;
    added.push(
      await storage.targets.create({
        panelId: panel.id,
        remoteRef: target.remoteRef,
        name: target.name,
        protocol: target.protocol,
        remoteMeta: target.remoteMeta,
        capacity,
        isDefault: !hasDefault,
      }),
    );
    hasDefault = true;
  }
  return { added, missing: stored.filter((t) => !listed.has(t.remoteRef)), total: stored.length + added.length };
}
