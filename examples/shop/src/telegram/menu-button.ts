import { createHash } from 'node:crypto';
import type { Api } from 'grammy';
import type { MenuButton } from 'grammy/types';
import { readSetting, writeSetting, type SettingsDb } from '../db/shop-settings.js';

/** The shop setting that records the menu button last given to Telegram. */
const SETTING = 'telegram_menu_button';

interface Recorded {
  hash: string;
}

/**
 * The bot's menu button (beside the message field in every chat with it): the shop as a Mini App, named by the
 * shop's name (one button for every language: Telegram keeps one default), or Telegram's own (the command list)
 * when the shop has no Mini App address.
 */
export function menuButtonFor(shopName: string, miniAppUrl: string | null): MenuButton {
  return miniAppUrl === null ? { type: 'default' } : { type: 'web_app', text: shopName.slice(0, 64), web_app: { url: miniAppUrl } };
}

/**
 * Gives Telegram the bot's default menu button (`setChatMenuButton` without a chat) when it differs from the one
 * last given, judged by a hash kept in the shop's settings: a restart or another replica with the same button
 * calls nothing, and turning the Mini App off (or losing the https address) puts Telegram's own button back once.
 * Returns whether Telegram was called.
 */
export async function syncMenuButton(shop: SettingsDb, api: Api, button: MenuButton, at: Date): Promise<boolean> {
  const hash = createHash('sha256').update(JSON.stringify(button)).digest('hex');
  const recorded = (await readSetting<Recorded, never>(shop, SETTING))?.value ?? null;
  // Never set and Telegram's own wanted: nothing to change.
  if (recorded === null ? button.type === 'default' : recorded.hash === hash) return false;
  await api.setChatMenuButton({ menu_button: button });
  await writeSetting<Recorded, never>(shop, SETTING, { hash }, null, at, null);
  return true;
}
