/**
 * What every panel simulator shares: the request pipeline (latency → fault → route → lost
 * response), the fault queue behind `PanelTestControls.injectFault`, request counting, and the
 * clock. A kind's simulator extends it with its routes, state and the panel's own error shapes.
 */
import { systemClock, type Clock } from '@panelkit/sdk';
import type { PanelFault } from '@panelkit/sdk/testing';
import { delay } from './delay.js';
import { FaultQueue } from './faults.js';
import type { FetchHandler } from './types.js';

/** Options every simulator accepts. */
export interface SimulatorBaseOptions {
  /** Where panel time comes from (expiry, sessions, enforcement). Default: the system clock. */
  readonly clock?: Clock;
  /** Delay before every answer, in real milliseconds. */
  readonly latencyMs?: number;
}

/** How many requests a simulator answered, in all and per route. */
export interface RequestCounts {
  /** Every request the simulator answered. */
  total: number;
  /** Per `METHOD path` (path without the base path and query). */
  byRoute: Map<string, number>;
}

/**
 * The base of every panel simulator: the request pipeline (latency, then a queued fault, then the
 * route, then a lost response or a dropped connection), request counting and the clock. Subclasses add the panel's routes,
 * state and error shapes.
 */
export abstract class SimulatorBase {
  readonly clock: Clock;
  /** Delay before every answer, in real milliseconds; change it any time. */
  latencyMs: number;
  readonly faults = new FaultQueue();
  readonly requests: RequestCounts = { total: 0, byRoute: new Map() };
  readonly #hangs = new Set<() => void>();

  constructor(options: SimulatorBaseOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.latencyMs = options.latencyMs ?? 0;
  }

  /** The Fetch handler: pass it to `mswHandler` or `serveOnLocalhost`. Bound, so it can be passed around. */
  readonly handle: FetchHandler = async (request) => {
    if (this.latencyMs > 0) await delay(this.latencyMs);
    const path = this.routePath(request);
    this.requests.total++;
    const key = `${request.method} ${path ?? new URL(request.url).pathname}`;
    this.requests.byRoute.set(key, (this.requests.byRoute.get(key) ?? 0) + 1);
    const fault = path !== null && !this.isSessionRequest(request, path) ? this.faults.take(request.method) : undefined;
    if (fault?.kind === 'timeout') return this.#hang(request);
    if (fault && fault.kind !== 'lost_response' && fault.kind !== 'lost_connection') return this.faultResponse(fault, request);
    const response = await this.route(request, path);
    if (fault?.kind === 'lost_response') return this.lostResponse(request, response);
    // Applied, then the connection drops without a byte of the answer (`serveOnLocalhost` destroys the socket;
    // msw fails the fetch as a network error).
    if (fault?.kind === 'lost_connection') return Response.error();
    return response;
  };

  /** Queues a fault for a later API request (see `PanelFault`); login requests never take one. */
  injectFault(fault: PanelFault): void {
    this.faults.push(fault);
  }

  /** Drops every pending fault. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** How many injected faults have not landed on a request yet. */
  pendingFaults(): number {
    return this.faults.size;
  }

  /** Sets the request counts back to zero. */
  resetRequestCounts(): void {
    this.requests.total = 0;
    this.requests.byRoute.clear();
  }

  /** Releases requests held by `timeout` faults (call in test cleanup). */
  releaseHangs(): void {
    for (const release of this.#hangs) release();
    this.#hangs.clear();
  }

  /** The request's path relative to the panel's base path, or `null` when it is outside it. */
  protected abstract routePath(request: Request): string | null;
  /** Login, CSRF-token and similar requests: faults never land on them. */
  protected abstract isSessionRequest(request: Request, path: string): boolean;
  /** The panel's own answer. `path` is `null` outside the base path. */
  protected abstract route(request: Request, path: string | null): Promise<Response>;
  /** The panel's answer for an injected `status`, `rate_limit` or `malformed` fault. */
  protected faultResponse(
    fault: Exclude<PanelFault, { kind: 'timeout' | 'lost_response' | 'lost_connection' }>,
    _request: Request,
  ): Response {
    switch (fault.kind) {
      case 'status':
        return new Response(fault.status >= 500 ? 'Internal Server Error' : '', {
          status: fault.status,
          headers: { 'content-type': 'text/plain' },
        });
      case 'rate_limit':
        return new Response('Too Many Requests', {
          status: 429,
          headers: { 'retry-after': String(fault.retryAfterSeconds), 'content-type': 'text/plain' },
        });
      case 'malformed':
        return new Response('{"success":tru', { status: 200, headers: { 'content-type': 'application/json' } });
      default:
        return fault satisfies never;
    }
  }
  /**
   * What the adapter sees when the panel applied a write but the answer was lost. The default is a
   * 200 with an empty body; kinds override it with their own signal (a 500 after commit…).
   */
  protected lostResponse(_request: Request, _applied: Response): Response {
    return new Response(null, { status: 200 });
  }

  #hang(request: Request): Promise<Response> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#hangs.delete(done);
        resolve(new Response(null, { status: 504 }));
      };
      const timer = setTimeout(done, 60_000);
      timer.unref?.();
      this.#hangs.add(done);
      // A signal that ended before the request arrived fires no event: end at once, as fetch would.
      if (request.signal?.aborted === true) done();
      else request.signal?.addEventListener('abort', done, { once: true });
    });
  }
}
