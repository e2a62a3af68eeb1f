import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The scopes open in the current async context, keyed by the {@link TransactionScopes} that opened each.
 * One `AsyncLocalStorage` for every scope set of this copy of the SDK: on Node 20 each enabled one is
 * called for every promise the process creates, and it stays enabled until disabled, so one per storage
 * makes the whole process slower with every storage it ever opened (a test run that opened hundreds spent
 * a quarter of its time there).
 */
const openScopes = new AsyncLocalStorage<ReadonlyMap<TransactionScopes<unknown>, unknown>>();

/**
 * Where a storage keeps "the transaction this code runs inside": {@link TransactionScopes.run} runs a
 * callback with a scope, and {@link TransactionScopes.current} finds that scope again from anything the
 * callback calls or awaits. Each storage makes its own with {@link createTransactionScopes}, so one
 * storage's transaction is invisible to another's calls, even nested inside it.
 */
export interface TransactionScopes<S> {
  /** The scope of the innermost {@link TransactionScopes.run} of this set around the caller, if any. */
  current(): S | undefined;
  /** Runs `fn` with `scope` as {@link TransactionScopes.current} for everything it calls and awaits. */
  run<T>(scope: S, fn: () => T): T;
}

/** A new, empty {@link TransactionScopes} for one storage instance. */
export function createTransactionScopes<S>(): TransactionScopes<S> {
  const scopes: TransactionScopes<S> = {
    current: () => openScopes.getStore()?.get(scopes) as S | undefined,
    run: (scope, fn) => openScopes.run(new Map(openScopes.getStore()).set(scopes, scope), fn),
  };
  return scopes;
}
