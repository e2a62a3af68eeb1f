import { NotFoundError } from '@panelkit/sdk';
import { DEFAULT_GUARD_POLICY, guardHourOf, type GuardBucket, type GuardPolicy } from '@panelkit/sdk/rules';
import { inputKeys, parseGuardCaseQuery, parseGuardPolicyWrite, parseGuardReadings, parseGuardTransition } from '@panelkit/sdk/storage';
import type { GuardCase, GuardCaseQuery, GuardReadingRecord, GuardRepository, GuardTransition } from '@panelkit/sdk/storage';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc, type Row } from '../internal/sql.js';

const CASE_COLUMNS = 'subscription_id, step, step_seq, step_at, evidence, lifted_by, quiet_until, policy_version';

const caseOf = (r: Row): GuardCase => ({
  subscriptionId: dec.text(r['subscription_id']),
  step: dec.text(r['step']) as GuardCase['step'],
  stepSeq: dec.int(r['step_seq']),
  stepAt: dec.time(r['step_at']),
  evidence: dec.json(r['evidence']),
  liftedBy: dec.textOrNull(r['lifted_by']),
  quietUntil: dec.timeOrNull(r['quiet_until']),
  policyVersion: dec.int(r['policy_version']),
});

/**
 * The sharing guard in `{schema}.guard_policy`, `guard_signals` and `guard_cases`. A page of readings is one upsert
 * that merges each subscription's new hourly buckets into its stored ones and drops hours before the window; a
 * transition is one conditional statement on `step_seq` (an insert that does nothing on conflict for the first), so
 * of replicas racing from one `step_seq` exactly one writes.
 */
