import type { CallContext } from '@panelkit/sdk/adapter';

/** Memos kept at once; the oldest is dropped past this (a dropped memo only costs a fresh read). */
const MOST_MEMOS = 1024;

/**
 * What one logical operation learned before its first write, kept across its attempts. The engine retries a
 * failed call as a new attempt under the same idempotency key (`ctx.attempt` > 1), so a reset that must put
 * back the state it changed (3x-ui's and Marzban's resets re-enable a client) still knows the state from
 * before the first attempt, which a fresh read would no longer show. A first attempt starts a fresh memo; a
 * settled operation forgets its own. In-process only: an attempt on another replica reads afresh.
 */
export class AttemptMemos<T extends object> {
  readonly #memos = new Map<string, T>();

  /** Runs `operation` with this key's memo (a fresh one on a first attempt), and forgets it once it resolves. */
  async run<R>(ctx: CallContext, fresh: () => T, operation: (memo: T) => Promise<R>): Promise<R> {
    const key = ctx.idempotencyKey;
    let memo = (ctx.attempt ?? 1) > 1 ? this.#memos.get(key) : undefined;
    if (memo === undefined) {
      memo = fresh();
      this.#memos.delete(key);
      this.#memos.set(key, memo);
      if (this.#memos.size > MOST_MEMOS) this.#memos.delete(this.#memos.keys().next().value!);
    }
    const result = await operation(memo);
    if (this.#memos.get(key) === memo) this.#memos.delete(key);
    return result;
  }
}
