import type { SqlQueryable } from '@panelkit/storage-postgres';

/**
 * The `telegram_init_data_uses` table: the hash of every Mini App launch data that signed someone in, kept until the
 * launch data would be refused as too old anyway. The primary key makes a second use lose on every replica at once.
 */
export class TelegramInitDataUses {
  constructor(
    private readonly db: SqlQueryable,
    private readonly schema: string,
  ) {}

  private get table(): string {
    return `${this.schema}.telegram_init_data_uses`;
  }

  /**
   * Records the first use of the launch data with this hash, kept until `keepUntil`; false when it was used before
   * (by any replica). Rows past their time are deleted on the way.
   */
  async claim(hash: string, at: Date, keepUntil: Date): Promise<boolean> {
    await this.db.query(`DELETE FROM ${this.table} WHERE keep_until <= $1`, [at]);
    const { rows } = await this.db.query(
      `INSERT INTO ${this.table} (init_data_hash, used_at, keep_until) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
      [hash, at, keepUntil],
    );
    return rows.length > 0;
  }
}
