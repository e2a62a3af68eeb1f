/**
 * Recognising a request that died on a kept-alive socket the panel had already closed.
 *
 * A panel that answers and then closes a kept-alive connection races the next request written on it:
 * the request reaches a socket nobody reads, and undici fails it (`UND_ERR_SOCKET` "other side closed",
 * `ECONNRESET`, `EPIPE`). Such a request never reached the panel's handler, so {@link PanelHttp} sends
 * it once more, at once, on another connection: only when all of these hold for the failed request:
 *
 * - it was written on a reused socket (one that had already read an earlier answer);
 * - not one byte of its own answer arrived (undici's `onResponseStarted`, the parser's first byte);
 * - the failure is a socket close or reset, not a timeout, an abort or a refused connection.
 *
 * The socket of a request is seen through undici's `undici:client:sendHeaders` diagnostics channel,
 * published synchronously right after the request's `onConnect` (see {@link StaleSocketTrace}).
 */
import { subscribe } from 'node:diagnostics_channel';

/** The failures a closed or reset socket gives (undici's own code and the kernel's). */
const SOCKET_CLOSED_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/** What one attempt saw of its connection and of its answer. */
export class StaleSocketTrace {
  /** The request was written on a socket that had already read an earlier answer. */
  reused = false;
  /** The request was handed to a socket (`onConnect`). */
  connected = false;
  /** At least one byte of the answer arrived. */
  answered = false;

  /** True when `error` (fetch's rejection) is a request that provably never reached the panel. */
  neverReachedPanel(error: unknown): boolean {
    return this.connected && this.reused && !this.answered && SOCKET_CLOSED_CODES.has(causeCode(error) ?? '');
  }
}

/** The trace whose `onConnect` is running: the next `sendHeaders` publication is its socket. */
let connecting: StaleSocketTrace | undefined;

subscribe('undici:client:sendHeaders', (message) => {
  const trace = connecting;
  if (!trace) return;
  connecting = undefined;
  const socket = (message as { socket?: { bytesRead?: unknown } }).socket;
  trace.reused = typeof socket?.bytesRead === 'number' && socket.bytesRead > 0;
});

/** The minimal undici dispatcher and handler surface used here. */
interface Dispatcher {
  dispatch(options: unknown, handler: Record<string, unknown>): boolean;
}

/**
 * A dispatcher for one fetch that records into `trace`, over the global one (undici's, or whatever
 * `setGlobalDispatcher` installed); undefined when no global dispatcher is there (then fetch uses its own).
 */
export function tracingDispatcher(trace: StaleSocketTrace): Dispatcher | undefined {
  const base = (globalThis as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')] as Dispatcher | undefined;
  if (!base || typeof base.dispatch !== 'function') return undefined;
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
function causeCode(error: unknown): string | undefined {
  let current = (error as { cause?: unknown } | undefined)?.cause;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
