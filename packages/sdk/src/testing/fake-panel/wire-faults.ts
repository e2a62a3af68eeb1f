import {
  PanelAuthError,
  PanelConnectionError,
  PanelError,
  PanelNotFoundError,
  PanelOutcomeUnknownError,
  PanelRateLimitError,
  PanelResponseError,
  PanelServerError,
  PanelTimeoutError,
  PanelkitError,
} from '../../errors.js';
import type { PanelErrorContext } from '../../errors.js';
import { abortableSleep } from '../../retry.js';
import type { PanelFault } from '../panel/harness.js';
import type { FakePanelOperation } from './faults.js';

const WRITES: ReadonlySet<FakePanelOperation> = new Set(['createClients', 'updateClient', 'resetUsage', 'deleteClient']);

/**
 * The conformance suite's wire-level faults (`PanelTestControls.injectFault`) for the fake panel:
 * what a real panel does on the wire, turned into what a real adapter sees on one attempt. Faults
 * are consumed in order, each by the first call its scope matches, and thrown at once, as a real
 * adapter does (the engine retries).
 */
export class WireFaults {
  readonly #pending: PanelFault[] = [];

  push(fault: PanelFault): void {
    this.#pending.push(fault);
  }

  clear(): void {
    this.#pending.length = 0;
  }

  /** How many faults have not landed yet. */
  get size(): number {
    return this.#pending.length;
  }

  /** The first pending fault this operation matches, consumed. */
  take(operation: FakePanelOperation): PanelFault | undefined {
    const write = WRITES.has(operation);
    const index = this.#pending.findIndex((f) => {
      const scope = f.on ?? 'any';
      return scope === 'any' || (scope === 'write') === write;
    });
    return index < 0 ? undefined : this.#pending.splice(index, 1)[0];
  }
}

/**
 * What one attempt meets for a fault that stops the request before the panel applies it: the
 * error a real adapter maps it to. A `timeout` waits until the call's signal ends it (or `timeoutMs`).
 */
export async function failAttempt(
  fault: Exclude<PanelFault, { kind: 'lost_response' | 'lost_connection' }>,
  context: PanelErrorContext,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<never> {
  switch (fault.kind) {
    case 'status': {
      const ctx = { ...context, status: fault.status };
      if (fault.status >= 500) throw new PanelServerError(`the panel answered ${fault.status}`, ctx);
      if (fault.status === 401 || fault.status === 403) throw new PanelAuthError(`the panel answered ${fault.status}`, ctx);
      if (fault.status === 404) throw new PanelNotFoundError('the panel answered 404', ctx);
      if (fault.status === 429) throw new PanelRateLimitError('the panel answered 429', ctx);
      throw new PanelError('PANEL_REJECTED', `the panel answered ${fault.status}`, ctx, { retryable: false });
    }
    case 'rate_limit':
      throw new PanelRateLimitError('the panel is rate limiting', {
        ...context,
        status: 429,
        retryAfterMs: fault.retryAfterSeconds * 1000,
      });
    case 'malformed':
      throw new PanelResponseError('the panel answered a body that is not JSON', context);
    case 'timeout':
      // Held until the call's signal ends it (the engine's timeout, kept as it is) or `timeoutMs` passes.
      await abortableSleep(timeoutMs, signal).catch((reason: unknown) => {
        if (reason instanceof PanelkitError) throw reason;
      });
      throw new PanelTimeoutError(`no answer within the call's timeout`, context);
    default:
      return fault satisfies never;
  }
}

/** A request the panel applied whose connection then closed without an answer: what a real adapter's HTTP client throws. */
export function lostConnection(context: PanelErrorContext): PanelConnectionError {
  return new PanelConnectionError('the connection closed before the panel answered', context);
}

/** A write the panel applied whose answer was lost: the outcome is unknown to the caller. */
export function lostAnswer(context: PanelErrorContext): PanelOutcomeUnknownError {
  return new PanelOutcomeUnknownError('the answer was lost after the panel applied the write', context);
}
