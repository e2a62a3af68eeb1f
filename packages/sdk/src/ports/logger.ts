/** One log level: a message, or structured bindings and an optional message (pino's call shapes). */
export interface LogFn {
  (message: string): void;
  (bindings: Record<string, unknown>, message?: string): void;
}

/**
 * The subset of pino's logger the SDK uses, so a pino instance can be passed as is. The SDK
 * never logs credentials, tokens or subscription secrets. The default is {@link silentLogger}.
 */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger that adds `bindings` to every line (pino's `child`). */
  child(bindings: Record<string, unknown>): Logger;
}

const noop: LogFn = () => {};

/** The default: says nothing. */
export const silentLogger: Logger = Object.freeze({
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
});
