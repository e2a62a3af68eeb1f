import { ValidationError } from '@panelkit/sdk';
import type { PanelSlotRepository } from '@panelkit/sdk/storage';
import { inputKey, inputString } from '@panelkit/sdk/storage';
import type { RepositoryContext } from '../internal/runner.js';

function positive(value: number, field: string, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max)
    throw new ValidationError('invalid panel slot request', [{ path: field, message: `a whole number from 1 to ${max}` }]);
  return value;
}

/**
 * Panel slots as leased rows, timed by the server's clock (`clock_timestamp()`), so replicas whose clocks
 * disagree still agree on when a lease ends. Taking a slot is one statement (lease the lowest slot free or
 * expired, skipping rows another caller is taking); the first miss in a process also makes the panel's rows.
 * Renewing and giving back are one statement each, conditional on the holder. Each statement stands on its own,
 * so no call wraps them in a transaction.
 */
export function panelSlotRepository({ runner, schema }: RepositoryContext): PanelSlotRepository {
  const table = `${schema}.panel_slots`;
  /** The size each panel's rows are known to exist at: a miss then means every slot is held. */
  const made = new Map<string, number>();
  return {
    take: (panelId: string, size: number, holder: string, leaseMs: number) =>
      runner.run(
        'panelSlots.take',
        async ({ db }) => {
          const panel = inputKey(panelId, 'panel id');
          const count = positive(size, 'size', 1000);
          const who = inputString(holder, 'panel slot', 'holder', { min: 1, max: 200 });
          const lease = positive(leaseMs, 'leaseMs', 86_400_000);
          const lease1 = () =>
            db.query<{ slot: number }>(
              `WITH free AS (
               SELECT slot FROM ${table}
               WHERE panel_id = $1 AND slot < $2::integer AND (holder IS NULL OR until <= clock_timestamp())
               ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED
             )
             UPDATE ${table} AS s SET holder = $3, until = clock_timestamp() + $4::integer * interval '1 millisecond'
             FROM free WHERE s.panel_id = $1 AND s.slot = free.slot
             RETURNING s.slot`,
              [panel, count, who, lease],
            );
          let { rows } = await lease1();
          if (rows[0] === undefined && (made.get(panel) ?? 0) < count) {
            // None free, and this process has not seen the panel's rows at this size: they may not exist yet (its
            // first call anywhere, or a larger size). Make them and ask once more.
            await db.query(
              `INSERT INTO ${table} (panel_id, slot) SELECT $1, g FROM generate_series(0, $2::integer - 1) AS g ON CONFLICT DO NOTHING`,
              [panel, count],
            );
            made.set(panel, count);
            ({ rows } = await lease1());
          }
          return rows[0] === undefined ? null : Number(rows[0].slot);
        },
        { autocommit: true },
      ),

    renew: (panelId: string, slot: number, holder: string, leaseMs: number) =>
      runner.run(
        'panelSlots.renew',
        async ({ db }) => {
          const panel = inputKey(panelId, 'panel id');
          const lease = positive(leaseMs, 'leaseMs', 86_400_000);
          const { rows } = await db.query(
            `UPDATE ${table} SET until = clock_timestamp() + $4::integer * interval '1 millisecond'
             WHERE panel_id = $1 AND slot = $2 AND holder = $3 RETURNING slot`,
            [panel, slot, holder, lease],
          );
          return rows.length > 0;
        },
        { autocommit: true },
      ),

    give: (panelId: string, slot: number, holder: string) =>
      runner.run(
        'panelSlots.give',
        async ({ db }) => {
          await db.query(`UPDATE ${table} SET holder = NULL, until = NULL WHERE panel_id = $1 AND slot = $2 AND holder = $3`, [
            inputKey(panelId, 'panel id'),
            slot,
            holder,
          ]);
        },
        { autocommit: true },
      ),
  };
}