export function guardRepository({ runner, schema }: RepositoryContext): GuardRepository {
  const signals = `${schema}.guard_signals`;
  const cases = `${schema}.guard_cases`;
  const policyTable = `${schema}.guard_policy`;
  return {
    getPolicy: () =>
      runner.run(
        'guard.getPolicy',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT policy, version, updated_at FROM ${policyTable} WHERE id = 1`, []);
          const r = rows[0];
          if (r === undefined) return { policy: structuredClone(DEFAULT_GUARD_POLICY), version: 0, updatedAt: null };
          return { policy: dec.json<GuardPolicy>(r['policy']), version: dec.int(r['version']), updatedAt: dec.time(r['updated_at']) };
        },
        { read: true },
      ),
    setPolicy: (policy: GuardPolicy, expectedVersion: number) =>
      runner.run(
        'guard.setPolicy',
        async ({ db, now }) => {
          const w = parseGuardPolicyWrite(policy, expectedVersion);
          const updated = await db.query(
            w.expectedVersion === 0
              ? `INSERT INTO ${policyTable} (id, policy, version, updated_at) VALUES (1, $1::jsonb, 1, $2::timestamptz)
                 ON CONFLICT (id) DO NOTHING RETURNING version, updated_at`
              : `UPDATE ${policyTable} SET policy = $1::jsonb, version = version + 1, updated_at = $2::timestamptz
                 WHERE id = 1 AND version = $3 RETURNING version, updated_at`,
            w.expectedVersion === 0 ? [enc.json(w.policy), enc.time(now)] : [enc.json(w.policy), enc.time(now), w.expectedVersion],
          );
          const r = updated.rows[0];
          return r === undefined ? null : { policy: w.policy, version: dec.int(r['version']), updatedAt: dec.time(r['updated_at']) };
        },
        { single: true },
      ),
    recordReadings: (readings: readonly GuardReadingRecord[], windowHours: number) =>
      runner.run(
        'guard.recordReadings',
        async ({ db, now }) => {
          const page = parseGuardReadings(readings, windowHours);
          if (page.readings.length === 0) return;
          const fromHour = guardHourOf(now) - page.windowHours;
          await db.query(
            `WITH r AS (
               SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::bool[], $5::int[]) AS r(sid, at, prefixes, over, hour)
             ), hours AS (
               SELECT sid, hour, count(*)::int AS readings, count(*) FILTER (WHERE over)::int AS over, max(prefixes) AS max_prefixes
               FROM r WHERE prefixes IS NOT NULL AND hour >= $6 GROUP BY sid, hour
             ), subs AS (
               SELECT sid, max(at) FILTER (WHERE prefixes IS NOT NULL) AS last_reading_at, max(at) FILTER (WHERE prefixes IS NULL) AS last_null_at
               FROM r GROUP BY sid
             )
             INSERT INTO ${signals} AS t (subscription_id, buckets, last_reading_at, last_null_at)
             SELECT s.sid,
                    coalesce((SELECT jsonb_agg(jsonb_build_object('hour', h.hour, 'readings', h.readings, 'over', h.over, 'maxPrefixes', h.max_prefixes) ORDER BY h.hour)
                              FROM hours h WHERE h.sid = s.sid), '[]'::jsonb),
                    s.last_reading_at, s.last_null_at
             FROM subs s ORDER BY s.sid
             ON CONFLICT (subscription_id) DO UPDATE SET
               buckets = (
                 SELECT coalesce(jsonb_agg(jsonb_build_object('hour', m.hour, 'readings', m.readings, 'over', m.over, 'maxPrefixes', m.max_prefixes) ORDER BY m.hour), '[]'::jsonb)
                 FROM (
                   SELECT (e->>'hour')::int AS hour, sum((e->>'readings')::int)::int AS readings, sum((e->>'over')::int)::int AS over,
                          max((e->>'maxPrefixes')::int) AS max_prefixes
                   FROM jsonb_array_elements(t.buckets || EXCLUDED.buckets) AS e
                   WHERE (e->>'hour')::int >= $6
                   GROUP BY 1
                 ) m
               ),
               last_reading_at = greatest(t.last_reading_at, EXCLUDED.last_reading_at),
               last_null_at = greatest(t.last_null_at, EXCLUDED.last_null_at)`,
            [
              page.readings.map((r) => r.subscriptionId),
              page.readings.map((r) => enc.time(r.at)),
              page.readings.map((r) => r.prefixes),
              page.readings.map((r) => r.over),
              page.readings.map((r) => guardHourOf(r.at)),
              fromHour,
            ],
          );
        },
        { single: true },
      ),
    signals: (subscriptionIds: readonly string[]) =>
      runner.run(
        'guard.signals',
        async ({ db }) => {
          const ids = inputKeys(subscriptionIds, 'guard signals', 1000);
          const { rows } = await db.query(
            `SELECT subscription_id, buckets, last_reading_at, last_null_at FROM ${signals} WHERE subscription_id = ANY($1::text[]) ORDER BY subscription_id`,
            [ids],
          );
          return rows.map((r) => ({
            subscriptionId: dec.text(r['subscription_id']),
            buckets: dec.json<GuardBucket[]>(r['buckets']),
            lastReadingAt: dec.timeOrNull(r['last_reading_at']),
            lastNullAt: dec.timeOrNull(r['last_null_at']),
          }));
        },
        { read: true },
      ),
    cases: (subscriptionIds: readonly string[]) =>
      runner.run(
        'guard.cases',
        async ({ db }) => {
          const ids = inputKeys(subscriptionIds, 'guard cases', 1000);
          const { rows } = await db.query(
            `SELECT ${CASE_COLUMNS} FROM ${cases} WHERE subscription_id = ANY($1::text[]) ORDER BY subscription_id`,
            [ids],
          );
          return rows.map(caseOf);
        },
        { read: true },
      ),
    transition: (transition: GuardTransition) =>
      runner.run('guard.transition', async ({ db, now }) => {
        const t = parseGuardTransition(transition);
        const params = [
          t.subscriptionId,
          t.step,
          enc.time(now),
          enc.json(t.evidence),
          t.liftedBy,
          enc.timeOrNull(t.quietUntil),
          t.policyVersion,
          t.seenSeq,
        ];
        const { rows } = await db.query(
          t.seenSeq === 0
            ? `INSERT INTO ${cases} (${CASE_COLUMNS}) SELECT $1, $2, 1, $3::timestamptz, $4::jsonb, $5, $6::timestamptz, $7 WHERE $8::int = 0
               ON CONFLICT (subscription_id) DO NOTHING RETURNING ${CASE_COLUMNS}`
            : `UPDATE ${cases} SET step = $2, step_seq = step_seq + 1, step_at = $3::timestamptz, evidence = $4::jsonb,
                 lifted_by = coalesce($5, lifted_by), quiet_until = $6::timestamptz, policy_version = $7
               WHERE subscription_id = $1 AND step_seq = $8 RETURNING ${CASE_COLUMNS}`,
          params,
        );
        const moved = rows[0];
        if (moved === undefined) {
          // A stale seq, or a subscription that does not exist: only the second is an error.
          const exists = await db.query(`SELECT 1 FROM ${schema}.subscriptions WHERE id = $1`, [t.subscriptionId]);
          if (exists.rows.length === 0) throw new NotFoundError('subscription', t.subscriptionId);
          return null;
        }
        if (t.clearReadings) {
          await db.query(`UPDATE ${signals} SET buckets = '[]'::jsonb, last_reading_at = NULL WHERE subscription_id = $1`, [
            t.subscriptionId,
          ]);
        }
        return caseOf(moved);
      }),
    listCases: (query: GuardCaseQuery) =>
      runner.run(
        'guard.listCases',
        async ({ db }) => {
          const q = parseGuardCaseQuery(query);
          const { rows } = await db.query(
            `SELECT ${CASE_COLUMNS} FROM ${cases}
             WHERE ($1::text IS NULL OR step = $1) AND ($2::text IS NULL OR subscription_id > $2) ORDER BY subscription_id LIMIT $3`,
            [q.step ?? null, q.after ?? null, q.limit],
          );
          return rows.map(caseOf);
        },
        { read: true },
      ),
  };
}
