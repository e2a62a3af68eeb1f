import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import type { Panel } from '../domain/panel.js';
import { ConfigurationError, NotFoundError, PanelTimeoutError } from '../errors.js';
import { retryAfterOf, withRetry, type RetryPolicy } from '../retry.js';
import { PANEL_ADAPTER_API_VERSION } from '../ports/panel.js';
import type { CallContext, PanelAdapter } from '../ports/panel.js';
import type { StoragePort } from '../ports/storage.js';
import type { ResolvedPolicy } from './policy.js';
import { PanelPauses } from './panel-pauses.js';
import { PanelSlots, type HeldSlot, type SlotLease } from './panel-slots.js';
import { shutdownError } from './shutdown.js';
import type { Logger } from '../ports/logger.js';
import { silentLogger } from '../ports/logger.js';

/**
 * Gives the adapter for a stored panel. Called once per panel and again when its connection
 * settings (kind, base URL, credentials, options) change; the engine keeps the result.
 */
export type PanelAdapterFactory = (panel: Panel) => PanelAdapter;

/** One adapter and one concurrency queue per panel. */
export interface PanelHandle {
  readonly panel: Panel;
  readonly adapter: PanelAdapter;
  readonly queue: PQueue;
  /** How many calls the panel takes at once, in the whole deployment (the policy's, else the adapter's). */
  readonly concurrency: number;
}

/** What an adapter is built from: a change here (new credentials, a moved panel) needs a new adapter. */
function connectionOf(panel: Panel): string {
  return JSON.stringify([panel.kind, panel.baseUrl, panel.credentials, panel.options]);
}

/** Added to twice the call timeout for what a call needs of its slot's lease: room for a slow event loop between the call and giving the slot back. */
const SLOT_LEASE_MARGIN_MS = 5_000;

/** Calls to one panel through the slot a {@link PanelRegistry.hold} holds: one at a time, in the order made. */
export interface PanelLane {
  /**
   * Runs one panel call on the held slot, retried under `options.retry` (default `policy.panelReadRetry`;
   * `false` for one attempt) as {@link PanelRegistry.call} does, without a queue place or a slot of its own.
   */
  call<T>(idempotencyKey: string, fn: (ctx: CallContext) => Promise<T>, options?: Omit<CallOptions, 'gate'>): Promise<T>;
}

/** The slot an attempt or a lane runs on; taken on first need, and replaced when its lease was lost. */
interface SlotBox {
  held: HeldSlot | undefined;
}

/**
 * Adapters by panel id, checked for their API version, each with its own p-queue. The one owner of a panel
 * call's concurrency (the queue and the storage's panel slots), its timeout (one signal a call) and its
 * retries (an adapter makes one attempt; a job's attempts are the worker's, a read's are `retry` here).
 */
export class PanelRegistry {
  readonly #handles = new Map<string, { adapter: PanelAdapter; queue: PQueue; connection: string; concurrency: number }>();
  readonly #slots: PanelSlots;
  readonly #pauses = new PanelPauses();
  /**
   * What a call needs left of its slot's lease when it starts (longer than any call can last: its timeout
   * aborts it), and the lease asked for: one call timeout more, so a slot serving call after call (handed on, or
   * held through a walk) is renewed about once a timeout, not before every call. A replica that dies holding a
   * slot blocks it at most `leaseMs`.
   */
  readonly #lease: SlotLease;

  constructor(
    private readonly storage: StoragePort,
    private readonly factory: PanelAdapterFactory,
    private readonly policy: ResolvedPolicy,
    private readonly logger: Logger = silentLogger,
  ) {
    this.#slots = new PanelSlots(storage, logger);
    const needMs = 2 * policy.panelCallTimeoutMs + SLOT_LEASE_MARGIN_MS;
    this.#lease = { needMs, leaseMs: needMs + policy.panelCallTimeoutMs };
  }

  /** The panel as stored now, with its adapter and queue. */
  async get(panelId: string): Promise<PanelHandle> {
    const panel = await this.storage.panels.get(panelId);
    if (panel === null) throw new NotFoundError('panel', panelId);
    return this.handleFor(panel);
  }

  handleFor(panel: Panel): PanelHandle {
    const connection = connectionOf(panel);
    let handle = this.#handles.get(panel.id);
    if (handle !== undefined && handle.connection !== connection) {
      // The panel's settings changed (e.g. an admin fixed its credentials): build a fresh adapter
      // with the new settings; calls already running on the old one finish on it.
      handle = undefined;
    }
    if (handle === undefined) {
      const adapter = this.factory(panel);
      if (adapter?.apiVersion !== PANEL_ADAPTER_API_VERSION) {
        throw new ConfigurationError(
          `the adapter for panel ${panel.id} speaks panel API ${String(adapter?.apiVersion)}; this engine needs ${PANEL_ADAPTER_API_VERSION}`,
        );
      }
      const concurrency = Math.max(1, this.policy.panelConcurrency[panel.id] ?? adapter.capabilities.maxConcurrency);
      const queue = this.#handles.get(panel.id)?.queue ?? new PQueue({ concurrency });
      handle = { adapter, queue, connection, concurrency };
      this.#handles.set(panel.id, handle);
    }
    return { panel, adapter: handle.adapter, queue: handle.queue, concurrency: handle.concurrency };
  }

