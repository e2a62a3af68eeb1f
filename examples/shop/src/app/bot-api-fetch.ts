import { request as httpRequest, type Agent, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { urlToHttpOptions } from 'node:url';

/** What grammY's client passes to its `fetch` (`core/client.js`): a JSON string, or a multipart stream for a file. */
interface BotApiRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Readable;
  signal?: AbortSignal | null;
  /** The request is destroyed with `error()` when no answer has come whole by `ms` (`bot-api-calls.ts`'s per-call timeout). */
  timeout?: { ms: number; error: () => Error };
}

/** A fetch made by {@link botApiFetch}: `bot-api-calls.ts` calls it directly with a timeout of its own. */
export type BotApiFetch = (url: string | URL, init?: BotApiRequest) => Promise<BotApiAnswer>;

const madeHere = new WeakSet<BotApiFetch>();

/** Whether `fetch` is one {@link botApiFetch} made (so it takes {@link BotApiRequest.timeout}). */
export function isBotApiFetch(fetch: unknown): fetch is BotApiFetch {
  return typeof fetch === 'function' && madeHere.has(fetch as BotApiFetch);
}

/** What grammY's client reads of an answer: its body as JSON, whatever the status (Telegram's errors are JSON too). */
interface BotApiAnswer {
  json(): Promise<unknown>;
}

/** The error a request aborted by its signal (grammY's per-call timeout, or the caller's) fails with. */
function abortError(): Error {
  const error = new Error('the Bot API call was aborted');
  error.name = 'AbortError';
  return error;
}

/** Addresses whose request options are kept: a method's URL of a bot (the owner's, each storefront's). */
const ADDRESSES_KEPT = 1024;

/**
 * The request options of each address called (`node:http` parses a URL string and copies its fields for every
 * request): the same few addresses are called over and over.
 */
const optionsOf = new Map<string, RequestOptions>();

function addressOptions(url: string | URL): RequestOptions {
  if (typeof url !== 'string') return urlToHttpOptions(url);
  let options = optionsOf.get(url);
  if (options === undefined) {
    options = urlToHttpOptions(new URL(url));
    if (optionsOf.size >= ADDRESSES_KEPT) optionsOf.clear();
    optionsOf.set(url, options);
  }
  return options;
}

/**
 * A `fetch` for grammY's Bot API client (`client.fetch`) on `node:http(s)` with the given kept-alive agent, in place
 * of grammY's node-fetch: the same request on the same connections, without node-fetch's WHATWG layers (some 8 % of a
 * purchase's CPU with grammY's client, issue 93). Like node-fetch it sends each request once and never again (a lost
 * answer is not resent: `telegram/send-policy.ts` decides), fails with the socket's own error (its `code`, e.g.
 * `ECONNREFUSED`, is what the send policy reads) and destroys the request when the signal aborts (grammY's per-call
 * timeout). Responses are read whole, uncompressed (no `Accept-Encoding` is sent).
 */
export function botApiFetch(agent: Agent): BotApiFetch {
  const fetch: BotApiFetch = (url, init = {}) =>
    new Promise<BotApiAnswer>((resolve, reject) => {
      const { signal } = init;
      if (signal?.aborted === true) return reject(abortError());
      const address = addressOptions(url);
      const send = address.protocol === 'https:' ? httpsRequest : httpRequest;
      // One object, a copy: `node:http` assigns a second argument's fields onto the first.
      const request = send({ ...address, method: init.method ?? 'GET', headers: init.headers, agent });
      const onAbort = () => request.destroy(abortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      const { timeout } = init;
      const timer =
        timeout === undefined
          ? undefined
          : setTimeout(() => {
              const error = timeout.error();
              request.destroy(error);
              reject(error);
            }, timeout.ms);
      const settle = () => {
        signal?.removeEventListener('abort', onAbort);
        if (timer !== undefined) clearTimeout(timer);
      };
      request.on('error', (error) => {
        settle();
        reject(error);
      });
      request.on('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => {
          settle();
          reject(error);
        });
        response.on('end', () => {
          settle();
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ json: async () => JSON.parse(text) as unknown });
        });
      });
      const { body } = init;
      if (body instanceof Readable) {
        body.on('error', (error) => request.destroy(error));
        body.pipe(request);
      } else request.end(body);
    });
  madeHere.add(fetch);
  return fetch;
}
