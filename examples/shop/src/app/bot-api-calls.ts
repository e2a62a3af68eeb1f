import { type ApiClientOptions, HttpError, InputFile, type Transformer } from 'grammy';
import { type BotApiFetch, isBotApiFetch } from './bot-api-fetch.js';

/** What grammY's client sends with a JSON call (`core/payload.js`). */
const JSON_HEADERS = { 'content-type': 'application/json', connection: 'keep-alive' };

/** grammY's JSON payload: `null` values left out. */
const dropNulls = (_key: string, value: unknown) => value ?? undefined;

/** Whether a payload holds a file anywhere, so grammY sends it as multipart (its `requiresFormDataUpload`). */
function holdsFile(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof InputFile) return true;
  if (Array.isArray(value)) return value.some(holdsFile);
  for (const key in value) if (holdsFile((value as Record<string, unknown>)[key])) return true;
  return false;
}

/** grammY's `toHttpError`: the failed call named, the cause kept (its `code` is what `send-policy.ts` reads). */
function httpError(method: string, sensitiveLogs: boolean, error: unknown): HttpError {
  let message = `Network request for '${method}' failed!`;
  if (typeof error === 'object' && error !== null && 'status' in error && 'statusText' in error)
    message += ` (${String(error.status)}: ${String(error.statusText)})`;
  if (sensitiveLogs && error instanceof Error) message += ` ${error.message}`;
  return new HttpError(message, error);
}

/**
 * A transformer, installed first on an `Api` (so every other transformer wraps it), that makes a JSON call itself on
 * {@link botApiFetch}, as grammY's client would, without the client's per-call machinery: an `AbortController`
 * polyfill and its event target, a stream-error promise and a race of three (issue 93; some 12 → 4 µs a call). The
 * same request (URL, headers, body with `null` values left out), the same per-call timeout (`timeoutSeconds`, default
 * 500 s; the request is destroyed), the same answer and the same `HttpError` for a failed request or an unreadable
 * answer. grammY's own call is left every call it does something else for: one with a caller's abort signal, a file
 * upload (multipart), and a method that may ride on a webhook's reply (`canUseWebhookReply`, whether or not this
 * update has a reply to ride on). With a client grammY would call otherwise (another `fetch`, URL builder or test
 * environment) the transformer leaves every call to grammY.
 */
export function directJsonCalls(token: string, options: ApiClientOptions = {}): Transformer {
  const fetch = options.fetch as unknown;
  const environment = options.environment ?? 'prod';
  if (!isBotApiFetch(fetch) || options.buildUrl !== undefined || environment !== 'prod')
    return (call, method, payload, signal) => call(method, payload, signal);
  const send: BotApiFetch = fetch;
  const root = options.apiRoot ?? 'https://api.telegram.org';
  const seconds = options.timeoutSeconds ?? 500;
  const replies = options.canUseWebhookReply ?? (() => false);
  const sensitiveLogs = options.sensitiveLogs ?? false;
  return (call, method, payload, signal) => {
    if (signal !== undefined || replies(method) || holdsFile(payload)) return call(method, payload, signal);
    const timeout = { ms: seconds * 1000, error: () => new Error(`Request to '${method}' timed out after ${seconds} seconds`) };
    return send(`${root}/bot${token}/${method}`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(payload ?? {}, dropNulls),
      timeout,
    })
      .then((answer) => answer.json())
      .then(
        (answer) => answer as Awaited<ReturnType<typeof call>>,
        (error: unknown) => {
          throw httpError(method, sensitiveLogs, error);
        },
      );
  };
}
