import type { SecretBox } from '@panelkit/sdk';
import type { SqlQueryable } from '@panelkit/storage-postgres';

/** The context a setting's sealed part is bound to: a sealed value moved to another setting does not open. */
export function settingContext(name: string): string {
  return `shop_settings:${name}`;
}

/** What the settings store needs: the database, the shop's quoted schema, and the secret box. */
export interface SettingsDb {
  readonly db: SqlQueryable;
  readonly shopSchema: string;
  readonly secretBox: SecretBox;
}

/** A setting: its plain part, and its secret part opened (never stored open). */
export interface Setting<Plain, Secret> {
  value: Plain;
  secret: Secret | null;
  updatedAt: Date;
  updatedBy: string | null;
}

/** Reads a setting, opening its sealed part with the shop's keys (a wrong key throws `SecretKeyError`). */
export async function readSetting<Plain, Secret>(shop: SettingsDb, name: string): Promise<Setting<Plain, Secret> | null> {
  const { rows } = await shop.db.query<{ value: Plain; sealed: string | null; updated_at: Date; updated_by: string | null }>(
    `SELECT value, sealed, updated_at, updated_by FROM ${shop.shopSchema}.shop_settings WHERE name = $1`,
    [name],
  );
  const row = rows[0];
  if (row === undefined) return null;
  const secret = row.sealed === null ? null : (JSON.parse(shop.secretBox.open(row.sealed, settingContext(name))) as Secret);
  return { value: row.value, secret, updatedAt: new Date(row.updated_at), updatedBy: row.updated_by };
}

/** Writes a setting; its secret part is sealed under the current key before it reaches the database. */
export async function writeSetting<Plain, Secret>(
  shop: SettingsDb,
  name: string,
  value: Plain,
  secret: Secret | null,
  at: Date,
  by: string | null,
): Promise<void> {
  const sealed = secret === null ? null : shop.secretBox.seal(JSON.stringify(secret), settingContext(name));
  await shop.db.query(
    `INSERT INTO ${shop.shopSchema}.shop_settings (name, value, sealed, updated_at, updated_by) VALUES ($1, $2::jsonb, $3, $4, $5)
     ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, sealed = EXCLUDED.sealed, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
    [name, JSON.stringify(value), sealed, at, by],
  );
}
