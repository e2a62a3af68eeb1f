import type { Logger } from '@panelkit/sdk';
import type { RandomSource, RetryPolicy } from '@panelkit/sdk/adapter';
import type { PanelHttpOptions } from './panel-http.js';

/** The options every adapter takes for its connection to the panel (its `PanelHttp`). */
export interface PanelConnectionOptions {
  /** The panel's URL, base path included. */
  readonly baseUrl: string;
  /** The shop's id for this panel, for errors and logs. */
  readonly panelId?: string;
  /** @deprecated Ignored: the caller's `CallContext.signal` is the one timeout (the engine's `panelCallTimeoutMs`). */
  readonly timeoutMs?: number;
  /** Calls the panel takes at once, in the whole deployment: the adapter's `capabilities.maxConcurrency`. Default 4. */
  readonly maxConcurrency?: number;
  /** @deprecated Ignored: the engine retries (`policy.jobRetry`, `policy.panelReadRetry`). */
  readonly retry?: RetryPolicy;
  readonly logger?: Logger;
  /** Replaces the global fetch (tests, proxies). */
  readonly fetch?: typeof globalThis.fetch;
  /** @deprecated Ignored (the engine retries). */
  readonly random?: RandomSource;
  /** @deprecated Ignored (the engine retries). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The `PanelHttp` options of an adapter's connection options. */
export function connectionHttpOptions(kind: string, options: PanelConnectionOptions): PanelHttpOptions {
  return {
    kind,
    baseUrl: options.baseUrl,
    panelId: options.panelId,
    logger: options.logger,
    fetch: options.fetch,
  };
}