  /**
   * Builds the panel's adapter once, uncached, to refuse a factory that gives a panel of one kind the
   * adapter of another (`ConfigurationError` naming both): its targets would be the other panel's. A
   * factory that cannot build it yet (it throws, or gives nothing usable) is left to the first use.
   */
  verify(panel: Panel): void {
    let adapter: PanelAdapter | undefined;
    try {
      adapter = this.factory(panel);
    } catch {
      return;
    }
    if (adapter?.apiVersion !== PANEL_ADAPTER_API_VERSION || adapter.kind === panel.kind) return;
    throw new ConfigurationError(
      `panel ${panel.name} is a ${panel.kind} panel, but the adapter factory gave it a ${adapter.kind} adapter: its targets would be the other panel's`,
      { details: { panelKind: panel.kind, adapterKind: adapter.kind } },
    );
  }

  /** Every queue, for shutdown. */
  queues(): PQueue[] {
    return [...this.#handles.values()].map((h) => h.queue);
  }

  /**
   * Runs a panel call, retried under `options.retry` (default `policy.panelReadRetry`; `false` for one
   * attempt, as the worker's jobs do: their attempts are durable). Each attempt goes through the panel's
   * queue and one of its slots on the storage, so at most its concurrency run at once in this process and
   * in every replica together; between attempts no slot is held. A slot is handed from a finished attempt to
   * the next one waiting in the panel's queue (no give and take on the storage while the queue is busy). A
   * panel that asked to be left alone (`Retry-After` on a rate-limit error) gets no call from this process until
   * then. Each attempt's context (and its timeout, the call's only one) starts when the attempt does, not
   * while it waits; its `attempt` counts from `options.attempt` (default 1). A call still waiting when `gate`
   * aborts is not made: it throws a retryable shutdown error instead. An attempt's outcome reaches the caller as
   * soon as the panel has answered; its place in the panel's queue is held until its slot is handed on or given
   * back (the give is a storage round trip the caller need not wait for).
   */
  call<T>(handle: PanelHandle, idempotencyKey: string, fn: (ctx: CallContext) => Promise<T>, options: CallOptions = {}): Promise<T> {
    return this.#retried(
      handle,
      idempotencyKey,
      options,
      (attempt) =>
        new Promise<T>((resolve, reject) => {
          handle.queue
            .add(async () => {
              const box: SlotBox = { held: undefined };
              try {
                resolve(await this.#attempt(handle, box, idempotencyKey, fn, options, attempt));
              } catch (error) {
                reject(error);
              } finally {
                await this.#release(handle, box.held);
              }
            })
            .catch(reject);
        }),
    );
  }

  /**
   * Runs `work` holding one place in the panel's queue and one of its slots throughout (taken once, given back
   * once, its lease renewed while `work` lasts): the calls `work` makes through its {@link PanelLane} reach the
   * panel one at a time without a take and a give each. For a walk of many calls in a row (a usage sync's
   * pages). Calls to the same panel inside `work` must go through the lane: one through {@link call} waits for
   * a queue place this walk may be holding. `gate` as in {@link call}, for the walk's start.
   */
  hold<T>(handle: PanelHandle, work: (lane: PanelLane) => Promise<T>, options: { gate?: AbortSignal } = {}): Promise<T> {
    return handle.queue.add(async () => {
      if (options.gate?.aborted === true) throw shutdownError();
      const box: SlotBox = { held: undefined };
      let turn: Promise<unknown> = Promise.resolve();
      const lane: PanelLane = {
        call: (key, fn, callOptions = {}) => {
          const run = turn.then(() =>
            this.#retried(handle, key, callOptions, (attempt) => this.#attempt(handle, box, key, fn, callOptions, attempt)),
          );
          turn = run.catch(() => undefined);
          return run;
        },
      };
      try {
        return await work(lane);
      } finally {
        // A call `work` left running (its caller stopped waiting) ends before the slot is let go.
        await turn;
        await this.#release(handle, box.held);
      }
    }) as Promise<T>;
  }

  /** `attemptOnce` under `options.retry`, as {@link call} describes. */
  #retried<T>(
    handle: PanelHandle,
    idempotencyKey: string,
    options: CallOptions,
    attemptOnce: (attempt: number | undefined) => Promise<T>,
  ): Promise<T> {
    const policy = options.retry === undefined ? this.policy.panelReadRetry : options.retry;
    if (policy === false || policy.maxAttempts <= 1) return attemptOnce(options.attempt);
    const first = options.attempt ?? 1;
    return withRetry((n) => attemptOnce(first + n - 1), {
      policy,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      onRetry: ({ attempt, delayMs, error }) =>
        this.logger.warn(
          { panelId: handle.panel.id, key: idempotencyKey, attempt, delayMs, code: (error as { code?: string }).code },
          'retrying a panel read',
        ),
    });
  }

