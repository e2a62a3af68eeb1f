import { ConfigurationError } from '@panelkit/sdk';
import type { Clock } from '@panelkit/sdk';
import type { UndoLog } from './undo-log.js';

/**
 * One repository call in progress: where its writes record their inverses, and the single
 * instant it treats as "now" (read from the clock once, when the call started running).
 */
export class Op {
  readonly now: Date;

  constructor(
    readonly undo: UndoLog,
    clock: Clock,
  ) {
    const now = clock.now();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new ConfigurationError('the clock returned an invalid date');
    this.now = new Date(now.getTime());
  }
}

/** Runs a repository call: either as its own transaction or inside an open one. */
export interface Runner {
  /** `label` names the call (e.g. `subscriptions.get`) in misuse errors. */
  run<T>(label: string, fn: (op: Op) => T): Promise<T>;
}

/** Synchronous repository operations: each takes the `Op` first. */
export type Operations = Record<string, (op: Op, ...args: never[]) => unknown>;

/** The same operations as async repository methods, without the `Op`. */
export type Bound<S> = {
  [K in keyof S]: S[K] extends (op: Op, ...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
};

/** Turns synchronous operations into repository methods that run through `runner`. */
export function bind<S extends Operations>(name: string, operations: S, runner: Runner): Bound<S> {
  const repository: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [method, operation] of Object.entries(operations)) {
    const call = operation as (op: Op, ...args: unknown[]) => unknown;
    const label = `${name}.${method}`;
    repository[method] = (...args) => runner.run(label, (op) => call(op, ...args));
  }
  return repository as Bound<S>;
}
