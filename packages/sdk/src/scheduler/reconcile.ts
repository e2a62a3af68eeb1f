import type { NewJob } from '../domain/job.js';
import type { Panel } from '../domain/panel.js';
import { mtprotoSecretParts } from '../domain/entitlement.js';
import type { Subscription } from '../domain/subscription.js';
import { HAS_REMOTE_CLIENT } from '../domain/subscription-status.js';
import { toPanelkitError } from '../errors.js';
import type { RemoteClient } from '../ports/panel.js';
import { MAX_ROWS_PER_CALL } from '../ports/storage.js';
import type { EngineContext } from '../engine/context.js';
import { SCHEDULER_ACTOR } from '../engine/context.js';
import { enabledIn } from '../engine/desired-state.js';
import { JOB_TYPES, subscriptionJob, jobAttempts } from '../engine/job-types.js';
import { writeSerialKey } from '../engine/serial-keys.js';
import { pages } from '../engine/paging.js';

/** A field on which a panel's client differs from the stored subscription. */
/**
 * What differs between a stored subscription and its client on the panel. `credentials`: a WireGuard peer's public key
 * or a Telegram proxy's secret core is not the one the shop derived (an admin changed it on the panel): the buyer's
 * config no longer works. It is reported for an admin to act on; the repair leaves it, since mending it means new
 * credentials on the panel and the buyer importing again.
 */
export type DriftField = 'expiry' | 'trafficLimit' | 'enabled' | 'credentials';

/** What reconciliation found on one panel. */
export interface PanelReconciliation {
  panelId: string;
  /** Clients the panel has. */
  remoteClients: number;
  /** Clients on the panel that storage does not know (or knows as terminated/failed). */
  orphans: { username: string; targetRef: string; ours: boolean }[];
  /** Subscriptions that should have a client and have none. */
  missing: string[];
  /** Subscriptions whose client differs from storage. */
  drifted: { subscriptionId: string; fields: DriftField[] }[];
  /** Set when the panel could not be read. */
  error: string | null;
}

/** What `kit.reconcile` found on every panel it checked, and the repairs it queued. */
export interface ReconciliationReport {
  at: Date;
  panels: PanelReconciliation[];
  /** Repair jobs queued (only with `repair: true`). */
  repairsQueued: number;
}

/** Clock differences below this are panel rounding (seconds), not drift. */
const EXPIRY_TOLERANCE_MS = 1_000;

function driftOf(sub: Subscription, client: RemoteClient, enforces: { expiry: boolean; limit: boolean }): DriftField[] {
  const fields: DriftField[] = [];
  if (sub.expiresAt !== null) {
    if (client.expiry.type !== 'at' || Math.abs(client.expiry.at.getTime() - sub.expiresAt.getTime()) > EXPIRY_TOLERANCE_MS)
      fields.push('expiry');
  } else if (client.expiry.type === 'at') fields.push('expiry');
  if (client.trafficLimitBytes !== sub.trafficLimitBytes) fields.push('trafficLimit');
  const wanted = enabledIn(sub.status);
  // A panel that disables expired or exhausted clients itself is right to have them disabled.
  const panelDisabledItself =
    !client.enabled && ((sub.status === 'expired' && enforces.expiry) || (sub.status === 'limited' && enforces.limit));
  if (client.enabled !== wanted && !panelDisabledItself) fields.push('enabled');
  if (!sameCredentials(sub, client)) fields.push('credentials');
  return fields;
}

/** Whether the panel's WireGuard public key and Telegram secret core, where it reports them, are the stored ones. */
function sameCredentials(sub: Subscription, client: RemoteClient): boolean {
  const key = client.wireguard?.publicKey;
  if (key !== undefined && sub.remote.wireguard !== undefined && key !== sub.remote.wireguard.publicKey) return false;
  const secret = client.mtproto?.secret;
  if (secret === undefined || sub.remote.mtproto === undefined) return true;
  return mtprotoSecretParts(secret)?.core === sub.remote.mtproto.secretCore;
}

