import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import type { Panel } from '../domain/panel.js';
import { ConfigurationError, NotFoundError, PanelTimeoutError, PanelkitError } from '../errors.js';
import { PANEL_ADAPTER_API_VERSION } from '../ports/panel.js';
import type { CallContext, PanelAdapter } from '../ports/panel.js';
import type { StoragePort } from '../ports/storage.js';
import type { ResolvedPolicy } from './policy.js';
import { PanelSlots } from './panel-slots.js';
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

/** Added to twice the call timeout for a slot's lease: room for a slow event loop between the call and giving the slot back. */
const SLOT_LEASE_MARGIN_MS = 5_000;

/** Adapters by panel id, checked for their API version, each with its own p-queue. */
export class PanelRegistry {
  readonly #handles = new Map<string, { adapter: PanelAdapter; queue: PQueue; connection: string; concurrency: number }>();
  readonly #slots: PanelSlots;

  constructor(
    private readonly storage: StoragePort,
    private readonly factory: PanelAdapterFactory,
    private readonly policy: ResolvedPolicy,
    logger: Logger = silentLogger,
  ) {
    this.#slots = new PanelSlots(storage, logger);
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

  /** Every queue, for shutdown. */
  queues(): PQueue[] {
    return [...this.#handles.values()].map((h) => h.queue);
  }

  /**
   * Runs one panel call through the panel's queue and one of its slots on the storage, so at most its
   * concurrency run at once in this process and in every replica together. The call's context (and its
   * timeout) starts when the call does, not while it waits. A call still waiting when `gate` aborts is not
   * made: it throws a retryable shutdown error instead.
   */
  call<T>(handle: PanelHandle, idempotencyKey: string, fn: (ctx: CallContext) => Promise<T>, options: CallOptions = {}): Promise<T> {
    return handle.queue.add(async () => {
      if (options.gate?.aborted === true) throw shutdownError();
      const timeoutMs = this.policy.panelCallTimeoutMs;
      // Longer than any call can last (its timeout aborts it), so only a dead holder's slot ever expires.
      const held = await this.#slots.take(handle.panel.id, handle.concurrency, 2 * timeoutMs + SLOT_LEASE_MARGIN_MS, options.gate);
      try {
        return await this.#run(handle, idempotencyKey, timeoutMs, fn, options);
      } finally {
        await this.#slots.give(held);
      }
    }) as Promise<T>;
  }

  async #run<T>(
    handle: PanelHandle,
    idempotencyKey: string,
    timeoutMs: number,
    fn: (ctx: CallContext) => Promise<T>,
    options: CallOptions,
  ): Promise<T> {
    const timedOut = () =>
      new PanelTimeoutError(`no answer within the engine's panel call timeout (${timeoutMs} ms)`, {
        panelId: handle.panel.id,
        panelKind: handle.panel.kind,
      });
    const call = callContext(idempotencyKey, timeoutMs, timedOut, options.signal, options.attempt);
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

export interface CallOptions {
  /** Aborts the call once it runs. */
  signal?: AbortSignal;
  /** When aborted, calls that have not started are not made. */
  gate?: AbortSignal;
  attempt?: number;
}

export { isShutdownError, shutdownError } from './shutdown.js';
