import type { TickRepository } from '@panelkit/sdk/storage';
import { inputDate, inputString } from '@panelkit/sdk/storage';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';

/**
 * Leaderless ticks: one conditional upsert. The first caller for a name inserts; later ones
 * update only when their slot is strictly later than the stored one. Concurrent callers queue on
 * the row (or the unique key), re-check the condition against the winner's slot, and lose.
 */
export function tickRepository({ runner, schema, leaseClock }: RepositoryContext): TickRepository {
  return {
    tryAcquire: (name: string, slot: Date) =>
      runner.run('ticks.tryAcquire', async ({ db }) => {
        const tick = inputString(name, 'tick', 'name', { min: 1, max: 200 });
        const at = inputDate(slot, 'tick', 'slot');
        const { rows } = await db.query(
          `INSERT INTO ${schema}.ticks AS t (name, slot) VALUES ($1, $2::timestamptz)
           ON CONFLICT (name) DO UPDATE SET slot = EXCLUDED.slot WHERE t.slot < EXCLUDED.slot
           RETURNING t.name`,
          [tick, enc.time(at)],
        );
        return rows.length > 0;
      }),

    // On the clock leases are measured on: the server's, or a test's injected clock (no statement then).
    now: () =>
      runner.run(
        'ticks.now',
        async ({ db, now }) => {
          if (leaseClock !== 'database') return now;
          const { rows } = await db.query('SELECT clock_timestamp() AS now');
          return dec.time(rows[0]?.now);
        },
        { read: true },
      ),
  };
}
