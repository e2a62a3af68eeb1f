import type { Logger } from '@panelkit/sdk';
import type { RandomSource, RetryPolicy } from '@panelkit/sdk/adapter';
import type { PanelHttpOptions } from './panel-http.js';

/** The options every adapter takes for its connection to the panel (its `PanelHttp`). */
export interface PanelConnectionOptions {
  /** The panel's URL, base path included. */
  readonly baseUrl: string;
  /** The shop's id for this panel, for errors and logs. */
  readonly panelId?: string;
  /** Per request. Default 15 s. */
  readonly timeoutMs?: number;
  /** Requests in flight at once. Default 4. */
  readonly maxConcurrency?: number;
  /** In-call retries. Default: the SDK's policy. */
  readonly retry?: RetryPolicy;
  readonly logger?: Logger;
  /** Replaces the global fetch (tests, proxies). */
  readonly fetch?: typeof globalThis.fetch;
  /** Test hooks for the retry policy. */
  readonly random?: RandomSource;
  /** Waits between retries; must reject when the signal aborts. Inject in tests so nothing sleeps. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The `PanelHttp` options of an adapter's connection options (`maxConcurrency` defaults to 4). */
export function connectionHttpOptions(kind: string, options: PanelConnectionOptions): PanelHttpOptions {
  return {
    kind,
    baseUrl: options.baseUrl,
    maxConcurrency: options.maxConcurrency ?? 4,
    panelId: options.panelId,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    logger: options.logger,
    fetch: options.fetch,
    random: options.random,
    sleep: options.sleep,
  };
}
