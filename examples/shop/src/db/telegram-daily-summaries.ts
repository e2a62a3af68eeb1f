import type { SqlQueryable } from '@panelkit/storage-postgres';

/**
 * Whether an older release already sent the daily summary of `day` (it recorded each day in
 * `telegram_daily_summaries` before the summary became a host job): that day is not queued again.
 */
export async function olderDailySummarySent(db: SqlQueryable, schema: string, day: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM ${schema}.telegram_daily_summaries WHERE day = $1`, [day]);
  return rows.length > 0;
}
