import { Api } from 'grammy';
import type { TelegramConfig } from '../config/config.js';

/**
 * A Bot API client for these settings, for jobs and pages: it waits for nothing in-process. A job's 429 or
 * 5xx becomes its own retry (`telegram/send-policy.ts`); only the bot's replies to a user wait 429s out.
 */
export function telegramApi(config: TelegramConfig): Api {
  return new Api(config.token, config.apiRoot === null ? {} : { apiRoot: config.apiRoot });
}
