import { ConflictError, HAS_REMOTE_CLIENT, NotFoundError, SUBSCRIPTION_STATUSES } from '@panelkit/sdk';
import { MAX_ROWS_PER_CALL, MAX_USERNAMES_PER_LOOKUP, inputRows } from '@panelkit/sdk/storage';
import { NewSubscriptionSchema, SubscriptionPatchSchema, SubscriptionTermsSchema, UsageReadingSchema } from '@panelkit/sdk/schemas';
import {
  definedFields,
  inputArray,
  inputKey,
  inputKeys,
  invalidInput,
  parseExpectedRevision,
  parseInput,
  parsePanelIdFilter,
  parsePanelUsage,
  parseSubscriptionUpdates,
} from '@panelkit/sdk/storage';
import type {
  NewSubscription,
  PanelUsageReading,
  Subscription,
  SubscriptionPatch,
  SubscriptionStatus,
  SubscriptionTerms,
  UsageReading,
} from '@panelkit/sdk';
import type {
  PanelUsageOptions,
  PanelUsageWriteResult,
  SubscriptionRepository,
  SubscriptionUpdate,
  UsageWriteResult,
} from '@panelkit/sdk/storage';
import { columnsOf, insertManySql, insertSql } from '../internal/columns.js';
import { rowLock } from '../internal/locks.js';
import type { Call, RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';
import { subscriptionsWithPlaces } from './subscription-places.js';
import { subscriptionsWithCustomers } from './subscription-owners.js';
import { subscriptionQueries } from './subscription-queries.js';
import { updateSubscriptionsAtOnce } from './subscription-update-many.js';
import { SUBSCRIPTION_COLUMNS, subscriptionFromRow, subscriptionParams, subscriptionPatchSets } from './subscription-rows.js';

/**
 * The readings that can apply, in the order given: per subscription, each one newer than every
 * earlier reading for it in this page (the memory storage applies readings one by one, so a
 * reading not newer than an earlier one in the page is ignored whatever is stored). Their times
 * rise per subscription, so the database applies those newer than the stored `usageObservedAt`
 * and keeps the newest.
 */
function candidates(readings: readonly UsageReading[]): UsageReading[] {
  const latest = new Map<string, number>();
  const out: UsageReading[] = [];
  for (const reading of readings) {
    const at = reading.observedAt.getTime();
    const seen = latest.get(reading.subscriptionId);
    if (seen !== undefined && at <= seen) continue;
    latest.set(reading.subscriptionId, at);
    out.push(reading);
  }
  return out;
}

/** Readings per statement; bounded so one page of a huge sync does not make one huge statement. */
const USAGE_CHUNK = 10_000;

/** The statuses whose subscriptions have a client on their panel, as a text[] parameter. */
const WITH_CLIENT = [...HAS_REMOTE_CLIENT];

/**
 * An update is one statement (a read follows only when it wrote nothing): no BEGIN/COMMIT alone. It fails past its
 * checks only on a key or reference a patch moves (rare): no savepoint in a transaction.
 */
const optimistic = { autocommit: true, optimistic: true } as const;

export function subscriptionRepository(context: RepositoryContext): SubscriptionRepository {
  const { runner, schema, secretBox } = context;
  const table = `${schema}.subscriptions`;
  const fromRow = (r: Row) => subscriptionFromRow(r, secretBox);

  /**
   * One statement per page: lock the named rows in id order (so concurrent pages cannot
   * deadlock), keep the readings newer than what is stored, write the newest per row with
   * `UPDATE … FROM`, and count what applied. Unknown subscriptions simply match nothing.
   */
  async function writeUsage({ db }: Call, readings: readonly UsageReading[]): Promise<UsageWriteResult> {
    const rising = candidates(readings);
    let applied = 0;
    for (let i = 0; i < rising.length; i += USAGE_CHUNK) {
      const chunk = rising.slice(i, i + USAGE_CHUNK);
      const { rows } = await db.query(
        `WITH reading AS (
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::timestamptz[]) AS r(id, used_bytes, observed_at)
         ), stored AS (
           SELECT s.id, s.usage_observed_at FROM ${table} AS s
           WHERE s.id IN (SELECT id FROM reading) ORDER BY s.id ${rowLock()}
         ), newer AS (
           SELECT reading.* FROM reading JOIN stored USING (id)
           WHERE stored.usage_observed_at IS NULL OR reading.observed_at > stored.usage_observed_at
         ), written AS (
           UPDATE ${table} AS s SET used_bytes = n.used_bytes, usage_observed_at = n.observed_at
           FROM (SELECT DISTINCT ON (id) * FROM newer ORDER BY id, observed_at DESC) AS n
           WHERE s.id = n.id
           RETURNING s.id
         )
         SELECT (SELECT count(*) FROM newer) AS applied, (SELECT count(*) FROM written) AS written`,
        [chunk.map((r) => r.subscriptionId), chunk.map((r) => r.usedBytes), chunk.map((r) => enc.time(r.observedAt))],
      );
      applied += dec.int(rows[0]!['applied']);
    }
    return { applied, ignored: readings.length - applied };
  }

  /**
   * One statement a page of a panel's clients: the usernames are matched through the
   * `(panel_id, remote_username)` key, reading only the columns the write and the watch need; the
   * readings newer than the stored one are written and the rows to watch named. Nothing else of a row
   * leaves the server. The rows are not locked first (a lock is a WAL record and a page write per row):
   * the update takes each row's lock itself, in id order as the matches are sorted, and rechecks
   * `usage_observed_at` on the row's newest version when another writer got there first, so an older
   * reading never overwrites a newer one. A deadlock all the same reruns the statement (see the runner).
   */
  async function writePanelUsage(
    { db }: Call,
    panelId: string,
    readings: readonly PanelUsageReading[],
    observedAt: Date,
    watchPercent: number | null,
  ): Promise<PanelUsageWriteResult> {
    const { rows } = await db.query(
      `WITH matched AS (
         SELECT s.id, s.status, s.traffic_limit_bytes, s.remote_username, r.used_bytes
         FROM unnest($2::text[], $3::bigint[]) AS r(username, used_bytes)
         JOIN ${table} AS s ON s.panel_id = $1 AND s.remote_username = r.username
         WHERE s.status = ANY($5::text[])
         ORDER BY s.id
       ), written AS (
         UPDATE ${table} AS s SET used_bytes = m.used_bytes, usage_observed_at = $4
         FROM matched AS m
         WHERE s.id = m.id AND (s.usage_observed_at IS NULL OR s.usage_observed_at < $4)
         RETURNING s.id
       )
       SELECT (SELECT count(*) FROM matched) AS matched, (SELECT count(*) FROM written) AS applied,
         ARRAY(SELECT remote_username FROM matched
               WHERE status = 'on_hold'
                  OR (status = 'active' AND traffic_limit_bytes > 0 AND used_bytes * 100 >= traffic_limit_bytes * $6::float8)) AS watch`,
      [panelId, readings.map((r) => r.username), readings.map((r) => r.usedBytes), enc.time(observedAt), WITH_CLIENT, watchPercent],
    );
    const row = rows[0]!;
    const applied = dec.int(row['applied']);
    return { matched: dec.int(row['matched']), applied, ignored: 0, watch: row['watch'] as string[] };
  }

  return {
    ...subscriptionQueries(context),

    create: (input: NewSubscription & { id: string }) =>
      runner.run('subscriptions.create', async ({ db, now }) => {
        const parsed = parseInput(NewSubscriptionSchema, input, 'subscription');
        // The target is checked first: one on another panel is a ValidationError, not a missing row.
        const target = (await db.query(`SELECT panel_id FROM ${schema}.targets WHERE id = $1`, [parsed.targetId])).rows[0];
        if (target === undefined) throw new NotFoundError('target', parsed.targetId);
        if (target['panel_id'] !== parsed.panelId) {
          invalidInput(
            'subscription',
            'targetId',
            `target ${parsed.targetId} is on panel ${String(target['panel_id'])}, not ${parsed.panelId}`,
          );
        }
        const subscription: Subscription = {
          ...parsed,
          statusChangedAt: parsed.statusChangedAt ?? now,
          revision: 0,
          createdAt: now,
          updatedAt: now,
        };
        return fromRow((await db.query(insertSql(table, SUBSCRIPTION_COLUMNS), subscriptionParams(secretBox, subscription))).rows[0]!);
      }),

    /**
     * One query for the targets (each must be on its subscription's panel), then one multi-row insert: a
     * taken id or username anywhere fails the statement, so it is all or none.
     */
    createMany: (inputs: readonly (NewSubscription & { id: string })[]) =>
      runner.run('subscriptions.createMany', async ({ db, now }) => {
        const parsed = inputRows(inputs, 'subscriptions').map((input) => parseInput(NewSubscriptionSchema, input, 'subscription'));
        if (parsed.length === 0) return [];
        const targetIds = [...new Set(parsed.map((s) => s.targetId))];
        const { rows: targets } = await db.query(`SELECT id, panel_id FROM ${schema}.targets WHERE id = ANY($1::text[])`, [targetIds]);
        const panelOf = new Map(targets.map((t) => [String(t['id']), String(t['panel_id'])]));
        for (const s of parsed) {
          const panelId = panelOf.get(s.targetId);
          if (panelId === undefined) throw new NotFoundError('target', s.targetId);
          if (panelId !== s.panelId)
            invalidInput('subscription', 'targetId', `target ${s.targetId} is on panel ${panelId}, not ${s.panelId}`);
        }
        const rowsOfParams = parsed.map((s) =>
          subscriptionParams(secretBox, { ...s, statusChangedAt: s.statusChangedAt ?? now, revision: 0, createdAt: now, updatedAt: now }),
        );
        const { rows } = await db.query(insertManySql(table, SUBSCRIPTION_COLUMNS), columnsOf(SUBSCRIPTION_COLUMNS.length, rowsOfParams));
        // RETURNING gives no order guarantee: match the rows back by id.
        const stored = new Map(rows.map((row) => [String(row['id']), fromRow(row)]));
        return parsed.map((s) => stored.get(s.id)!);
      }),

    getMany: (ids: readonly string[]) =>
      runner.run(
        'subscriptions.getMany',
        async ({ db }) => {
          const keys = inputKeys(ids, 'subscription ids', MAX_ROWS_PER_CALL);
          if (keys.length === 0) return [];
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE id = ANY($1::text[])`, [keys]);
          return rows.map(fromRow);
        },
        { read: true },
      ),

    getManyWithPlaces: subscriptionsWithPlaces(context),

    getManyWithCustomers: subscriptionsWithCustomers(context),

    get: (id: string) =>
      runner.run(
        'subscriptions.get',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE id = $1`, [inputKey(id, 'subscription id')]);
          return rows[0] === undefined ? null : fromRow(rows[0]);
        },
        { read: true },
      ),

    getByUsername: (panelId: string, username: string) =>
      runner.run(
        'subscriptions.getByUsername',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE panel_id = $1 AND remote_username = $2`, [
            inputKey(panelId, 'panel id'),
            inputKey(username, 'username'),
          ]);
          return rows[0] === undefined ? null : fromRow(rows[0]);
        },
        { read: true },
      ),

    getByUsernames: (panelId: string, usernames: readonly string[]) =>
      runner.run(
        'subscriptions.getByUsernames',
        async ({ db }) => {
          const names = inputKeys(usernames, 'usernames', MAX_USERNAMES_PER_LOOKUP);
          if (names.length === 0) return [];
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE panel_id = $1 AND remote_username = ANY($2::text[])`, [
            inputKey(panelId, 'panel id'),
            names,
          ]);
          return rows.map(fromRow);
        },
        { read: true },
      ),

    /**
     * Optimistic, in one statement: the patched columns are written where the row is at the expected
     * revision (PostgreSQL locks it as the written columns need: `FOR UPDATE` only when one is of a
     * unique key). Only when no row was written does one read tell a missing row from a stale revision.
     */
    update: (id: string, patch: SubscriptionPatch, options: { expectedRevision: number }) =>
      runner.run(
        'subscriptions.update',
        async ({ db, now }) => {
          const changes = definedFields(parseInput(SubscriptionPatchSchema, patch, 'subscription patch'));
          const expectedRevision = parseExpectedRevision(options);
          const key = inputKey(id, 'subscription id');
          const patched = subscriptionPatchSets(secretBox, key, changes, 4);
          const sets = [...patched.sets, 'revision = revision + 1', 'updated_at = $3::timestamptz'];
          const params = [key, expectedRevision, enc.time(now), ...patched.params];
          if (changes.status !== undefined && changes.statusChangedAt === undefined) {
            // Compared with the status the row had: a change moves statusChangedAt to now.
            params.push(changes.status);
            sets.push(`status_changed_at = CASE WHEN status = $${params.length}::text THEN status_changed_at ELSE $3::timestamptz END`);
          }
          const { rows } = await db.query(`UPDATE ${table} SET ${sets.join(', ')} WHERE id = $1 AND revision = $2 RETURNING *`, params);
          if (rows[0] !== undefined) return fromRow(rows[0]);
          const stored = (await db.query(`SELECT revision FROM ${table} WHERE id = $1`, [key])).rows[0];
          if (stored === undefined) throw new NotFoundError('subscription', key);
          const revision = dec.int(stored['revision']);
          throw new ConflictError(`subscription ${key} is at revision ${revision}, not ${expectedRevision}`, {
            details: { id: key, revision, expectedRevision },
          });
        },
        optimistic,
      ),

    /** One statement whatever the rows' patches (see `updateSubscriptionsAtOnce`); no read after it. */
    updateMany: (updates: readonly SubscriptionUpdate[]) =>
      runner.run(
        'subscriptions.updateMany',
        async (call) => {
          const parsed = parseSubscriptionUpdates(updates);
          if (parsed.length === 0) return [];
          const written = await updateSubscriptionsAtOnce(call, table, secretBox, parsed, fromRow);
          return parsed.map((u) => written.get(u.id) ?? null);
        },
        optimistic,
      ),

    recordUsage: (readings: readonly UsageReading[]) =>
      runner.run('subscriptions.recordUsage', async (call) => {
        const parsed = inputArray(readings, 'usage readings', '(root)').map((reading, i) =>
          parseInput(UsageReadingSchema, reading, `usage reading ${i}`),
        );
        if (parsed.length === 0) return { applied: 0, ignored: 0 };
        return writeUsage(call, parsed);
      }),

    recordPanelUsage: (panelId: string, readings: readonly PanelUsageReading[], options: PanelUsageOptions) =>
      runner.run(
        'subscriptions.recordPanelUsage',
        async (call) => {
          const input = parsePanelUsage(panelId, readings, options);
          if (input.readings.length === 0) return { matched: 0, applied: 0, ignored: readings.length, watch: [] };
          const result = await writePanelUsage(call, input.panelId, input.readings, input.observedAt, input.watchPercent);
          return { ...result, ignored: readings.length - result.applied };
        },
        { autocommit: true },
      ),

    countByStatus: (filter?: { panelId?: string }) =>
      runner.run(
        'subscriptions.countByStatus',
        async ({ db }) => {
          const panel = parsePanelIdFilter(filter, 'count filter') ?? null;
          const { rows } = await db.query(
            `SELECT status, count(*) AS n FROM ${table} WHERE ($1::text IS NULL OR panel_id = $1) GROUP BY status`,
            [panel],
          );
          const counts = Object.fromEntries(SUBSCRIPTION_STATUSES.map((s) => [s, 0])) as Record<SubscriptionStatus, number>;
          for (const row of rows) counts[dec.text(row['status']) as SubscriptionStatus] = dec.int(row['n']);
          return counts;
        },
        { read: true },
      ),

    countOnOtherTerms: (planId: string, terms: SubscriptionTerms) =>
      runner.run(
        'subscriptions.countOnOtherTerms',
        async ({ db }) => {
          // jsonb equality compares values, not key order; terms are stored as parsed, so parse these the same way.
          const current = parseInput(SubscriptionTermsSchema, terms, 'subscription terms');
          const { rows } = await db.query(
            `SELECT count(*) AS n FROM ${table}
              WHERE plan_id = $1 AND status <> 'terminated' AND terms IS NOT NULL AND terms <> $2::jsonb`,
            [inputKey(planId, 'plan id'), JSON.stringify(current)],
          );
          return dec.int(rows[0]?.['n']);
        },
        { read: true },
      ),
  };
}
