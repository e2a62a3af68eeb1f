import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The scopes open in the current async context, keyed by the {@link TransactionScopes} that opened each.
 * One `AsyncLocalStorage` for every scope set of this copy of the SDK: on Node 20 each enabled one is
 * called for every promise the process creates, and it stays enabled until disabled, so one per storage
 * makes the whole process slower with every storage it ever opened (a test run that opened hundreds spent
 * a quarter of its time there). Created on the first tracked `run`, so a process that tracks nothing
 * never enables one.
 */
let openScopes: AsyncLocalStorage<ReadonlyMap<TransactionScopes<unknown>, unknown>> | undefined;

/**
 * Where a storage keeps "the transaction this code runs inside": {@link TransactionScopes.run} runs a
 * callback with a scope, and {@link TransactionScopes.current} finds that scope again from anything the
 * callback calls or awaits. Each storage makes its own with {@link createTransactionScopes}, so one
 * storage's transaction is invisible to another's calls, even nested inside it.
 *
 * A storage uses it only to refuse its own calls made inside one of its transactions (which would wait
 * for that transaction forever, or on its locks): the transaction itself reaches every repository call
 * through the `tx` passed to the callback, never through the scope.
 */
export interface TransactionScopes<S> {
  /** The scope of the innermost {@link TransactionScopes.run} of this set around the caller, if any. */
  current(): S | undefined;
  /** Runs `fn` with `scope` as {@link TransactionScopes.current} for everything it calls and awaits. */
  run<T>(scope: S, fn: () => T): T;
}

/**
 * A new, empty {@link TransactionScopes} for one storage instance.
 *
 * `options.track`: whether scopes are tracked; default true unless `NODE_ENV` is `production`. Untracked,
 * `run` only calls its callback and `current` is always undefined, so a storage's check for its own calls
 * inside its transaction is a development check: tracking enables an `AsyncLocalStorage`, whose promise hooks
 * Node 20 then runs for every promise of the process (some 3–5 % of a purchase's CPU in the shop, issue 93).
 * The check refuses a misuse in tests and development; it changes no path a correct program takes.
 */
export function createTransactionScopes<S>(options: { track?: boolean } = {}): TransactionScopes<S> {
  if (!(options.track ?? globalThis.process?.env?.['NODE_ENV'] !== 'production'))
    return { current: () => undefined, run: (_scope, fn) => fn() };
  const scopes: TransactionScopes<S> = {
    current: () => openScopes?.getStore()?.get(scopes) as S | undefined,
    run: (scope, fn) => {
      openScopes ??= new AsyncLocalStorage();
      return openScopes.run(new Map(openScopes.getStore()).set(scopes, scope), fn);
    },
  };
  return scopes;
}
