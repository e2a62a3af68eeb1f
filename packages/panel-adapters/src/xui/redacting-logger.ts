/**
 * Gen A routes carry the client's credential in the path (`updateClient/<uuid>`,
 * `<id>/delClient/<uuid|password>`), and the HTTP layer logs request paths. The adapter hands the
 * HTTP layer this wrapper, which blanks that path segment in every log line before it is written.
 */
import type { LogFn, Logger } from '@panelkit/sdk';

const CLIENT_KEY_IN_PATH = /(updateClient|delClient)\/[^/?#]+/g;

function redactBindings(bindings: Record<string, unknown>): Record<string, unknown> {
  const path = bindings.path;
  if (typeof path !== 'string' || !CLIENT_KEY_IN_PATH.test(path)) return bindings;
  CLIENT_KEY_IN_PATH.lastIndex = 0;
  return { ...bindings, path: path.replace(CLIENT_KEY_IN_PATH, '$1/[client]') };
}

function wrap(fn: LogFn): LogFn {
  return ((first: string | Record<string, unknown>, message?: string) => {
    if (typeof first === 'string') fn(first);
    else if (message === undefined) fn(redactBindings(first));
    else fn(redactBindings(first), message);
  }) as LogFn;
}

export function redactingLogger(logger: Logger): Logger {
  return {
    debug: wrap(logger.debug.bind(logger)),
    info: wrap(logger.info.bind(logger)),
    warn: wrap(logger.warn.bind(logger)),
    error: wrap(logger.error.bind(logger)),
    child: (bindings) => redactingLogger(logger.child(redactBindings(bindings))),
  };
}
