import type { SecretBox, Subscription } from '@panelkit/sdk';
import type { ParsedSubscriptionUpdate } from '@panelkit/sdk/storage';
import { rowLock } from '../internal/locks.js';
import type { Call } from '../internal/runner.js';
import { enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';
import { subscriptionPatchColumns } from './subscription-rows.js';
import type { PatchColumn } from './subscription-rows.js';

/** Columns whose change moves a row's unique key (`(panel_id, remote_username)`, the latter generated from `remote`). */
const KEY_COLUMNS = new Set(['panel_id', 'remote']);

/**
 * `subscriptions.updateMany` in one statement. Each column any patch writes is two array parameters, its values
 * and whether each row's patch gives it, so rows with different patches share the statement (and its text depends
 * only on which columns are written, not on how many rows). The rows are locked in id order first (two calls on
 * overlapping rows wait for each other instead of deadlocking); the update then writes those still at their
 * expected revision; a row that moved on since the statement began is rechecked on its newest version, as
 * `update`'s is. Returns the written rows by id.
 */
export async function updateSubscriptionsAtOnce(
  { db, now }: Call,
  table: string,
  box: SecretBox | undefined,
  updates: readonly ParsedSubscriptionUpdate[],
  fromRow: (row: Row) => Subscription,
): Promise<Map<string, Subscription>> {
  const perRow = updates.map((u) => new Map(subscriptionPatchColumns(box, u.id, u.changes).map((c) => [c.name, c] as const)));
  const casts = new Map<string, string>();
  for (const columns of perRow) for (const { name, cast } of columns.values()) casts.set(name, cast);
  const names = [...casts.keys()].sort();
  const params: unknown[] = [updates.map((u) => u.id), updates.map((u) => u.expectedRevision), enc.time(now)];
  const unnested = ['$1::text[]', '$2::integer[]'];
  const aliases = ['id', 'expected'];
  const given = new Map<string, { value: string; given: string }>();
  for (const [i, name] of names.entries()) {
    params.push(
      perRow.map((columns) => (columns.get(name) as PatchColumn | undefined)?.value ?? null),
      perRow.map((columns) => columns.has(name)),
    );
    unnested.push(`$${params.length - 1}::${casts.get(name)}[]`, `$${params.length}::boolean[]`);
    aliases.push(`v${i}`, `g${i}`);
    given.set(name, { value: `u.v${i}`, given: `u.g${i}` });
  }
  const sets = names
    .filter((name) => name !== 'status_changed_at')
    .map((name) => `${name} = CASE WHEN ${given.get(name)!.given} THEN ${given.get(name)!.value} ELSE s.${name} END`);
  // statusChangedAt as the patch gives it; else now when the status the patch gives is not the row's.
  const moved: string[] = [];
  const at = given.get('status_changed_at');
  if (at !== undefined) moved.push(`WHEN ${at.given} THEN ${at.value}`);
  const status = given.get('status');
  if (status !== undefined) moved.push(`WHEN ${status.given} AND s.status <> ${status.value} THEN $3::timestamptz`);
  if (moved.length > 0) sets.push(`status_changed_at = CASE ${moved.join(' ')} ELSE s.status_changed_at END`);
  sets.push('revision = s.revision + 1', 'updated_at = $3::timestamptz');
  const lock = rowLock(names.some((name) => KEY_COLUMNS.has(name)));
  const { rows } = await db.query(
    `WITH u AS (
       SELECT * FROM unnest(${unnested.join(', ')}) AS u(${aliases.join(', ')})
     ), locked AS (
       SELECT s.id FROM ${table} AS s WHERE s.id = ANY($1::text[]) ORDER BY s.id ${lock}
     )
     UPDATE ${table} AS s SET ${sets.join(', ')}
     FROM u
     WHERE s.id = u.id AND s.revision = u.expected AND s.id IN (SELECT id FROM locked)
     RETURNING s.*`,
    params,
  );
  return new Map(rows.map((row) => [String(row['id']), fromRow(row)]));
}
