import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Api, type ApiClientOptions } from 'grammy';
import type { TelegramConfig } from '../config/config.js';
import { directJsonCalls } from './bot-api-calls.js';
import { botApiFetch } from './bot-api-fetch.js';

/**
 * How long a kept-alive connection to the Bot API may sit idle before this side closes it. A server closes idle
 * connections on its own clock (Node's HTTP server after 5 s, which a self-hosted or fake Bot API often is): a
 * request written on a socket the server is closing at that moment fails with a reset, after which nobody knows
 * whether Telegram took the message, so a job's message is not sent again (`send-policy.ts`) and the buyer may
 * never get it. Closing first, below the common 5 s, removes that race (seen in `bench/rush` at 3 000 buyers a
 * minute). Node's agent also honours a shorter `Keep-Alive: timeout=` hint from the server.
 */
const IDLE_CONNECTION_MS = 4_000;

const agents = new Map<string, HttpAgent>();

/** One kept-alive agent per API root for the whole process, its idle sockets closed after {@link IDLE_CONNECTION_MS}. */
function agentFor(apiRoot: string): HttpAgent {
  let agent = agents.get(apiRoot);
  if (agent === undefined) {
    const options = { keepAlive: true, timeout: IDLE_CONNECTION_MS };
    agent = apiRoot.startsWith('http:') ? new HttpAgent(options) : new HttpsAgent(options);
    agents.set(apiRoot, agent);
  }
  return agent;
}

/**
 * grammY's client options for these settings: the API root, and calls on `node:http(s)` (`bot-api-fetch.ts`, not
 * node-fetch) over connections that never outlive the server's keep-alive.
 */
export function telegramClientOptions(config: TelegramConfig): ApiClientOptions {
  const apiRoot = config.apiRoot ?? 'https://api.telegram.org';
  return {
    ...(config.apiRoot === null ? {} : { apiRoot: config.apiRoot }),
    // grammY types `fetch` as node-fetch's; it calls it with a URL string and reads only `json()` of the answer.
    fetch: botApiFetch(agentFor(apiRoot)) as unknown as NonNullable<ApiClientOptions['fetch']>,
  };
}

/**
 * A Bot API client for these settings, for jobs and pages: it waits for nothing in-process. A job's 429 or
 * 5xx becomes its own retry (`telegram/send-policy.ts`); only the bot's replies to a user wait 429s out.
 * `timeoutSeconds` bounds each call (grammY's default: 500 s); a call past it fails with an `HttpError`. JSON calls
 * go straight to `bot-api-fetch.ts` (`bot-api-calls.ts`), as the bot's own do.
 */
export function telegramApi(config: TelegramConfig, options: { timeoutSeconds?: number } = {}): Api {
  return botApiOf(config.token, { ...telegramClientOptions(config), ...options });
}

/** grammY's `Api` for `token` with these client options, its JSON calls made directly (`bot-api-calls.ts`). */
export function botApiOf(token: string, options: ApiClientOptions): Api {
  const api = new Api(token, options);
  api.config.use(directJsonCalls(token, options));
  return api;
}
