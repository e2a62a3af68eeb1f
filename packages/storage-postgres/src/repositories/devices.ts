import { NotFoundError, createId } from '@panelkit/sdk';
import type { Device } from '@panelkit/sdk';
import { decideDeviceAccess } from '@panelkit/sdk/rules';
import { inputKey, parseDeviceRefresh, parseDeviceSeenQuery, parseDeviceTouch } from '@panelkit/sdk/storage';
import type {
  DeviceRefreshRequest,
  DeviceRepository,
  DeviceTouchRequest,
  ParsedDeviceRefresh,
  ParsedDeviceTouch,
} from '@panelkit/sdk/storage';
import type { SqlQueryable } from '../client.js';
import { rowLock } from '../internal/locks.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

function deviceFromRow(r: Row): Device {
  return {
    id: dec.text(r['id']),
    subscriptionId: dec.text(r['subscription_id']),
    hwid: dec.text(r['hwid']),
    platform: dec.textOrNull(r['platform']),
    osVersion: dec.textOrNull(r['os_version']),
    model: dec.textOrNull(r['model']),
    app: dec.textOrNull(r['app']),
    appVersion: dec.textOrNull(r['app_version']),
    userAgent: dec.textOrNull(r['user_agent']),
    firstSeenAt: dec.time(r['first_seen_at']),
    lastSeenAt: dec.time(r['last_seen_at']),
  };
}

/** The description columns' values a refresh writes, in `platform, os_version, model, app, app_version, user_agent` order. */
export function described(device: ParsedDeviceTouch['device']): unknown[] {
  return [device.platform, device.osVersion, device.model, device.app, device.appVersion, device.userAgent];
}

/**
 * The `UPDATE` of a refresh that may be spared its write (the rule of `refreshUnneeded`): each device of `known` (a
 * `WITH` query of device rows, read as `k`) is written only when seen at or before `seenAfter` or described anew, and
 * returned as written (`returning`: every column, or the list given). Its parameters start at `$first`: {@link described}'s
 * six values, then now, then `seenAfter`.
 */
export function refreshWhereDue(table: string, first: number, returning = 'd.*'): string {
  const p = (i: number) => `$${first + i}`;
  return `UPDATE ${table} d SET platform = ${p(0)}, os_version = ${p(1)}, model = ${p(2)}, app = ${p(3)}, app_version = ${p(4)},
      user_agent = ${p(5)}, last_seen_at = ${p(6)}::timestamptz
    FROM known k
    WHERE d.id = k.id AND (k.last_seen_at <= ${p(7)}::timestamptz
      OR (k.platform, k.os_version, k.model, k.app, k.app_version, k.user_agent)
         IS DISTINCT FROM (${p(0)}::text, ${p(1)}::text, ${p(2)}::text, ${p(3)}::text, ${p(4)}::text, ${p(5)}::text))
    RETURNING ${returning}`;
}

/**
 * A refresh's one `UPDATE`: no `BEGIN` alone, no savepoint in the caller's transaction. The registration's run is
 * optimistic too: the engine registers a device in its own transaction with the audit event, four statements fewer.
 */
const ONE_WRITE = { autocommit: true, optimistic: true } as const;

/**
 * The device registry as rows of `devices`, one per (subscription, hardware id). A known device is refreshed in
 * one statement, without a lock (what nearly every request is: an app refreshing its link). A new one is
 * registered in a transaction that locks the subscription's row (`FOR NO KEY UPDATE`, so a device's foreign-key
 * check does not wait on it), counts its devices and inserts: concurrent registrations on one subscription queue
 * on that row, so the limit holds across connections and replicas.
 */
