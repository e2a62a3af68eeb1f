import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { stdSerializers, type Level, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { loggedUrl } from './logged-url.js';
import { isQuietAnswer } from './quiet-answer.js';

/** The level a finished request is logged at: a quiet answer `debug`, a failure or a 5xx `error`, a 4xx `warn`, else `info`. */
function levelOf(res: ServerResponse, error: unknown): Level {
  return isQuietAnswer(res) ? 'debug' : error !== undefined || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
}

/** Requests not logged at all: the probes and the static files. */
const unlogged = (req: IncomingMessage) => req.url === '/healthz' || req.url === '/metrics' || (req.url ?? '').startsWith('/assets/');

/** A request as it is logged: pino's standard fields, the path without a subscription link's token (a credential). */
const reqSerializer = (req: { url?: string }) => ({ ...req, url: loggedUrl(req.url) });

/**
 * One line a finished request (pino-http's: `request completed` or `request errored`, with `req`, `res`,
 * `responseTime` and `err`), at the level {@link levelOf} gives it. pino-http serializes each request's fields into a
 * child logger as the request starts, whatever the level (about 0.2 ms of CPU a request on a 2-core machine, for
 * every webhook update); so it runs only while `info` is written (then every request is logged). At a quieter
 * level (a production's `warn` or `error`) a request is looked at when it ends, and the few whose line the level
 * writes (a 4xx at `warn`, a failure or a 5xx at `error`) are serialized then, into the same line.
 */
export function requestLog(logger: Logger): RequestHandler {
  const everyRequest = pinoHttp({
    logger,
    customLogLevel: (_req, res, error) => levelOf(res, error),
    serializers: { req: reqSerializer },
    autoLogging: { ignore: unlogged },
  });
  const serializeReq = (req: IncomingMessage) => reqSerializer(stdSerializers.req(req));
  const log = logger.child({}, { serializers: { req: serializeReq, res: stdSerializers.res, err: stdSerializers.err } });
  let nextId = 0;
  return (req, res, next) => {
    if (logger.isLevelEnabled('info')) return everyRequest(req, res, next);
    if (unlogged(req)) return next();
    const startedAt = Date.now();
    const id = ++nextId;
    const finished = (error?: unknown) => {
      res.removeListener('close', finished);
      res.removeListener('finish', finished);
      res.removeListener('error', finished);
      const failure = error ?? (res as { err?: unknown }).err;
      const level = levelOf(res, failure);
      if (!log.isLevelEnabled(level)) return;
      const responseTime = Date.now() - startedAt;
      const requestLog = log.child({ req: Object.assign(req, { id: (req as { id?: unknown }).id ?? id }) });
      if (failure !== undefined || res.statusCode >= 500)
        requestLog[level]({ res, err: failure ?? new Error(`failed with status code ${res.statusCode}`), responseTime }, 'request errored');
      else requestLog[level]({ res, responseTime }, 'request completed');
    };
    res.on('close', finished);
    res.on('finish', finished);
    res.on('error', finished);
    next();
  };
}