  /**
   * One attempt on the slot in `box` (taken when there is none, renewed or replaced when its lease runs short),
   * once the panel is not paused.
   */
  async #attempt<T>(
    handle: PanelHandle,
    box: SlotBox,
    idempotencyKey: string,
    fn: (ctx: CallContext) => Promise<T>,
    options: CallOptions,
    attempt: number | undefined,
  ): Promise<T> {
    if (options.gate?.aborted === true) throw shutdownError();
    await this.#pauses.wait(handle.panel.id, options.gate ?? options.signal).catch((error: unknown) => {
      throw options.gate?.aborted === true ? shutdownError() : error;
    });
    box.held =
      box.held === undefined
        ? await this.#slots.take(handle.panel.id, handle.concurrency, this.#lease, options.gate)
        : await this.#slots.keep(box.held, handle.concurrency, this.#lease, options.gate);
    try {
      return await this.#run(handle, idempotencyKey, this.policy.panelCallTimeoutMs, fn, options, attempt);
    } catch (error) {
      const retryAfter = retryAfterOf(error);
      if (retryAfter !== undefined) this.#pauses.pause(handle.panel.id, Math.min(retryAfter, this.policy.panelReadRetry.maxRetryAfterMs));
      throw error;
    }
  }

  /** Hands a finished call's slot to the next one waiting in the panel's queue, or gives it back when none waits. */
  async #release(handle: PanelHandle, held: HeldSlot | undefined): Promise<void> {
    if (held === undefined) return;
    if (handle.queue.size > 0) this.#slots.lend(held);
    else await this.#slots.give(held);
  }

  async #run<T>(
    handle: PanelHandle,
    idempotencyKey: string,
    timeoutMs: number,
    fn: (ctx: CallContext) => Promise<T>,
    options: CallOptions,
    attempt: number | undefined,
  ): Promise<T> {
    const timedOut = () =>
      new PanelTimeoutError(`no answer within the engine's panel call timeout (${timeoutMs} ms)`, {
        panelId: handle.panel.id,
        panelKind: handle.panel.kind,
      });
    const call = callContext(idempotencyKey, timeoutMs, timedOut, options.signal, attempt);
    try {
      return await fn(call.ctx);
    } finally {
      call.done();
    }
  }
}

/**
 * A call context whose signal aborts after `timeoutMs` (with `timedOut()`, a retryable
 * `PanelTimeoutError`: the write may or may not have happened, and the job runs again) or with
 * `parent`; `done()` clears the timer and the listener on `parent`. One controller and one timer a
 * call: `AbortSignal.timeout` leaves its timer behind until it fires, its `DOMException` reason
 * reached the worker as an INTERNAL error that was not retried, and `AbortSignal.any` costs more
 * than the call's own work.
 */
function callContext(
  idempotencyKey: string,
  timeoutMs: number,
  timedOut: () => Error,
  parent?: AbortSignal,
  attempt?: number,
): { ctx: CallContext; done(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(timedOut()), timeoutMs);
  // Like `AbortSignal.timeout`, the timer alone does not keep the process alive.
  timer.unref?.();
  const onAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted === true) onAbort();
  else if (parent !== undefined) {
    // Every call in flight listens on its worker's signal: hundreds at once is expected, not a leak.
    setMaxListeners(0, parent);
    parent.addEventListener('abort', onAbort, { once: true });
  }
  const ctx: CallContext =
    attempt === undefined ? { signal: controller.signal, idempotencyKey } : { signal: controller.signal, idempotencyKey, attempt };
  return {
    ctx,
    done() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}

/** Options of `PanelRegistry.call`. */
export interface CallOptions {
  /** Aborts the call once it runs, and its waits between attempts. */
  signal?: AbortSignal;
  /** When aborted, calls that have not started are not made. */
  gate?: AbortSignal;
  /** The first attempt's number (a job's attempt). Default 1. */
  attempt?: number;
  /** How the call is retried: default `policy.panelReadRetry`; `false` makes one attempt (a job retries durably). */
  retry?: RetryPolicy | false;
}

export { isShutdownError, shutdownError } from './shutdown.js';
