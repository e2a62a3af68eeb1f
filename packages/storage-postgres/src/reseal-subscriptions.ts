import { SecretKeyError } from '@panelkit/sdk';
import { isStoredSealedSecret } from '@panelkit/sdk/storage';
import type { SecretBox } from '@panelkit/sdk';
import type { SqlClient } from './client.js';
import type { Row } from './internal/sql.js';
import { subscriptionFromRow } from './repositories/subscription-rows.js';
import { sealSubscriptionSecrets } from './repositories/subscription-secrets.js';
import type { ResealResult } from './reseal.js';

const BATCH = 500;

/**
 * The key id of each credential value of the row `alias`, `'plain'` for one not sealed, as SQL: one
 * entry per column of `SUBSCRIPTION_SECRET_COLUMNS` (NULL where a row has no client id or URL, or no share links:
 * an empty `share_links` is stored as `[]`, see `subscription-secrets.ts`).
 */
function keyOfValue(alias: string): string {
  const jsonb = (column: string) =>
    `(CASE WHEN ${alias}.${column} ? 'sealed' THEN split_part(${alias}.${column} ->> 'sealed', '.', 2) WHEN ${alias}.${column} = '[]'::jsonb THEN NULL ELSE 'plain' END)`;
  const text = (column: string) =>
    `(CASE WHEN ${alias}.${column} IS NULL THEN NULL WHEN ${alias}.${column} LIKE 'pk1.%' THEN split_part(${alias}.${column}, '.', 2) ELSE 'plain' END)`;
  return `(VALUES ${jsonb('remote')}, ${text('remote_client_id')}, ${text('subscription_url')}, ${jsonb('share_links')}) AS v(key_id)`;
}

/** How many credential values each key id seals (`plain` for unsealed ones), in one scan of the table. */
async function countByKey(client: SqlClient, table: string): Promise<Record<string, number>> {
  const { rows } = await client.query<{ key_id: string; n: string }>(
    `SELECT key_id, count(*) AS n FROM ${table} s, LATERAL ${keyOfValue('s')} WHERE key_id IS NOT NULL GROUP BY key_id`,
  );
  return Object.fromEntries(rows.map((r) => [r.key_id, Number(r.n)]));
}

/** Opens one whole row sealed (at least partly) under each key in use, so a wrong key under a known id is found at start-up. */
async function checkKeysOpen(client: SqlClient, table: string, box: SecretBox, keyIds: readonly string[]): Promise<void> {
  for (const keyId of keyIds) {
    if (!box.keyIds.includes(keyId)) {
      throw new SecretKeyError(
        `subscription credentials are sealed with key ${keyId}, which is not among the keys given (${box.keyIds.join(', ')})`,
      );
    }
    const { rows } = await client.query(
      `SELECT * FROM ${table} WHERE id = (SELECT s.id FROM ${table} s, LATERAL ${keyOfValue('s')} WHERE key_id = $1 LIMIT 1)`,
      [keyId],
    );
    if (rows[0] !== undefined) subscriptionFromRow(rows[0], box);
  }
}

/**
 * Replaces the credentials of one row by the same values sealed with the current key, if the row
 * still holds what was read: a conditional UPDATE on the four columns. Returns whether it wrote.
 */
async function resealRow(client: SqlClient, table: string, box: SecretBox, row: Row): Promise<boolean> {
  const subscription = subscriptionFromRow(row, box);
  const next = sealSubscriptionSecrets(box, subscription);
  const { rows: changed } = await client.query(
    `UPDATE ${table} SET remote = $2::jsonb, remote_client_id = $3, subscription_url = $4, share_links = $5::jsonb
      WHERE id = $1 AND remote = $6::jsonb AND remote_client_id IS NOT DISTINCT FROM $7
        AND subscription_url IS NOT DISTINCT FROM $8 AND share_links = $9::jsonb
      RETURNING id`,
    [
      subscription.id,
      next.remote,
      next.remote_client_id,
      next.subscription_url,
      next.share_links,
      JSON.stringify(row['remote']),
      row['remote_client_id'] ?? null,
      row['subscription_url'] ?? null,
      JSON.stringify(row['share_links']),
    ],
  );
  return changed.length === 1;
}

/**
 * Seals the credentials of rows that still hold plain values, and with `rotate` re-seals values under
 * an older key, in batches of {@link BATCH} in id order. Each row is replaced by a conditional UPDATE
 * that matches the four columns as they were read. A row changed meanwhile is read again and, if it
 * still holds a stale value, sealed again: the engine seals only the fields it writes and keeps the
 * others as stored, so a concurrent write can leave an old-key value beside its new ones.
 */
async function resealRows(client: SqlClient, table: string, box: SecretBox, rotate: boolean): Promise<{ sealed: number; rotated: number }> {
  const needsWork = rotate ? `key_id = 'plain' OR key_id <> $2` : `key_id = 'plain'`;
  const stale = (where: string, params: unknown[], tail = '') =>
    client.query<Row>(
      `SELECT * FROM ${table} s WHERE ${where} AND EXISTS (SELECT 1 FROM ${keyOfValue('s')} WHERE ${needsWork}) ${tail}`,
      rotate ? [params[0], box.currentKeyId] : params,
    );
  const done = { sealed: 0, rotated: 0 };
  let after = '';
  for (;;) {
    const { rows } = await stale('s.id > $1', [after], `ORDER BY s.id LIMIT ${BATCH}`);
    for (const first of rows) {
      let row: Row | undefined = first;
      while (row !== undefined && !(await resealRow(client, table, box, row))) {
        row = (await stale('s.id = $1', [row['id']])).rows[0];
      }
      if (row === undefined) continue;
      if (isStoredSealedSecret(row['remote'])) done.rotated += 1;
      else done.sealed += 1;
    }
    if (rows.length < BATCH) return done;
    after = String(rows.at(-1)!['id']);
  }
}

/**
 * The subscriptions' part of `resealSecrets`: counts the sealed values by key in one scan, checks
 * every key in use is given and opens a row under it, then seals plain rows and (with `rotate`)
 * re-seals rows under older keys. Counts are per row for `sealed`/`rotated` and per value for `byKey`.
 */
export async function resealSubscriptionSecrets(
  client: SqlClient,
  schemaTable: string,
  box: SecretBox,
  rotate: boolean,
): Promise<Pick<ResealResult, 'checked' | 'sealed' | 'rotated' | 'byKey'>> {
  const before = await countByKey(client, schemaTable);
  await checkKeysOpen(
    client,
    schemaTable,
    box,
    Object.keys(before).filter((k) => k !== 'plain'),
  );
  const checked = Object.values(before).reduce((sum, n) => sum + n, 0);
  const stale = Object.keys(before).some((k) => k === 'plain' || (rotate && k !== box.currentKeyId));
  if (!stale) return { checked, sealed: 0, rotated: 0, byKey: before };
  const { sealed, rotated } = await resealRows(client, schemaTable, box, rotate);
  return { checked, sealed, rotated, byKey: await countByKey(client, schemaTable) };
}
