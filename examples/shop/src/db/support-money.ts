import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';
import type { ShopConfig } from '../config/config.js';

/** What the support allowance works with: the shop's database and schema, its clock and the owner's caps. */
export interface SupportMoneyDeps {
  readonly db: SqlClient;
  readonly shopSchema: string;
  readonly clock: Clock;
  readonly config: Pick<ShopConfig, 'supportMoney'>;
}

/** Why support staff may not move this much money. */
export type SupportMoneyRefusal = 'over_action_cap' | 'over_daily_cap';

/**
 * Support staff correct wallets within the owner's caps (`SUPPORT_MONEY_PER_ACTION`, `SUPPORT_MONEY_PER_DAY`,
 * both in minor units): a cap per action and per UTC day bounds what one support account (or whoever holds its
 * session) can move before the owner notices, without making the owner approve every small correction.
 *
 * The day's total is a row per (account, day) raised by one conditional statement, so replicas cannot together
 * pass the cap. The amount is reserved before the ledger entry is written and given back when no entry results
 * (a refusal, a replayed form); a crash between the two keeps the reservation, erring on the owner's side.
 */
export function supportMoneyOf(shop: SupportMoneyDeps) {
  const table = `${shop.shopSchema}.support_money_days`;
  const dayOf = () => shop.clock.now().toISOString().slice(0, 10);
  return {
    /** Takes `amount` (absolute, minor units) from the account's allowance for today; a refusal changes nothing. */
    async reserve(accountId: string, amount: number): Promise<{ ok: true; day: string } | { ok: false; reason: SupportMoneyRefusal }> {
      const { perAction, perDay } = shop.config.supportMoney;
      if (amount > perAction) return { ok: false, reason: 'over_action_cap' };
      const day = dayOf();
      const { rows } = await shop.db.query(
        `INSERT INTO ${table} AS d (account_id, day, used) SELECT $1, $2::date, $3::bigint WHERE $3::bigint <= $4::bigint
         ON CONFLICT (account_id, day) DO UPDATE SET used = d.used + EXCLUDED.used WHERE d.used + EXCLUDED.used <= $4::bigint
         RETURNING used`,
        [accountId, day, amount, perDay],
      );
      return rows.length > 0 ? { ok: true, day } : { ok: false, reason: 'over_daily_cap' };
    },
    /** Gives back a reservation that moved no money. */
    async release(accountId: string, day: string, amount: number): Promise<void> {
      await shop.db.query(`UPDATE ${table} SET used = greatest(used - $3::bigint, 0) WHERE account_id = $1 AND day = $2::date`, [
        accountId,
        day,
        amount,
      ]);
    },
  };
}
