import type { AuditEvent } from '@panelkit/sdk';
import type { Shop } from '../stack/shop.js';
import { RELAYED_ACTIONS, noticesFor } from './audit-notices.js';
import { writeNotification } from './store.js';

/**
 * How far behind its position the relay looks again. An audit event's time is taken when its
 * transaction writes it, and a transaction may commit after a later one did; any that commits
 * within this window is still found. Events seen in the window are remembered, never relayed twice.
 */
export const RELAY_LOOKBACK_MS = 10 * 60_000;

const RELAY_NAME = 'audit';

interface AuditRow {
  id: string;
  at: Date | string;
  actor: AuditEvent['actor'] | string;
  action: string;
  subject_type: string;
  subject_id: string;
  data: AuditEvent['data'] | string;
}

const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

function toEvent(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    at: new Date(row.at),
    actor: json(row.actor),
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    data: json(row.data),
  };
}

/**
 * Turns the engine's audit events (its outbox, written in the transaction of every subscription,
 * ledger and panel change) into notification rows: unique per event, kind and recipient, so
 * replicas relaying at once, or a relay that crashed before saving its position, write each once.
 * The position is kept in `notification_relay`. Returns how many events it read.
 */
export async function relayAuditEvents(shop: Shop, options: { batch?: number } = {}): Promise<number> {
  const batch = options.batch ?? 200;
  const s = shop.shopSchema;
  const audit = `"${shop.config.schema}".audit_events`;
  let total = 0;
  for (;;) {
    const { rows: position } = await shop.db.query<{ position_at: Date | string }>(
      `SELECT position_at FROM ${s}.notification_relay WHERE name = $1`,
      [RELAY_NAME],
    );
    const from = position[0] === undefined ? new Date(0) : new Date(new Date(position[0].position_at).getTime() - RELAY_LOOKBACK_MS);
    const { rows } = await shop.db.query<AuditRow>(
      `SELECT e.* FROM ${audit} e
       WHERE e.at > $1 AND e.action = ANY($2::text[])
         AND NOT EXISTS (SELECT 1 FROM ${s}.notification_relayed_events r WHERE r.event_id = e.id)
       ORDER BY e.at, e.id LIMIT $3`,
      [from, [...RELAYED_ACTIONS], batch],
    );
    if (rows.length === 0) return total;
    const events = rows.map(toEvent);
    // Names and links are read outside the transaction (the engine's storage may share its one connection).
    const notices = await Promise.all(events.map(async (event) => ({ event, notices: await noticesFor(shop, event) })));
    const now = shop.clock.now();
    const last = events[events.length - 1] as AuditEvent;
    await shop.db.transaction(async (db) => {
      for (const { event, notices: list } of notices) {
        await db.query(`INSERT INTO ${s}.notification_relayed_events (event_id, at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
          event.id,
          event.at,
        ]);
        for (const notice of list) await writeNotification(db, s, now, { ...notice, source: `audit:${event.id}` });
      }
      await db.query(
        `INSERT INTO ${s}.notification_relay (name, position_at) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET position_at = greatest(${s}.notification_relay.position_at, excluded.position_at)`,
        [RELAY_NAME, last.at],
      );
      await db.query(`DELETE FROM ${s}.notification_relayed_events WHERE at < $1`, [new Date(last.at.getTime() - 2 * RELAY_LOOKBACK_MS)]);
    });
    total += events.length;
    if (rows.length < batch) return total;
  }
}
