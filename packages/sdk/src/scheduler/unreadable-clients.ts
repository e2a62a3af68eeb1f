import type { AuditEvent } from '../domain/audit.js';
import type { UnreadableClient } from '../ports/panel.js';
import type { TickScope } from './tick-scope.js';

/**
 * The audit subject that keeps which of a panel's clients the last full usage sync could not read
 * (`subjectId`: the panel's id). Its newest event's `data.unreadable` is that set, as client keys.
 */
export const UNREADABLE_CLIENTS_SUBJECT = 'unreadable_clients';

/** The audit action written once when a client becomes unreadable (again, after it was readable). */
export const CLIENT_UNREADABLE_ACTION = 'panel.client_unreadable';

/** The audit action written when clients that could not be read are readable again (or gone). */
export const CLIENTS_READABLE_ACTION = 'panel.clients_readable';

/**
 * How an unreadable client is told apart from sync to sync: by its username when the panel told it,
 * else by its readable neighbours in the panel's order (its position shifts as clients come and go).
 */
export function unreadableClientKey(client: UnreadableClient): string {
  return client.username !== null ? `user:${client.username}` : `between:${client.after ?? ''}|${client.before ?? ''}`;
}

function keysOf(event: AuditEvent | undefined): string[] {
  const keys = event?.data['unreadable'];
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
}

/**
 * Records what one complete usage sync of a panel found unreadable, and returns the clients that were
 * not unreadable at the previous sync: those are announced (a `panel.client_unreadable` audit event each,
 * which hosts turn into a staff notice), once per client until it is readable again, whatever the
 * number of replicas and ticks. A change is written in one transaction; the replica that writes it is
 * the one that wins a tick named after the event it follows, so two replicas syncing one after the other
 * never announce one change twice.
 */
export async function recordUnreadableClients(
  scope: TickScope,
  panelId: string,
  found: readonly UnreadableClient[],
): Promise<UnreadableClient[]> {
  const byKey = new Map(found.map((client) => [unreadableClientKey(client), client]));
  const now = [...byKey.keys()].sort();
  return scope.ctx.storage.transaction(async (tx) => {
    const last = (await tx.audit.list({ subjectType: UNREADABLE_CLIENTS_SUBJECT, subjectId: panelId }, { cursor: null, limit: 1 }))
      .items[0];
    const before = new Set(keysOf(last));
    const appeared = now.filter((key) => !before.has(key));
    const cleared = [...before].filter((key) => !byKey.has(key)).sort();
    if (appeared.length === 0 && cleared.length === 0) return [];
    // One transition per previous state: the tick is new only for the first replica to write it.
    if (!(await tx.ticks.tryAcquire(`panelkit:unreadable:${panelId}:${last?.id ?? 'none'}`, new Date(0)))) return [];
    const base = { actor: scope.actor, subjectType: UNREADABLE_CLIENTS_SUBJECT, subjectId: panelId };
    if (cleared.length > 0) await tx.audit.append({ ...base, action: CLIENTS_READABLE_ACTION, data: { cleared, unreadable: now } });
    const announced: UnreadableClient[] = [];
    for (const key of appeared) {
      const client = byKey.get(key) as UnreadableClient;
      await tx.audit.append({
        ...base,
        action: CLIENT_UNREADABLE_ACTION,
        data: { key, ...client, unreadable: now },
      });
      announced.push(client);
    }
    return announced;
  });
}
