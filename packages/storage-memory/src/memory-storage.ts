import { StorageMisuseError, systemClock } from '@panelkit/sdk';
import { STORAGE_PORT_VERSION } from '@panelkit/sdk/storage';
import { Mutex, createJobQueueSignal, createTransactionScopes } from '@panelkit/sdk/storage';
import type { Clock } from '@panelkit/sdk';
import type { StorageCapabilities, StoragePort, StorageTransaction } from '@panelkit/sdk/storage';
import { Op } from './internal/op.js';
import type { Runner } from './internal/op.js';
import { UndoLog } from './internal/undo-log.js';
import { bindRepositories, createOperations } from './repositories.js';
import { createMemoryState } from './state.js';

/** Options of `createMemoryStorage`. */
export interface MemoryStorageOptions {
  /** Where createdAt, updatedAt, leases, reaping and default run times come from. Default: the system clock. */
  clock?: Clock;
}

/** One open transaction: its undo log, and whether its callback is still running. */
interface TransactionScope {
  readonly undo: UndoLog;
  open: boolean;
}

const CAPABILITIES: StorageCapabilities = Object.freeze({ transactions: 'process', multiProcess: false });

/**
 * A `StoragePort` held in this process's memory, for tests and demos. It behaves like a database:
 * inputs are validated, reads and writes are copies, unique keys hold, and `transaction` is
 * all-or-nothing.
 *
 * Every call runs under one lock, one at a time: a call on the storage is its own small
 * transaction, and a `transaction` holds the lock until its callback settles, so nobody sees its
 * writes before it commits. Each write records its inverse (rows and indexes alike) in an undo
 * log; a failed call or transaction replays that log backwards.
 *
 * Inside a `transaction` callback use only its `tx`: calling the storage itself there would wait
 * for the lock the transaction holds, so it throws `StorageMisuseError` instead.
 *
 * `jobsQueued` tells this process's subscribers, once the call or transaction that queued a due job
 * has committed (the lock released).
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): StoragePort {
  const clock = options.clock ?? systemClock;
  const state = createMemoryState();
  const operations = createOperations(state);
  const lock = new Mutex();
  const jobsQueued = createJobQueueSignal({ listening: true });
  /** Lowers the jobs table's queued-due flag; true when it was raised (by what is committing now). */
  const takeQueuedDue = (): boolean => {
    const raised = state.jobs.queuedDue.raised;
    state.jobs.queuedDue.raised = false;
    return raised;
  };
  const scopes = createTransactionScopes<TransactionScope>();
  let closed = false;

  /** Throws if the storage is closed, or if called from inside one of its own open transactions. */
  function assertUsable(label: string): void {
    if (closed) throw new StorageMisuseError(`storage.${label}() was called after storage.close()`);
    if (scopes.current()?.open === true) {
      throw new StorageMisuseError(
        `storage.${label}() was called inside a transaction callback; use the \`tx\` passed to the callback ` +
          '(the storage itself waits for the transaction to finish, so this call would never complete)',
      );
    }
  }

  const direct: Runner = {
    async run(label, fn) {
      assertUsable(label);
      let queuedDue = false;
      const result = await lock.run(() => {
        if (closed) throw new StorageMisuseError(`storage.${label}() was called after storage.close()`);
        const undo = new UndoLog();
        try {
          const value = fn(new Op(undo, clock));
          queuedDue = takeQueuedDue();
          return value;
        } catch (error) {
          undo.rollback();
          takeQueuedDue();
          throw error;
        }
      });
      if (queuedDue) jobsQueued.emit();
      return result;
    },
  };

  function transactionRunner(scope: TransactionScope): Runner {
    return {
      async run(label, fn) {
        if (!scope.open) {
          throw new StorageMisuseError(
            `tx.${label}() was called after its transaction had finished; a tx is only valid inside its callback`,
          );
        }
        // A failed call inside a transaction changes nothing, like a statement under a savepoint.
        const savepoint = scope.undo.mark();
        try {
          return fn(new Op(scope.undo, clock));
        } catch (error) {
          scope.undo.rollbackTo(savepoint);
          throw error;
        }
      },
    };
  }

  return {
    kind: 'memory',
    portVersion: STORAGE_PORT_VERSION,
    capabilities: CAPABILITIES,
    jobsQueued: jobsQueued.signal,
    ...bindRepositories(operations, direct),

    async transaction<T>(fn: (tx: StorageTransaction) => Promise<T>): Promise<T> {
      assertUsable('transaction');
      let queuedDue = false;
      const result = await lock.run(async () => {
        if (closed) throw new StorageMisuseError('storage.transaction() was called after storage.close()');
        const scope: TransactionScope = { undo: new UndoLog(), open: true };
        const tx = bindRepositories(operations, transactionRunner(scope));
        try {
          const value = await scopes.run(scope, () => fn(tx));
          scope.open = false;
          queuedDue = takeQueuedDue();
          return value;
        } catch (error) {
          scope.open = false;
          scope.undo.rollback();
          takeQueuedDue();
          throw error;
        }
      });
      if (queuedDue) jobsQueued.emit();
      return result;
    },

    /** Waits for running calls and transactions, then refuses new ones. Safe to call twice. */
    async close(): Promise<void> {
      if (closed) return;
      if (scopes.current()?.open === true) {
        throw new StorageMisuseError('storage.close() was called inside a transaction callback');
      }
      await lock.run(() => {
        closed = true;
      });
      jobsQueued.close();
    },
  };
}
