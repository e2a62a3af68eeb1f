import type { SecretBox } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';
import { settingContext } from '../db/shop-settings.js';
import { staffTotpContext } from '../db/staff-totp.js';

/** What {@link resealShopSecrets} found: values checked, values sealed again under the current key, values per key id. */
export interface ShopResealResult {
  checked: number;
  rotated: number;
  byKey: Record<string, number>;
}

/**
 * The shop's own sealed values (staff TOTP secrets, the sealed parts of the owner's settings), as `resealSecrets` does the engine's panel credentials:
 * every value is opened (a wrong or missing key throws `SecretKeyError` before the shop serves), and with
 * `rotate` a value under an older key is sealed again under the current one by a conditional UPDATE, so a
 * concurrent enrolment is never overwritten.
 */
export async function resealShopSecrets(db: SqlClient, shopSchema: string, box: SecretBox, rotate: boolean): Promise<ShopResealResult> {
  const result: ShopResealResult = { checked: 0, rotated: 0, byKey: {} };
  // The rotation command may run against a database whose shop tables predate staff TOTP.
  const { rows: present } = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`${shopSchema}.staff_totp`]);
  if (present[0]?.t == null) return result;
  const { rows } = await db.query<{ account_id: string; secret_sealed: string }>(
    `SELECT account_id, secret_sealed FROM ${shopSchema}.staff_totp ORDER BY account_id`,
  );
  for (const row of rows) {
    const context = staffTotpContext(row.account_id);
    const plain = box.open(row.secret_sealed, context);
    result.checked += 1;
    let keyId = box.keyIdOf(row.secret_sealed) ?? 'unknown';
    if (rotate && keyId !== box.currentKeyId) {
      const { rows: changed } = await db.query(
        `UPDATE ${shopSchema}.staff_totp SET secret_sealed = $3 WHERE account_id = $1 AND secret_sealed = $2 RETURNING 1`,
        [row.account_id, row.secret_sealed, box.seal(plain, context)],
      );
      if (changed.length > 0) {
        result.rotated += 1;
        keyId = box.currentKeyId;
      }
    }
    result.byKey[keyId] = (result.byKey[keyId] ?? 0) + 1;
  }
  await resealSettings(db, shopSchema, box, rotate, result);
  return result;
}

/** The sealed parts of the owner's settings (gateway keys, the bot token), checked and rotated the same way. */
async function resealSettings(db: SqlClient, shopSchema: string, box: SecretBox, rotate: boolean, result: ShopResealResult): Promise<void> {
  const { rows: present } = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`${shopSchema}.shop_settings`]);
  if (present[0]?.t == null) return;
  const { rows } = await db.query<{ name: string; sealed: string }>(
    `SELECT name, sealed FROM ${shopSchema}.shop_settings WHERE sealed IS NOT NULL ORDER BY name`,
  );
  for (const row of rows) {
    const context = settingContext(row.name);
    const plain = box.open(row.sealed, context);
    result.checked += 1;
    let keyId = box.keyIdOf(row.sealed) ?? 'unknown';
    if (rotate && keyId !== box.currentKeyId) {
      const { rows: changed } = await db.query(
        `UPDATE ${shopSchema}.shop_settings SET sealed = $3 WHERE name = $1 AND sealed = $2 RETURNING 1`,
        [row.name, row.sealed, box.seal(plain, context)],
      );
      if (changed.length > 0) {
        result.rotated += 1;
        keyId = box.currentKeyId;
      }
    }
    result.byKey[keyId] = (result.byKey[keyId] ?? 0) + 1;
  }
}
