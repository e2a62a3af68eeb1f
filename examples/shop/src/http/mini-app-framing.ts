import type { Request } from 'express';
import type { ShopConfig } from '../config/config.js';

/** The site Telegram Web runs on (its K and A clients alike): the one that frames a Mini App in a browser. */
export const TELEGRAM_WEB_ORIGIN = 'https://web.telegram.org';

/**
 * Which requests' pages Telegram Web may frame: with the Mini App on, every page but the back office (staff never
 * use the shop through Telegram's iframe, so their pages stay unframeable). Without it, none.
 */
export function embeddableByTelegram(config: Pick<ShopConfig, 'telegram'>): (req: Request) => boolean {
  if (config.telegram?.miniApp == null) return () => false;
  return (req) => !/^\/admin(\/|$)/.test(req.path);
}
