import { transactionSql, type SqlClient } from '@panelkit/storage-postgres';
import { hashToken } from './sessions.js';

/** Sets an account's password and signs out every other session of it (all but `keepSessionToken`), in one transaction. */
export async function replacePassword(
  client: SqlClient,
  schema: string,
  input: { accountId: string; passwordHash: string; keepSessionToken: string | null },
): Promise<void> {
  await client.transaction(async (db) => {
    await db.query(`UPDATE ${schema}.accounts SET password_hash = $2 WHERE id = $1`, [input.accountId, input.passwordHash]);
    await db.query(`DELETE FROM ${schema}.sessions WHERE account_id = $1 AND token_hash <> $2`, [
      input.accountId,
      input.keepSessionToken === null ? '' : hashToken(input.keepSessionToken),
    ]);
  });
}

/**
 * Moves an account to `email` inside the engine's storage transaction `tx` (so a notice written with it commits with
 * it); false when another account holds the email.
 */
export async function moveAccountEmail(tx: object, schema: string, accountId: string, email: string): Promise<boolean> {
  const { rows } = await transactionSql(tx).query(
    `UPDATE ${schema}.accounts SET email = $2 WHERE id = $1
     AND NOT EXISTS (SELECT 1 FROM ${schema}.accounts WHERE email = $2) RETURNING 1`,
    [accountId, email],
  );
  return rows.length > 0;
}
