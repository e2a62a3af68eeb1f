import type { SecretBox } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';
import { emailCodeContext } from './email-codes.js';
import { settingContext } from './shop-settings.js';
import { staffTotpContext } from './staff-totp.js';
import { storefrontBotSecretContext, storefrontBotTokenContext } from './storefront-bots.js';

/** What {@link resealShopSecrets} found: values checked, values sealed again under the current key, values per key id. */
export interface ShopResealResult {
  checked: number;
  rotated: number;
  byKey: Record<string, number>;
}

/** One column of sealed values: its table, the row's key column, and the context each value is bound to. */
interface SealedColumn {
  table: string;
  key: string;
  sealed: string;
  contextOf(key: string): string;
}

const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'staff_totp', key: 'account_id', sealed: 'secret_sealed', contextOf: staffTotpContext },
  { table: 'shop_settings', key: 'name', sealed: 'sealed', contextOf: settingContext },
  // A code's copy for its mail job (blanked once sent; at most minutes old).
  { table: 'email_codes', key: 'id', sealed: 'sealed_code', contextOf: emailCodeContext },
  // Each storefront's bot token and webhook secret (issue 70).
  { table: 'storefront_bots', key: 'storefront_id', sealed: 'token_sealed', contextOf: storefrontBotTokenContext },
  { table: 'storefront_bots', key: 'storefront_id', sealed: 'webhook_secret_sealed', contextOf: storefrontBotSecretContext },
];

/**
 * The shop's own sealed values (staff TOTP secrets, the sealed parts of the owner's settings), as `resealSecrets` does
 * the engine's panel credentials: every value is opened (a wrong or missing key throws `SecretKeyError` before the
 * shop serves), and with `rotate` a value under an older key is sealed again under the current one by a conditional
 * UPDATE, so a concurrent write is never overwritten.
 */
export async function resealShopSecrets(db: SqlClient, shopSchema: string, box: SecretBox, rotate: boolean): Promise<ShopResealResult> {
  const result: ShopResealResult = { checked: 0, rotated: 0, byKey: {} };
  for (const column of SEALED_COLUMNS) await resealColumn(db, `${shopSchema}.${column.table}`, column, box, rotate, result);
  return result;
}

async function resealColumn(
  db: SqlClient,
  table: string,
  column: SealedColumn,
  box: SecretBox,
  rotate: boolean,
  result: ShopResealResult,
): Promise<void> {
  // The rotation command may run against a database whose shop tables predate this column.
  const { rows: present } = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]);
  if (present[0]?.t == null) return;
  const { rows } = await db.query<{ key: string; sealed: string }>(
    `SELECT ${column.key} AS key, ${column.sealed} AS sealed FROM ${table} WHERE ${column.sealed} IS NOT NULL ORDER BY ${column.key}`,
  );
  for (const row of rows) {
    const context = column.contextOf(row.key);
    const plain = box.open(row.sealed, context);
    result.checked += 1;
    let keyId = box.keyIdOf(row.sealed) ?? 'unknown';
    if (rotate && keyId !== box.currentKeyId) {
      const { rows: changed } = await db.query(
        `UPDATE ${table} SET ${column.sealed} = $3 WHERE ${column.key} = $1 AND ${column.sealed} = $2 RETURNING 1`,
        [row.key, row.sealed, box.seal(plain, context)],
      );
      if (changed.length > 0) {
        result.rotated += 1;
        keyId = box.currentKeyId;
      }
    }
    result.byKey[keyId] = (result.byKey[keyId] ?? 0) + 1;
  }
}
