import { inputDate, inputString } from '@panelkit/sdk/storage';
import type { Op } from '../internal/op.js';

/** The latest slot won per tick name, in ms. */
export type TickTable = Map<string, number>;

export function createTickTable(): TickTable {
  return new Map();
}

export function tickOperations(ticks: TickTable) {
  return {
    /** The first call for a name wins; after that only a strictly later slot does. */
    tryAcquire(op: Op, name: string, slot: Date): boolean {
      const tick = inputString(name, 'tick', 'name', { min: 1, max: 200 });
      const at = inputDate(slot, 'tick', 'slot').getTime();
      const last = ticks.get(tick);
      if (last !== undefined && at <= last) return false;
      ticks.set(tick, at);
      op.undo.push(() => {
        if (last === undefined) ticks.delete(tick);
        else ticks.set(tick, last);
      });
      return true;
    },

    /** The storage's clock. */
    now(op: Op): Date {
      return new Date(op.now.getTime());
    },
  };
}
