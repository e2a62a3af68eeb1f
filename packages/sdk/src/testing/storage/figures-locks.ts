import { describe, expect, it } from 'vitest';
import type { FigureCell } from '../../rules/figures/cells.js';
import { seedCustomer } from './fixtures.js';
import { drainFigureInbox } from './figures-marks.js';
import { sortIds } from './support.js';
import type { SuiteEnv } from './support.js';

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Whether two transactions of this storage run at once (a database with several connections; not PGlite's one). */
function overlaps(storage: SuiteEnv['storage']): boolean {
  return storage.capabilities.transactions === 'database' && storage.capabilities.multiProcess;
}

/** Storage port 29's concurrency: disjoint takes, and `lockBuyers` holding a customer's folded state to the end. */
export function figureLocksSuite(env: SuiteEnv): void {
  describe('figures: concurrent folds (port 29)', () => {
    it('two transactions taking at once get disjoint ids that together are the whole inbox', async () => {
      const [one, two] = await env.replicas(2);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await seedCustomer(env.storage)).id);
      await drainFigureInbox(env.storage);
      await env.storage.figures.mark(ids);
      const bothTook = gate();
      let took = 0;
      const fold = (storage: NonNullable<typeof one>) =>
        storage.transaction(async (tx) => {
          const taken = await tx.figures.take(3);
          // Hold the rows until the other transaction has taken too (a storage that serialises transactions runs them one after the other).
          if (++took === 2 || !overlaps(storage)) bothTook.open();
          await bothTook.opened;
          return taken;
        });
      const [a, b] = await Promise.all([fold(one!), fold(two!)]);
      expect(a.filter((id) => b.includes(id))).toEqual([]);
      expect(sortIds([...a, ...b])).toEqual(sortIds(ids));
    });

    it('where transactions overlap, lockBuyers makes a second transaction wait, then read what the first committed', async (context) => {
      if (!overlaps(env.storage)) context.skip();
      const [one, two] = await env.replicas(2);
      const customer = await seedCustomer(env.storage);
      const cells: FigureCell[] = [{ table: 'cohorts', scope: '*', cohort: 202401, age: 0, value: 1 }];
      const locked = gate();
      const release = gate();
      let secondRead = false;
      const first = one!.transaction(async (tx) => {
        await tx.figures.lockBuyers([customer.id]);
        locked.open();
        await release.opened;
        await tx.figures.putBuyers([{ customerId: customer.id, definitionsVersion: 1, cells }]);
      });
      await locked.opened;
      const second = two!.transaction(async (tx) => {
        const state = await tx.figures.lockBuyers([customer.id]);
        secondRead = true;
        return state;
      });
      // Give the second transaction time to reach the lock; it must still be waiting when the first writes.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(secondRead).toBe(false);
      release.open();
      await first;
      expect(await second).toEqual([{ customerId: customer.id, definitionsVersion: 1, cells }]);
    });
  });
}
