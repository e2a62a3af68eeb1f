import type { Logger } from '../ports/logger.js';
import type { StoragePort } from '../ports/storage.js';
import { createId } from '../domain/ids.js';
import { shutdownError } from './shutdown.js';

/** A slot this process holds for a panel's calls. */
export interface HeldSlot {
  readonly panelId: string;
  readonly slot: number;
  readonly holder: string;
  /**
   * When the lease surely still runs until, on this process's monotonic clock (`performance.now()`): the time
   * the take or renewal was sent plus its lease (the storage started the lease later than that, never earlier).
   */
  leaseEndsBy: number;
}

/** How long a slot is leased for, and how much of its lease must be left when a call starts on it. */
export interface SlotLease {
  /** Asked for on every take and renewal. */
  readonly leaseMs: number;
  /** A held slot with less left than this is renewed before a call starts on it. At most `leaseMs`. */
  readonly needMs: number;
}

/** The first wait after a refused take, and the longest: waits double between them, with jitter. */
const FIRST_WAIT_MS = 5;
const LONGEST_WAIT_MS = 250;

/**
 * A panel's concurrency limit across every process on one storage: a call takes one of the panel's slots
 * on the storage before it reaches the panel, and gives it back after (`storage.panelSlots`). The per-process
 * queue in front of it only keeps this process's own callers in line; when other replicas hold every slot, a
 * caller asks again after a short wait, backing off. A slot is leased on the storage's clock, so a replica
 * that dies holding one blocks it no longer than its lease.
 *
 * A slot may serve several calls in a row: a caller that holds it through many calls (a usage walk), or one
 * handed to the next call queued in this process ({@link PanelSlots.lend}). Before each call it must have
 * `needMs` of lease left ({@link PanelSlots.keep}); otherwise it is renewed, and when it was lost meanwhile
 * (its lease ended and another holder took it) a new one is taken: no call ever runs on a slot it does not hold.
 */
export class PanelSlots {
  readonly #process = createId('slot');
  #calls = 0;
  /** Slots handed on by a finished call, by panel id, for the next call of this process to start. */
  readonly #spare = new Map<string, HeldSlot[]>();

  constructor(
    private readonly storage: StoragePort,
    private readonly logger: Logger,
    private readonly random: () => number = Math.random,
    /** This process's monotonic clock, in ms; injected by tests. */
    private readonly elapsed: () => number = () => performance.now(),
  ) {}

  /**
   * One of the panel's `size` slots with at least `lease.needMs` left: a spare one handed on in this process
   * if there is one, else a new one from the storage (waiting while other holders have them all). Throws the
   * shutdown error when `gate` aborts while waiting.
   */
  async take(panelId: string, size: number, lease: SlotLease, gate?: AbortSignal): Promise<HeldSlot> {
    const spare = this.#spare.get(panelId)?.pop();
    if (spare !== undefined) return this.keep(spare, size, lease, gate);
    const holder = `${this.#process}:${++this.#calls}`;
    let wait = FIRST_WAIT_MS;
    for (;;) {
      const sent = this.elapsed();
      const slot = await this.storage.panelSlots.take(panelId, size, holder, lease.leaseMs);
      if (slot !== null) return { panelId, slot, holder, leaseEndsBy: sent + lease.leaseMs };
      // A call of this process may have handed one on while this one waited.
      const handed = this.#spare.get(panelId)?.pop();
      if (handed !== undefined) return this.keep(handed, size, lease, gate);
      if (gate?.aborted === true) throw shutdownError();
      await new Promise((resolve) => setTimeout(resolve, wait * (0.5 + this.random())));
      wait = Math.min(wait * 2, LONGEST_WAIT_MS);
    }
  }

  /**
   * `held` when it has `lease.needMs` left; renewed when less (one statement); when it was lost (another holder
   * took it after its lease ended), a new slot instead, as from {@link PanelSlots.take}.
   */
  async keep(held: HeldSlot, size: number, lease: SlotLease, gate?: AbortSignal): Promise<HeldSlot> {
    const sent = this.elapsed();
    if (held.leaseEndsBy - sent >= lease.needMs) return held;
    if (await this.storage.panelSlots.renew(held.panelId, held.slot, held.holder, lease.leaseMs)) {
      held.leaseEndsBy = sent + lease.leaseMs;
      return held;
    }
    this.logger.warn({ panelId: held.panelId, slot: held.slot }, "a panel slot's lease ended and another holder took it; taking one anew");
    return this.take(held.panelId, size, lease, gate);
  }

  /**
   * Hands the slot to the next call of this process on the same panel (which then starts without a take).
   * When no call takes it before this turn of the event loop ends, it is given back.
   */
  lend(held: HeldSlot): void {
    let spares = this.#spare.get(held.panelId);
    if (spares === undefined) {
      spares = [];
      this.#spare.set(held.panelId, spares);
    }
    spares.push(held);
    setImmediate(() => {
      const at = spares.indexOf(held);
      if (at === -1) return;
      spares.splice(at, 1);
      void this.give(held);
    });
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
