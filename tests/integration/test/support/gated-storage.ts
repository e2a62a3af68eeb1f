/**
 * A storage whose transactions stop at one point until the test lets them go on, so a test can hold a
 * transaction's locks while another transaction runs into them: a race put in a fixed order.
 */
import type { CapacityRepository, StoragePort, StorageTransaction } from '@panelkit/sdk/storage';

/** One stop: `reached` resolves when a transaction gets there; it waits until `open()`. */
export interface Gate {
  readonly reached: Promise<void>;
  open(): void;
}

/** Where a transaction stops: just after one of its capacity calls returned (its target and plan locked). */
export type GatePoint = keyof Pick<CapacityRepository, 'reserve' | 'release'>;

export interface GatedStorage {
  storage: StoragePort;
  /** The next transaction to pass `point` stops there until the returned gate is opened. */
  arm(point: GatePoint): Gate;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export function gatedStorage(storage: StoragePort): GatedStorage {
  let armed: { point: GatePoint; reached: () => void; opened: Promise<void> } | undefined;

  function gated(tx: StorageTransaction): StorageTransaction {
    const stopAt = (point: GatePoint) => async () => {
      const gate = armed;
      if (gate?.point !== point) return;
      armed = undefined;
      gate.reached();
      await gate.opened;
    };
    const capacity: CapacityRepository = {
      ...tx.capacity,
      reserve: async (request) => {
        const result = await tx.capacity.reserve(request);
        await stopAt('reserve')();
        return result;
      },
      release: async (request) => {
        await tx.capacity.release(request);
        await stopAt('release')();
      },
    };
    return { ...tx, capacity };
  }

  return {
    storage: { ...storage, transaction: (fn) => storage.transaction((tx) => fn(gated(tx))) },
    arm(point) {
      const reached = deferred();
      const opened = deferred();
      armed = { point, reached: reached.resolve, opened: opened.promise };
      return { reached: reached.promise, open: opened.resolve };
    },
  };
}
