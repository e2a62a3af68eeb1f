import { autoRetry } from '@grammyjs/auto-retry';
import { Api } from 'grammy';
import type { TelegramConfig } from '../config/config.js';

/** A Bot API client for these settings, waiting out 429s (`retry_after`) like the bot's own. */
export function telegramApi(config: TelegramConfig): Api {
  const api = new Api(config.token, config.apiRoot === null ? {} : { apiRoot: config.apiRoot });
  api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60, rethrowHttpErrors: true }));
  return api;
}
