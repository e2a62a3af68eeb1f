import { NotFoundError } from '@panelkit/sdk';
import {
  inputKey,
  parseCustomersAfter,
  parseLinkTokenCandidate,
  parseLinkTokenRequests,
  parsePageWindow,
  timeCursorCodec,
  timeKey,
} from '@panelkit/sdk/storage';
import type {
  LinkTokenCandidate,
  LinkTokenRepository,
  LinkTokenRequest,
  LinkTokenScope,
  LinkTokenScopeWithSubscriptions,
} from '@panelkit/sdk/storage';
import type { SqlQueryable } from '../client.js';
import { toPage } from '../internal/paging.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import { linkTokenCtes } from '../link-tokens-sql.js';
import { scopeRefreshingDevice } from './link-device-refresh.js';
import { subscriptionFromRow, subscriptionSelectList } from './subscription-rows.js';

/**
 * Link tokens in `{schema}.link_tokens`, one row per customer (the primary key): `ensure` is one insert that does
 * nothing on the customer's row and reads the row back in the same statement (`ensureMany` the same for many rows),
 * `rotate` one upsert (from a given token, one conditional update). A missing customer fails the foreign key (`NotFoundError`).
 */
export function linkTokenRepository(context: RepositoryContext): LinkTokenRepository {
  const { runner, schema, secretBox } = context;
  const table = `${schema}.link_tokens`;
  const subTable = `${schema}.subscription_link_tokens`;
  const subscriptions = `${schema}.subscriptions`;
  const customers = `${schema}.customers`;
  const read = { read: true } as const;
  // The one definition of the statement, shared with hosts' statements (`ensureLinkTokensSql`).
  const ensureManyCtes = linkTokenCtes(
    table,
    'ensured',
    'SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS a(customer_id, nonce, token_hash)',
    '$4::timestamptz',
  );
  return {
    ensure: (customerId: string, candidate: LinkTokenCandidate) =>
      runner.run(
        'linkTokens.ensure',
        async ({ db, now }) => {
          const c = parseLinkTokenCandidate(candidate);
          const id = inputKey(customerId, 'customer id');
          const { rows } = await db.query(
            `WITH created AS (
               INSERT INTO ${table} (customer_id, nonce, token_hash, created_at, rotated_at)
               VALUES ($1, $2, $3, $4::timestamptz, $4::timestamptz) ON CONFLICT (customer_id) DO NOTHING RETURNING nonce
             )
             SELECT nonce FROM created UNION ALL SELECT nonce FROM ${table} WHERE customer_id = $1 LIMIT 1`,
            [id, c.nonce, c.tokenHash, enc.time(now)],
          );
          if (rows[0] !== undefined) return dec.text(rows[0]['nonce']);
          // Neither: a concurrent first use committed its row after this statement's snapshot; a new statement sees it.
          const again = await db.query(`SELECT nonce FROM ${table} WHERE customer_id = $1`, [id]);
          return dec.text(again.rows[0]!['nonce']);
        },
        { autocommit: true },
      ),

    ensureMany: (requests: readonly LinkTokenRequest[]) =>
      runner.run(
        'linkTokens.ensureMany',
        async ({ db, now }) => {
          const asked = parseLinkTokenRequests(requests);
          if (asked.length === 0) return [];
          // The first candidate of a customer asked twice (the statement inserts in customer id order: no deadlock).
          const first = new Map<string, LinkTokenCandidate>();
          for (const { customerId, candidate } of asked) if (!first.has(customerId)) first.set(customerId, candidate);
          const ids = [...first.keys()];
          const { rows } = await db.query(`WITH ${ensureManyCtes} SELECT customer_id, nonce FROM ensured`, [
            ids,
            ids.map((id) => first.get(id)!.nonce),
            ids.map((id) => first.get(id)!.tokenHash),
            enc.time(now),
          ]);
          const nonces = new Map(rows.map((r) => [dec.text(r['customer_id']), dec.text(r['nonce'])]));
          // Neither: a concurrent first use committed its row after this statement's snapshot; a new statement sees it.
          const late = ids.filter((id) => !nonces.has(id));
          if (late.length > 0) {
            const again = await db.query(`SELECT customer_id, nonce FROM ${table} WHERE customer_id = ANY($1::text[])`, [late]);
            for (const r of again.rows) nonces.set(dec.text(r['customer_id']), dec.text(r['nonce']));
          }
          return asked.map(({ customerId }) => nonces.get(customerId)!);
        },
        { autocommit: true },
      ),

    rotate: (customerId: string, candidate: LinkTokenCandidate, fromHash?: string) =>
      runner.run(
        'linkTokens.rotate',
        async ({ db, now }) => {
          const c = parseLinkTokenCandidate(candidate);
          const id = inputKey(customerId, 'customer id');
          if (fromHash !== undefined) {
            const owner = { owners: customers, tokens: table, key: 'customer_id', kind: 'customer' } as const;
            return rotateFrom(db, owner, id, c, enc.time(now), inputKey(fromHash, 'token hash'));
          }
          await db.query(
            `INSERT INTO ${table} (customer_id, nonce, token_hash, created_at, rotated_at)
             VALUES ($1, $2, $3, $4::timestamptz, $4::timestamptz)
             ON CONFLICT (customer_id) DO UPDATE SET nonce = EXCLUDED.nonce, token_hash = EXCLUDED.token_hash, rotated_at = EXCLUDED.rotated_at`,
            [id, c.nonce, c.tokenHash, enc.time(now)],
          );
          return true;
        },
        { autocommit: true },
      ),

    customerByHash: (tokenHash: string) =>
      runner.run(
        'linkTokens.customerByHash',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT customer_id FROM ${table} WHERE token_hash = $1`, [inputKey(tokenHash, 'token hash')]);
          return rows[0] === undefined ? null : dec.text(rows[0]['customer_id']);
        },
        read,
      ),

    ensureForSubscription: (subscriptionId: string, candidate: LinkTokenCandidate) =>
      runner.run(
        'linkTokens.ensureForSubscription',
        async ({ db, now }) => {
          const c = parseLinkTokenCandidate(candidate);
          const id = inputKey(subscriptionId, 'subscription id');
          const { rows } = await db.query(
            `WITH created AS (
               INSERT INTO ${subTable} (subscription_id, customer_id, nonce, token_hash, created_at, rotated_at)
               SELECT s.id, s.customer_id, $2, $3, $4::timestamptz, $4::timestamptz FROM ${subscriptions} s WHERE s.id = $1
               ON CONFLICT (subscription_id) DO NOTHING RETURNING nonce
             )
             SELECT nonce FROM created UNION ALL SELECT nonce FROM ${subTable} WHERE subscription_id = $1 LIMIT 1`,
            [id, c.nonce, c.tokenHash, enc.time(now)],
          );
          if (rows[0] !== undefined) return dec.text(rows[0]['nonce']);
          const again = await db.query(`SELECT nonce FROM ${subTable} WHERE subscription_id = $1`, [id]);
          if (again.rows[0] === undefined) throw new NotFoundError('subscription', id);
          return dec.text(again.rows[0]['nonce']);
        },
        { autocommit: true },
      ),

    rotateForSubscription: (subscriptionId: string, candidate: LinkTokenCandidate, fromHash?: string) =>
      runner.run(
        'linkTokens.rotateForSubscription',
        async ({ db, now }) => {
          const c = parseLinkTokenCandidate(candidate);
          const id = inputKey(subscriptionId, 'subscription id');
          if (fromHash !== undefined) {
            const owner = { owners: subscriptions, tokens: subTable, key: 'subscription_id', kind: 'subscription' } as const;
            return rotateFrom(db, owner, id, c, enc.time(now), inputKey(fromHash, 'token hash'));
          }
          const { rows } = await db.query(
            `INSERT INTO ${subTable} (subscription_id, customer_id, nonce, token_hash, created_at, rotated_at)
             SELECT s.id, s.customer_id, $2, $3, $4::timestamptz, $4::timestamptz FROM ${subscriptions} s WHERE s.id = $1
             ON CONFLICT (subscription_id) DO UPDATE SET nonce = EXCLUDED.nonce, token_hash = EXCLUDED.token_hash, rotated_at = EXCLUDED.rotated_at
             RETURNING subscription_id`,
            [id, c.nonce, c.tokenHash, enc.time(now)],
          );
          if (rows.length === 0) throw new NotFoundError('subscription', id);
          return true;
        },
        { autocommit: true },
      ),

    revokeForSubscription: (subscriptionId: string) =>
      runner.run(
        'linkTokens.revokeForSubscription',
        async ({ db }) => {
          const { rows } = await db.query(`DELETE FROM ${subTable} WHERE subscription_id = $1 RETURNING subscription_id`, [
            inputKey(subscriptionId, 'subscription id'),
          ]);
          return rows.length > 0;
        },
        { autocommit: true },
      ),

    scopeByHash: (tokenHash: string) =>
      runner.run(
        'linkTokens.scopeByHash',
        async ({ db }): Promise<LinkTokenScope | null> => {
          const { rows } = await db.query(
            `SELECT customer_id, NULL::text AS subscription_id FROM ${table} WHERE token_hash = $1
             UNION ALL SELECT customer_id, subscription_id FROM ${subTable} WHERE token_hash = $1 LIMIT 1`,
            [inputKey(tokenHash, 'token hash')],
          );
          const row = rows[0];
          return row === undefined
            ? null
            : { customerId: dec.text(row['customer_id']), subscriptionId: dec.textOrNull(row['subscription_id']) };
        },
        read,
      ),

    // The token's row, then the customer's newest subscriptions by the `(customer_id, created_at, id)` index as
    // `subscriptions.listByCustomer` reads them, in one statement: a row per subscription (the first carries the
    // scope), or one row with no subscription for a customer who has none, or none for an unknown token.
    scopeWithSubscriptions: (tokenHash: string, page: { limit: number }) =>
      runner.run(
        'linkTokens.scopeWithSubscriptions',
        async ({ db }): Promise<LinkTokenScopeWithSubscriptions | null> => {
          const hash = inputKey(tokenHash, 'token hash');
          const window = parsePageWindow({ limit: page?.limit }, timeCursorCodec);
          const { rows } = await db.query(
            `WITH scope AS (
               SELECT customer_id, NULL::text AS subscription_id FROM ${table} WHERE token_hash = $1
               UNION ALL SELECT customer_id, subscription_id FROM ${subTable} WHERE token_hash = $1 LIMIT 1
             )
             SELECT scope.customer_id AS link_customer_id, scope.subscription_id AS link_subscription_id, ${subscriptionSelectList('s')}
             FROM scope LEFT JOIN LATERAL (
               SELECT * FROM ${subscriptions} WHERE customer_id = scope.customer_id ORDER BY created_at DESC, id DESC LIMIT $2
             ) AS s ON true`,
            [hash, window.limit + 1],
          );
          const first = rows[0];
          if (first === undefined) return null;
          const items = first['id'] === null ? [] : rows.map((r) => subscriptionFromRow(r, secretBox));
          return {
            customerId: dec.text(first['link_customer_id']),
            subscriptionId: dec.textOrNull(first['link_subscription_id']),
            subscriptions: toPage(items, window, timeCursorCodec, (s) => timeKey(s.createdAt, s.id)),
          };
        },
        read,
      ),

    scopeRefreshingDevice: scopeRefreshingDevice(context),

    customersAfter: (afterId: string, limit: number) =>
      runner.run(
        'linkTokens.customersAfter',
        async ({ db }) => {
          const p = parseCustomersAfter(afterId, limit);
          const { rows } = await db.query(`SELECT customer_id FROM ${table} WHERE customer_id > $1 ORDER BY customer_id LIMIT $2`, [
            p.afterId,
            p.limit,
          ]);
          return rows.map((r) => dec.text(r['customer_id']));
        },
        read,
      ),
  };
}

/** Where a link token of one kind lives: its owners' table, its tokens' table and the tokens' key column. */
interface TokenOwner {
  owners: string;
  tokens: string;
  key: 'customer_id' | 'subscription_id';
  kind: 'customer' | 'subscription';
}

/**
 * A rotation from a given token: one update of the row holding that hash, which a rotation racing it waits for and
 * then finds changed (read committed re-checks the row), so exactly one of them replaces it. Answers whether this one
 * did; an unknown owner is a `NotFoundError`.
 */
async function rotateFrom(
  db: SqlQueryable,
  owner: TokenOwner,
  id: string,
  c: { nonce: string; tokenHash: string },
  now: string,
  fromHash: string,
): Promise<boolean> {
  const { rows } = await db.query(
    `WITH owner AS (SELECT id FROM ${owner.owners} WHERE id = $1),
     rotated AS (
       UPDATE ${owner.tokens} SET nonce = $2, token_hash = $3, rotated_at = $4::timestamptz
       WHERE ${owner.key} = $1 AND token_hash = $5 RETURNING ${owner.key}
     )
     SELECT (SELECT count(*) FROM owner)::int AS found, (SELECT count(*) FROM rotated)::int AS rotated`,
    [id, c.nonce, c.tokenHash, now, fromHash],
  );
  if (dec.int(rows[0]!['found']) === 0) throw new NotFoundError(owner.kind, id);
  return dec.int(rows[0]!['rotated']) === 1;
}
