import { randomBytes } from 'node:crypto';
import { GrammyError } from 'grammy';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { StorefrontBotStore, type StorefrontBot } from '../../db/storefront-bots.js';
import { storefrontWebhookUrl } from '../../config/public-addresses.js';
import { storefrontBotApi } from './bot-api.js';
import { STOREFRONT_ALLOWED_UPDATES } from './allowed-updates.js';

/** A bot token as BotFather gives it: the bot's numeric id, a colon, and 30-odd URL-safe characters. */
const TOKEN = /^([0-9]{1,20}):[A-Za-z0-9_-]{20,100}$/;

/** The store of storefront bots on the shop's database and secret box. */
export function storefrontBots(shop: Pick<Shop, 'db' | 'shopSchema' | 'clock' | 'secretBox'>): StorefrontBotStore {
  return new StorefrontBotStore(shop.db, shop.shopSchema, shop.clock, shop.secretBox);
}

/** A connected bot as a page or the API may show it: never its token or secret. */
export interface ConnectedBot {
  storefrontId: string;
  botId: string;
  username: string;
  /** Whether Telegram was given the webhook now (false: the shop has no public address; polling is for the owner's bot only). */
  webhookSet: boolean;
}

/**
 * Connects a storefront's bot by its token (the reseller's, or the owner's for them): the token is checked with
 * `getMe` first, so a malformed token is `invalid_input` (400), one Telegram refuses is `invalid_input` too, and a
 * Bot API that cannot be reached is `unavailable` (503): nothing is saved in any of them. A bot another storefront
 * has is `conflict` (409). Saved sealed, with a fresh per-bot webhook secret, then Telegram is told the bot's
 * webhook on the shop's public address (when the shop has one). The caller checks that the storefront is the
 * caller's and exists.
 */
export async function connectStorefrontBot(shop: Shop, storefrontId: string, token: string): Promise<ConnectedBot> {
  const trimmed = token.trim();
  const id = TOKEN.exec(trimmed)?.[1];
  if (id === undefined)
    throw new ShopError('invalid_input', 'storefrontBot.errors.badToken', {}, { token: 'storefrontBot.errors.badToken' });
  const api = storefrontBotApi(shop, trimmed, { timeoutSeconds: 15 });
  let me: Awaited<ReturnType<typeof api.getMe>>;
  try {
    me = await api.getMe();
  } catch (error) {
    if (error instanceof GrammyError && error.error_code < 500)
      throw new ShopError('invalid_input', 'storefrontBot.errors.tokenRefused', {}, { token: 'storefrontBot.errors.tokenRefused' });
    throw new ShopError('unavailable', 'storefrontBot.errors.telegramAway');
  }
  if (String(me.id) !== id || !me.is_bot || me.username === undefined)
    throw new ShopError('invalid_input', 'storefrontBot.errors.tokenRefused', {}, { token: 'storefrontBot.errors.tokenRefused' });
  const saved = await storefrontBots(shop).connect({
    storefrontId,
    botId: id,
    username: me.username,
    token: trimmed,
    webhookSecret: randomBytes(32).toString('base64url'),
  });
  if (saved === 'taken') throw new ShopError('conflict', 'storefrontBot.errors.botTaken');
  return { storefrontId, botId: saved.botId, username: saved.username, webhookSet: await setStorefrontWebhook(shop, saved) };
}

/**
 * Gives Telegram the bot's webhook (its path names the bot; its secret is the bot's own). False without a public
 * address. Called on connect and when a storefront is resumed; a suspended storefront keeps its webhook (its bot
 * answers with a notice). Throws `unavailable` when Telegram cannot be told (saved anyway: the next call sets it).
 */
export async function setStorefrontWebhook(shop: Shop, bot: StorefrontBot): Promise<boolean> {
  const url = storefrontWebhookUrl(shop.config, bot.botId);
  if (url === null) return false;
  try {
    await storefrontBotApi(shop, bot.token, { timeoutSeconds: 15 }).setWebhook(url, {
      secret_token: bot.webhookSecret,
      allowed_updates: [...STOREFRONT_ALLOWED_UPDATES],
    });
  } catch {
    throw new ShopError('unavailable', 'storefrontBot.errors.telegramAway');
  }
  return true;
}

/**
 * Gives Telegram a storefront's bot webhook again (after the owner resumed the storefront, or moved the shop to
 * another address); false when it has no bot or the shop no public address. Suspending needs no call: the bot
 * keeps its webhook and answers with a notice.
 */
export async function syncStorefrontWebhook(shop: Shop, storefrontId: string): Promise<boolean> {
  const bot = await storefrontBots(shop).byStorefront(storefrontId);
  return bot === null ? false : setStorefrontWebhook(shop, bot);
}
