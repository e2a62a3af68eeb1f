import type { Logger } from '../ports/logger.js';
import type { StoragePort } from '../ports/storage.js';
import { createId } from '../domain/ids.js';
import { shutdownError } from './shutdown.js';

/** A slot this process holds for one panel call. */
export interface HeldSlot {
  readonly panelId: string;
  readonly slot: number;
  readonly holder: string;
}

/** The first wait after a refused take, and the longest: waits double between them, with jitter. */
const FIRST_WAIT_MS = 5;
const LONGEST_WAIT_MS = 250;

/**
 * A panel's concurrency limit across every process on one storage: a call takes one of the panel's slots
 * on the storage before it reaches the panel, and gives it back after (`storage.panelSlots`). The per-process
 * queue in front of it only keeps this process's own callers in line; when other replicas hold every slot, a
 * caller asks again after a short wait, backing off. A slot is leased for `leaseMs` on the storage's clock,
 * so a replica that dies holding one blocks it no longer than that.
 */
export class PanelSlots {
  readonly #process = createId('slot');
  #calls = 0;

  constructor(
    private readonly storage: StoragePort,
    private readonly logger: Logger,
    private readonly random: () => number = Math.random,
  ) {}

  /** Waits for one of the panel's `size` slots; throws the shutdown error when `gate` aborts while waiting. */
  async take(panelId: string, size: number, leaseMs: number, gate?: AbortSignal): Promise<HeldSlot> {
    const holder = `${this.#process}:${++this.#calls}`;
    let wait = FIRST_WAIT_MS;
    for (;;) {
      const slot = await this.storage.panelSlots.take(panelId, size, holder, leaseMs);
      if (slot !== null) return { panelId, slot, holder };
      if (gate?.aborted === true) throw shutdownError();
      await new Promise((resolve) => setTimeout(resolve, wait * (0.5 + this.random())));
      wait = Math.min(wait * 2, LONGEST_WAIT_MS);
    }
  }

  /** Gives the slot back; when the storage cannot be reached, its lease ends it instead. */
  async give(held: HeldSlot): Promise<void> {
    try {
      await this.storage.panelSlots.give(held.panelId, held.slot, held.holder);
    } catch (error) {
      this.logger.warn({ err: error, panelId: held.panelId, slot: held.slot }, 'a panel slot was not given back; its lease will end it');
    }
  }
}
