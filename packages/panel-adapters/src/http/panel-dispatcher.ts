/**
 * The connection pool panel calls go through: undici's own `Agent`, with idle connections dropped before a panel
 * would close them.
 *
 * A panel closes a kept-alive connection that stayed idle past its own timeout, and a request written on it at
 * that moment dies without an answer (`stale-socket.ts`), a write among them with its outcome unknown. The
 * servers panels run behind close idle connections after:
 *
 * - 5 s: uvicorn's `timeout_keep_alive` (Marzban, Marzneshin, PasarGuard), Node's `server.keepAliveTimeout`
 *   (Remnawave), Apache's `KeepAliveTimeout`;
 * - Go's `net/http` (3x-ui, S-UI): after its `IdleTimeout` (else `ReadTimeout`), never when neither is set;
 * - 60–75 s and more: nginx, Caddy, CDNs.
 *
 * undici keeps an idle connection 4 s when the server announces nothing (uvicorn and Go announce nothing), one
 * second short of 5 s, less the answer's way back and any stall of this process's event loop. Go's transport
 * keeps them 90 s, which suits servers that keep them minutes, not these. Panel connections here are dropped after
 * {@link PANEL_IDLE_MS} (2 s) idle, or the server's own `Keep-Alive: timeout` less undici's 2 s margin when that is
 * shorter: 3 s of margin against a 5 s server, more than undici itself leaves against an announced timeout. The
 * price is one new connection (a TCP and TLS handshake) when a panel was left idle more than 2 s; the engine's
 * bursts of calls still share one.
 *
 * The `Agent` is the class of the global dispatcher, the one the running `fetch` was built with: a dispatcher of
 * another undici major is not guaranteed to speak the same handler protocol as Node's built-in `fetch`. A global
 * dispatcher that is not a plain `Agent` (a `ProxyAgent` or `MockAgent` the host set with `setGlobalDispatcher`)
 * is used as it is: the host chose where its traffic goes. A host that wants its own pool for panels passes the
 * adapter a `fetch` that sets its `dispatcher`.
 */
import type { Dispatcher } from './stale-socket.js';

/** How long a panel connection may stay idle before it is closed, in ms (see the file header for why 2 s). */
export const PANEL_IDLE_MS = 2_000;

/** The global dispatcher's key, as undici's `setGlobalDispatcher` sets it. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

let pool: Dispatcher | undefined;

/** The dispatcher panel calls go through (see the file header); `undefined` when no undici is there to build it from. */
export function panelDispatcher(): Dispatcher | undefined {
  const global = globalDispatcher();
  if (global === undefined) return undefined;
  if (global.constructor?.name !== 'Agent') return global;
  if (pool === undefined || pool.constructor !== global.constructor) {
    const Agent = global.constructor as new (options: Record<string, unknown>) => Dispatcher;
    pool = new Agent({ keepAliveTimeout: PANEL_IDLE_MS, keepAliveMaxTimeout: PANEL_IDLE_MS });
  }
  return pool;
}

function globalDispatcher(): Dispatcher | undefined {
  let found = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
  if (found === undefined && typeof globalThis.Headers === 'function') {
    // Node loads its built-in undici, which installs the global dispatcher, on first use of a fetch class.
    found = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
  }
  if (found === null || typeof found !== 'object' || typeof (found as Dispatcher).dispatch !== 'function') return undefined;
  return found as Dispatcher;
}