export function deviceRepository({ runner, schema }: RepositoryContext): DeviceRepository {
  const table = `${schema}.devices`;
  const order = 'ORDER BY first_seen_at, id';

  const refresh = async (
    db: SqlQueryable,
    touch: Pick<ParsedDeviceTouch, 'subscriptionId' | 'device'>,
    now: Date,
  ): Promise<Device | null> => {
    const { rows } = await db.query(
      `UPDATE ${table} SET platform = $3, os_version = $4, model = $5, app = $6, app_version = $7, user_agent = $8,
         last_seen_at = $9::timestamptz
       WHERE subscription_id = $1 AND hwid = $2 RETURNING *`,
      [touch.subscriptionId, touch.device.hwid, ...described(touch.device), enc.time(now)],
    );
    return rows[0] === undefined ? null : deviceFromRow(rows[0]);
  };

  /**
   * A refresh that may be spared its write (`seenAfter`, the rule of `refreshUnneeded`), still one statement: the
   * device read, written only when seen at or before `seenAfter` or described anew, and answered as written or as read.
   */
  const refreshUnlessSeen = async (db: SqlQueryable, request: ParsedDeviceRefresh, seenAfter: Date, now: Date): Promise<Device | null> => {
    const { rows } = await db.query(
      `WITH known AS (SELECT * FROM ${table} WHERE subscription_id = $1 AND hwid = $2),
       written AS (${refreshWhereDue(table, 3)})
       SELECT * FROM written UNION ALL SELECT * FROM known WHERE NOT EXISTS (SELECT FROM written)`,
      [request.subscriptionId, request.device.hwid, ...described(request.device), enc.time(now), enc.time(seenAfter)],
    );
    return rows[0] === undefined ? null : deviceFromRow(rows[0]);
  };

  return {
    touch: async (request: DeviceTouchRequest) => {
      const touch = parseDeviceTouch(request);
      const refreshed = await runner.run('devices.touch', ({ db, now }) => refresh(db, touch, now), ONE_WRITE);
      if (refreshed !== null) return { outcome: 'refreshed', device: refreshed };
      return runner.run(
        'devices.touch',
        async ({ db, now }) => {
          const locked = await db.query(`SELECT id FROM ${schema}.subscriptions WHERE id = $1 ${rowLock()}`, [touch.subscriptionId]);
          if (locked.rows[0] === undefined) throw new NotFoundError('subscription', touch.subscriptionId);
          const { rows } = await db.query(`SELECT hwid FROM ${table} WHERE subscription_id = $1`, [touch.subscriptionId]);
          const decision = decideDeviceAccess({
            terms: touch.terms,
            hwid: touch.device.hwid,
            registered: rows.map((r) => dec.text(r['hwid'])),
            panelHwids: touch.panelHwids,
          });
          if (decision.verdict === 'refuse') return { outcome: 'refused', reason: 'limit_reached', count: decision.count } as const;
          if (decision.verdict === 'refresh') {
            // Registered by another caller since the first statement looked.
            const device = await refresh(db, touch, now);
            return { outcome: 'refreshed', device: device! } as const;
          }
          const inserted = await db.query(
            `INSERT INTO ${table} (id, subscription_id, hwid, platform, os_version, model, app, app_version, user_agent,
             first_seen_at, last_seen_at)
           VALUES ($9, $1, $2, $3, $4, $5, $6, $7, $8, $10::timestamptz, $10::timestamptz) RETURNING *`,
            [touch.subscriptionId, touch.device.hwid, ...described(touch.device), createId('dev'), enc.time(now)],
          );
          return { outcome: 'registered', device: deviceFromRow(inserted.rows[0]!) } as const;
        },
        { optimistic: true },
      );
    },

    refresh: async (request: DeviceRefreshRequest) => {
      const touch = parseDeviceRefresh(request);
      const { seenAfter } = touch;
      return runner.run(
        'devices.refresh',
        ({ db, now }) => (seenAfter === null ? refresh(db, touch, now) : refreshUnlessSeen(db, touch, seenAfter, now)),
        ONE_WRITE,
      );
    },

    countSeen: (subscriptionIds: readonly string[], since: Date) =>
      runner.run(
        'devices.countSeen',
        async ({ db }) => {
          const query = parseDeviceSeenQuery(subscriptionIds, since);
          if (query.subscriptionIds.length === 0) return [];
          // Probes the (subscription_id, hwid) unique index a subscription, a few rows each. No index on last_seen_at:
          // it would make every app refresh's write touch an index (no longer heap-only) to serve one read a cycle.
          const { rows } = await db.query(
            `SELECT subscription_id, count(*)::int AS devices FROM ${table}
              WHERE subscription_id = ANY($1::text[]) AND last_seen_at >= $2::timestamptz
              GROUP BY subscription_id ORDER BY subscription_id`,
            [query.subscriptionIds, enc.time(query.since)],
          );
          return rows.map((r) => ({ subscriptionId: dec.text(r['subscription_id']), devices: dec.int(r['devices']) }));
        },
        { read: true },
      ),

    list: (subscriptionId: string) =>
      runner.run(
        'devices.list',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE subscription_id = $1 ${order}`, [
            inputKey(subscriptionId, 'subscription id'),
          ]);
          return rows.map(deviceFromRow);
        },
        { read: true },
      ),

    remove: (subscriptionId: string, deviceId: string) =>
      runner.run(
        'devices.remove',
        async ({ db }) => {
          const { rows } = await db.query(`DELETE FROM ${table} WHERE subscription_id = $1 AND id = $2 RETURNING *`, [
            inputKey(subscriptionId, 'subscription id'),
            inputKey(deviceId, 'device id'),
          ]);
          return rows[0] === undefined ? null : deviceFromRow(rows[0]);
        },
        { autocommit: true },
      ),

    removeAll: (subscriptionId: string) =>
      runner.run(
        'devices.removeAll',
        async ({ db }) => {
          const { rows } = await db.query(`DELETE FROM ${table} WHERE subscription_id = $1 RETURNING *`, [
            inputKey(subscriptionId, 'subscription id'),
          ]);
          return rows
            .map((r) => deviceFromRow(r))
            .sort((a, b) => a.firstSeenAt.getTime() - b.firstSeenAt.getTime() || (a.id < b.id ? -1 : 1));
        },
        { autocommit: true },
      ),
  };
}
