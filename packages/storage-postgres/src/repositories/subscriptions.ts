import { ConflictError, NewSubscriptionSchema, NotFoundError, SUBSCRIPTION_STATUSES, SubscriptionPatchSchema, UsageReadingSchema, parseInput } from '@panelkit/sdk';
import type { NewSubscription, Subscription, SubscriptionPatch, SubscriptionRepository, SubscriptionStatus, UsageReading, UsageWriteResult } from '@panelkit/sdk';
import { insertSql, paramsOf, updateSql } from '../internal/columns.js';
import type { Call, RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import { asArray, asInteger, asKey, asRecord, definedFields, invalid } from '../internal/validate.js';
import { subscriptionQueries } from './subscription-queries.js';
import { SUBSCRIPTION_COLUMNS, subscriptionFromRow } from './subscription-rows.js';

function parseExpectedRevision(options: { expectedRevision: number }): number {
  const input = asRecord(options, 'update options');
  return asInteger(input['expectedRevision'], 'update options', 'expectedRevision', { min: 0, max: Number.MAX_SAFE_INTEGER });
}

/** What one page of readings does to one subscription: how many apply, and the final value. */
interface UsagePlan {
  applied: number;
  last: UsageReading;
}

/**
 * Applies readings in the order given against the stored `usageObservedAt`, as the memory
 * storage does one by one: a reading applies when it is newer than everything before it.
 */
function planUsage(readings: readonly UsageReading[], stored: ReadonlyMap<string, Date | null>): { plans: Map<string, UsagePlan>; ignored: number } {
  const plans = new Map<string, UsagePlan>();
  const latest = new Map<string, number>();
  let ignored = 0;
  for (const reading of readings) {
    if (!stored.has(reading.subscriptionId)) {
      ignored++;
      continue;
    }
    const seen = latest.get(reading.subscriptionId) ?? stored.get(reading.subscriptionId)?.getTime() ?? Number.NEGATIVE_INFINITY;
    const at = reading.observedAt.getTime();
    if (at <= seen) {
      ignored++;
      continue;
    }
    latest.set(reading.subscriptionId, at);
    const plan = plans.get(reading.subscriptionId);
    plans.set(reading.subscriptionId, { applied: (plan?.applied ?? 0) + 1, last: reading });
  }
  return { plans, ignored };
}

/** One statement writes the readings of up to this many subscriptions. */
const USAGE_CHUNK = 5000;

export function subscriptionRepository(context: RepositoryContext): SubscriptionRepository {
  const { runner, schema } = context;
  const table = `${schema}.subscriptions`;

  /** A usage page: lock the rows (in id order, so pages cannot deadlock), then one `UPDATE … FROM unnest(…)`. */
  async function writeUsage({ db }: Call, readings: readonly UsageReading[]): Promise<UsageWriteResult> {
    const ids = [...new Set(readings.map((r) => r.subscriptionId))].sort();
    const stored = new Map<string, Date | null>();
    for (let i = 0; i < ids.length; i += USAGE_CHUNK) {
      const { rows } = await db.query(`SELECT id, usage_observed_at FROM ${table} WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [
        ids.slice(i, i + USAGE_CHUNK),
      ]);
      for (const row of rows) stored.set(dec.text(row['id']), dec.timeOrNull(row['usage_observed_at']));
    }
    const { plans, ignored } = planUsage(readings, stored);
    const finals = [...plans.values()].map((p) => p.last);
    for (let i = 0; i < finals.length; i += USAGE_CHUNK) {
      const chunk = finals.slice(i, i + USAGE_CHUNK);
      await db.query(
        `UPDATE ${table} AS s SET used_bytes = r.used_bytes, usage_observed_at = r.observed_at
         FROM unnest($1::text[], $2::bigint[], $3::timestamptz[]) AS r(id, used_bytes, observed_at)
         WHERE s.id = r.id`,
        [chunk.map((r) => r.subscriptionId), chunk.map((r) => r.usedBytes), chunk.map((r) => enc.time(r.observedAt))],
      );
    }
    let applied = 0;
    for (const plan of plans.values()) applied += plan.applied;
    return { applied, ignored };
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
          invalid('subscription', 'targetId', `target ${parsed.targetId} is on panel ${String(target['panel_id'])}, not ${parsed.panelId}`);
        }
        const subscription: Subscription = { ...parsed, statusChangedAt: parsed.statusChangedAt ?? now, revision: 0, createdAt: now, updatedAt: now };
        return subscriptionFromRow((await db.query(insertSql(table, SUBSCRIPTION_COLUMNS), paramsOf(SUBSCRIPTION_COLUMNS, subscription))).rows[0]!);
      }),

    get: (id: string) =>
      runner.run(
        'subscriptions.get',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE id = $1`, [asKey(id, 'subscription id')]);
          return rows[0] === undefined ? null : subscriptionFromRow(rows[0]);
        },
        { read: true },
      ),

    getByUsername: (panelId: string, username: string) =>
      runner.run(
        'subscriptions.getByUsername',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE panel_id = $1 AND remote_username = $2`, [
            asKey(panelId, 'panel id'),
            asKey(username, 'username'),
          ]);
          return rows[0] === undefined ? null : subscriptionFromRow(rows[0]);
        },
        { read: true },
      ),

    /** Optimistic: the row is locked, its revision compared, and the write bumps it. */
    update: (id: string, patch: SubscriptionPatch, options: { expectedRevision: number }) =>
      runner.run('subscriptions.update', async ({ db, now }) => {
        const changes = definedFields(parseInput(SubscriptionPatchSchema, patch, 'subscription patch'));
        const expectedRevision = parseExpectedRevision(options);
        const key = asKey(id, 'subscription id');
        const { rows } = await db.query(`SELECT * FROM ${table} WHERE id = $1 FOR UPDATE`, [key]);
        if (rows[0] === undefined) throw new NotFoundError('subscription', key);
        const before = subscriptionFromRow(rows[0]);
        if (before.revision !== expectedRevision) {
          throw new ConflictError(`subscription ${before.id} is at revision ${before.revision}, not ${expectedRevision}`, {
            details: { id: before.id, revision: before.revision, expectedRevision },
          });
        }
        const statusChanged = changes.status !== undefined && changes.status !== before.status;
        const after: Subscription = {
          ...before,
          ...changes,
          statusChangedAt: changes.statusChangedAt ?? (statusChanged ? now : before.statusChangedAt),
          revision: before.revision + 1,
          updatedAt: now,
        };
        return subscriptionFromRow((await db.query(updateSql(table, SUBSCRIPTION_COLUMNS), paramsOf(SUBSCRIPTION_COLUMNS, after))).rows[0]!);
      }),

    recordUsage: (readings: readonly UsageReading[]) =>
      runner.run('subscriptions.recordUsage', async (call) => {
        const parsed = asArray(readings, 'usage readings', '(root)').map((reading, i) => parseInput(UsageReadingSchema, reading, `usage reading ${i}`));
        if (parsed.length === 0) return { applied: 0, ignored: 0 };
        return writeUsage(call, parsed);
      }),

    countByStatus: (filter?: { panelId?: string }) =>
      runner.run(
        'subscriptions.countByStatus',
        async ({ db }) => {
          const panelId = filter === undefined ? undefined : asRecord(filter, 'count filter')['panelId'];
          const panel = panelId === undefined ? null : asKey(panelId, 'count filter panelId');
          const { rows } = await db.query(`SELECT status, count(*) AS n FROM ${table} WHERE ($1::text IS NULL OR panel_id = $1) GROUP BY status`, [panel]);
          const counts = Object.fromEntries(SUBSCRIPTION_STATUSES.map((s) => [s, 0])) as Record<SubscriptionStatus, number>;
          for (const row of rows) counts[dec.text(row['status']) as SubscriptionStatus] = dec.int(row['n']);
          return counts;
        },
        { read: true },
      ),
  };
}