async function reconcilePanel(ctx: EngineContext, panel: Panel, repair: boolean): Promise<{ result: PanelReconciliation; queued: number }> {
  const result: PanelReconciliation = { panelId: panel.id, remoteClients: 0, orphans: [], missing: [], drifted: [], error: null };
  let queued = 0;
  try {
    const handle = ctx.panels.handleFor(panel);
    const remote = new Map<string, RemoteClient>();
    let cursor: string | null = null;
    do {
      const page = await ctx.panels.call(handle, `reconcile:${panel.id}`, (c) => handle.adapter.listClients({ cursor, limit: 500 }, c));
      for (const client of page.items) remote.set(client.ref.username, client);
      cursor = page.nextCursor;
    } while (cursor !== null);
    result.remoteClients = remote.size;
    const caps = handle.adapter.capabilities;
    const known = new Set<string>();
    const repairs: Array<{ type: typeof JOB_TYPES.push | typeof JOB_TYPES.remove; sub: Subscription }> = [];
    for await (const sub of pages((p) => ctx.storage.subscriptions.listByPanel(panel.id, {}, p))) {
      const client = remote.get(sub.remote.username);
      if (HAS_REMOTE_CLIENT.has(sub.status)) {
        known.add(sub.remote.username);
        if (client === undefined) {
          result.missing.push(sub.id);
          repairs.push({ type: JOB_TYPES.push, sub });
        } else {
          const fields = driftOf(sub, client, { expiry: caps.enforcesExpiry, limit: caps.enforcesTrafficLimit });
          if (fields.length > 0) {
            result.drifted.push({ subscriptionId: sub.id, fields });
            // A push sets expiry, limit and state; credentials alone it cannot mend (see `DriftField`).
            if (fields.some((field) => field !== 'credentials')) repairs.push({ type: JOB_TYPES.push, sub });
          }
        }
      } else if (sub.status === 'pending') {
        known.add(sub.remote.username); // its provisioning job will create or adopt it
      } else if (client !== undefined && sub.status === 'terminated') {
        repairs.push({ type: JOB_TYPES.remove, sub });
      }
    }
    const prefix = `${ctx.policy.identity.prefix ?? 'pk'}_`;
    for (const [username, client] of remote) {
      if (!known.has(username))
        result.orphans.push({ username, targetRef: client.ref.target.remoteRef, ours: username.startsWith(prefix) });
    }
    if (repair) {
      await ctx.storage.transaction(async (tx) => {
        queued = 0; // the storage may run this again after a serialisation failure
        const jobs: NewJob[] = [];
        for (const { type, sub } of repairs) {
          const serialKey = await writeSerialKey(ctx, tx, sub);
          jobs.push(subscriptionJob(type, sub.id, { subscriptionId: sub.id }, jobAttempts(ctx.policy), serialKey));
        }
        // Only clients with this shop's prefix are removed: another shop may share the panel.
        for (const orphan of result.orphans.filter((o) => o.ours)) {
          if (repairs.some((r) => r.sub.remote.username === orphan.username)) continue;
          jobs.push({
            type: JOB_TYPES.removeOrphan,
            payload: { panelId: panel.id, username: orphan.username, targetRef: orphan.targetRef },
            dedupeKey: `${JOB_TYPES.removeOrphan}:${panel.id}:${orphan.username}`,
            serialKey: await writeSerialKey(ctx, tx, { panelId: panel.id, remoteRef: orphan.targetRef }),
            maxAttempts: jobAttempts(ctx.policy),
          });
        }
        // The repairs in one write a thousand; a queued job of the key already stands for its repair: not a new one.
        for (let i = 0; i < jobs.length; i += MAX_ROWS_PER_CALL) {
          for (const { created } of await tx.jobs.enqueueMany(jobs.slice(i, i + MAX_ROWS_PER_CALL))) if (created) queued++;
        }
        await tx.audit.append({
          actor: SCHEDULER_ACTOR,
          action: 'panel.reconciled',
          subjectType: 'panel',
          subjectId: panel.id,
          data: { orphans: result.orphans.length, missing: result.missing.length, drifted: result.drifted.length, repairsQueued: queued },
        });
      });
    }
  } catch (error) {
    result.error = toPanelkitError(error).code;
  }
  return { result, queued };
}

/**
 * Compares every panel with storage: clients storage does not know, subscriptions missing on
 * their panel, and clients whose expiry, limit or enabled flag drifted. With `repair`, queues
 * jobs that push storage's state (recreating missing clients) and remove this shop's orphans.
 */
export async function reconcile(ctx: EngineContext, options: { repair?: boolean; panelId?: string } = {}): Promise<ReconciliationReport> {
  const panels = (await ctx.storage.panels.list()).filter((p) => options.panelId === undefined || p.id === options.panelId);
  const results = await Promise.all(panels.map((p) => reconcilePanel(ctx, p, options.repair ?? false)));
  return { at: ctx.clock.now(), panels: results.map((r) => r.result), repairsQueued: results.reduce((n, r) => n + r.queued, 0) };
}
