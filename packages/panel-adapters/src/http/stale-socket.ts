/**
 * Recognising a request that died on a kept-alive socket the panel had already closed, and whether it may be
 * sent once more at once.
 *
 * A panel that closes an idle kept-alive connection races the next request written on it: undici fails that
 * request (`UND_ERR_SOCKET` "other side closed", `ECONNRESET`, `EPIPE`) before any byte of an answer. That alone
 * does not prove the panel never saw it: the request may have been written in full, read and applied, and the
 * connection lost before the answer (a reset, a crash, a proxy in between). So {@link PanelHttp} sends it once
 * more, at once, on another connection only when all of these hold (the rule of Go's `net/http` transport,
 * `shouldRetryRequest`):
 *
 * - it was written on a reused socket (one that had already read an earlier answer); a fresh connection that
 *   fails is the panel's trouble, not a race, and is left to the engine's retries;
 * - not one byte of its own answer arrived (undici's `onHeaders`/`onResponseStarted`, the parser's first byte);
 * - the failure is a socket close or reset, not a timeout, an abort or a refused connection;
 * - and either no byte of the request left this process (the socket's `bytesWritten` did not move since undici
 *   took it for this request), or the request is idempotent (`PanelRequest.idempotent`: sending it twice is
 *   sending it once).
 *
 * Any other failure is the caller's: a write whose bytes left may have been applied, and the adapter settles it
 * by reading the panel back (or the engine's next attempt adopts what the first one made).
 *
 * The socket of a request is seen through undici's `undici:client:sendHeaders` diagnostics channel, published
 * synchronously right after the request's `onConnect` and before undici writes any of it.
 */
import { subscribe } from 'node:diagnostics_channel';

/** The failures a closed or reset socket gives (undici's own code and the kernel's). */
const SOCKET_CLOSED_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/** What the trace needs of a socket: Node's `net.Socket` counters. */
export interface CountedSocket {
  /** Bytes handed to the kernel or queued to be; Node counts them at `socket.write`. */
  readonly bytesWritten?: number;
  /** Bytes read so far; above zero once an earlier answer was read on the socket. */
  readonly bytesRead?: number;
}

/** What one attempt saw of its connection and of its answer. */
export class StaleSocketTrace {
  /** The request was written on a socket that had already read an earlier answer. */
  reused = false;
  /** The request was handed to a socket (`onConnect`). */
  connected = false;
  /** At least one byte of the answer arrived. */
  answered = false;
  #socket: CountedSocket | undefined;
  #bytesBefore: number | undefined;

  /** Undici took `socket` for this request, before writing any of it. */
  assigned(socket: CountedSocket | undefined): void {
    this.#socket = socket;
    this.reused = typeof socket?.bytesRead === 'number' && socket.bytesRead > 0;
    this.#bytesBefore = typeof socket?.bytesWritten === 'number' ? socket.bytesWritten : undefined;
  }

  /**
   * Whether any byte of this request may have left for the panel. True when unknown (no socket seen, or a count
   * that cannot be read): only a count that provably did not move says "nothing left".
   */
  requestWritten(): boolean {
    const before = this.#bytesBefore;
    const after = this.#socket?.bytesWritten;
    if (before === undefined || typeof after !== 'number') return true;
    return after > before;
  }

  /**
   * True when `error` (fetch's rejection) may be sent once more at once: it died on a reused socket, closed or
   * reset before any byte of its answer, and either nothing of it was written or it is `idempotent`.
   */
  mayResend(error: unknown, idempotent: boolean): boolean {
    if (!this.connected || !this.reused || this.answered) return false;
    if (!SOCKET_CLOSED_CODES.has(causeCode(error) ?? '')) return false;
    return idempotent || !this.requestWritten();
  }
}

/** The trace whose `onConnect` is running: the next `sendHeaders` publication is its socket. */
let connecting: StaleSocketTrace | undefined;

subscribe('undici:client:sendHeaders', (message) => {
  const trace = connecting;
  if (!trace) return;
  connecting = undefined;
  trace.assigned((message as { socket?: CountedSocket }).socket);
});

/** The minimal undici dispatcher and handler surface used here. */
export interface Dispatcher {
  dispatch(options: unknown, handler: Record<string, unknown>): boolean;
}

/** A dispatcher for one fetch that records into `trace`, over `base` (the panels' pool, see `panel-dispatcher.ts`). */
export function tracingDispatcher(trace: StaleSocketTrace, base: Dispatcher): Dispatcher {
  return {
    dispatch(options, handler) {
      const traced = new Proxy(handler, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          if (typeof value !== 'function') return value;
          if (property === 'onConnect') {
            return (...args: unknown[]) => {
              trace.connected = true;
              connecting = trace;
              // sendHeaders follows onConnect synchronously; never let a stale pointer name another request.
              queueMicrotask(() => {
                if (connecting === trace) connecting = undefined;
              });
              return value.apply(target, args);
            };
          }
          if (property === 'onResponseStarted' || property === 'onHeaders' || property === 'onUpgrade' || property === 'onData') {
            return (...args: unknown[]) => {
              trace.answered = true;
              return value.apply(target, args);
            };
          }
          return value.bind(target);
        },
      });
      return base.dispatch(options, traced);
    },
  };
}

/** The first `code` along the error's causes (ofetch's `FetchError` → fetch's `TypeError` → undici's error). */
export function causeCode(error: unknown): string | undefined {
  let current = (error as { cause?: unknown } | undefined)?.cause;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
