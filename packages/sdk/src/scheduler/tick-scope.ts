import type { Actor } from '../domain/common.js';
import type { PanelCapabilities } from '../ports/panel.js';
import type { EngineContext } from '../engine/context.js';
import { SCHEDULER_ACTOR } from '../engine/context.js';

/** What one tick's sweeps share: the time, the actor, cached capabilities, counters. */
export class TickScope {
  readonly actor: Actor = SCHEDULER_ACTOR;
  readonly #capabilities = new Map<string, PanelCapabilities | null>();

  constructor(
    readonly ctx: EngineContext,
    readonly now: Date,
    /** When the last tick this replica won ran; sliding windows start there. */
    readonly since: Date,
  ) {}

  /** The panel's capabilities, or null when its adapter cannot be had. */
  async capabilities(panelId: string): Promise<PanelCapabilities | null> {
    if (!this.#capabilities.has(panelId)) {
      try {
        this.#capabilities.set(panelId, (await this.ctx.panels.get(panelId)).adapter.capabilities);
      } catch {
        this.#capabilities.set(panelId, null);
      }
    }
    return this.#capabilities.get(panelId) ?? null;
  }
}

/**
 * Runs `fn` on every item, up to `limit` at once, taking items in order. After a failure no new
 * item is started; the items already running finish, then the first error is thrown.
 */
export async function forEachAtOnce<T>(items: AsyncIterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined) {
      const next = await iterator.next();
      if (next.done === true) return;
      try {
        await fn(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.floor(limit)) }, lane));
  if (failure !== undefined) throw failure.error;
}
