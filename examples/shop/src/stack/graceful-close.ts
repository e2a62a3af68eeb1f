import type { Server, ServerResponse } from 'node:http';

/** How long a stopping web server lets the requests it is answering finish: below the compose file's 30 s grace. */
export const DRAIN_GRACE_MS = 20_000;

/** Stops a server gracefully; resolves once its last connection has closed. */
export type CloseGracefully = (options?: { graceMs?: number }) => Promise<void>;

/**
 * Prepares `server` for a graceful stop (call before it serves). The returned function stops accepting
 * connections and closes the idle kept-alive ones at once, lets the requests being answered finish, and ends
 * each connection after its answer: responses not yet sent (and requests still arriving on a kept-alive socket
 * meanwhile) carry `Connection: close`, and a connection left idle after its answer is closed. What is still
 * open after `graceMs` is cut.
 */
export function gracefulClose(server: Server): CloseGracefully {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  // Before the app's own listener: a request arriving while draining is answered, then its connection ends.
  server.prependListener('request', (_req, res: ServerResponse) => {
    if (draining) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    // A response whose headers went out before the drain kept its socket alive: close it once idle.
    res.once('finish', () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  return ({ graceMs = DRAIN_GRACE_MS } = {}) =>
    new Promise<void>((resolve) => {
      draining = true;
      const cut = setTimeout(() => server.closeAllConnections(), graceMs);
      server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      server.closeIdleConnections();
    });
}
