import { createHmac } from 'node:crypto';

/** The secret the bot's Stars callbacks carry: derived from the shop's secret, the same on every replica. */
export function starsCallbackSecret(shopSecret: string): string {
  return createHmac('sha256', shopSecret).update('telegram-stars-callback').digest('base64url');
}
