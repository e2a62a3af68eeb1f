import type { Customer } from '@panelkit/sdk';
import type { User } from 'grammy/types';
import type { Account } from '../../db/accounts.js';
import { TelegramInitDataUses } from '../../db/telegram-init-data-uses.js';
import { TelegramLinkStore } from '../../db/telegram-links.js';
import type { Shop } from '../shop.js';
import { isStaffRole } from './staff-roles.js';
import { channelCheckOf } from '../growth/required-channel.js';
import { channelJoinUrl } from '../growth/growth-settings.js';
import { joinCampaign } from '../growth/campaigns.js';
import { CAMPAIGN_START_PREFIX } from '../../config/public-addresses.js';
import { customerOfTelegramUser, telegramAccountEmail } from './telegram-buyers.js';
import { INIT_DATA_CLOCK_SKEW_SECONDS, verifyInitData, type InitDataRefusal, type InitDataUser } from './telegram-init-data.js';

/**
 * Why a Mini App sign-in was refused: the launch data's own faults ({@link InitDataRefusal}), launch data used
 * before (`replayed`), staff (`staff`: a Telegram id of TELEGRAM_ADMIN_IDS, or a Telegram user linked to a staff
 * account; staff sign in with their password and second factor, never by Telegram alone), or the Mini App off
 * (`off`: no bot, or TELEGRAM_MINI_APP=off).
 */
export type MiniAppSignInRefusal = InitDataRefusal | 'replayed' | 'staff' | 'off' | 'channel';

/** The required channel the user must join first (refusal `channel`): its name and the link the join button opens. */
export interface RequiredChannel {
  channel: string;
  joinUrl: string | null;
}

/** Marks the account a Mini App made for a Telegram buyer: no password opens it. */
const NO_PASSWORD = '!telegram-mini-app';

/** The Telegram user of the launch data, as the bot's code takes one. */
function asTelegramUser(user: InitDataUser): User {
  return {
    id: user.id,
    is_bot: false,
    first_name: user.first_name,
    ...(user.last_name === undefined ? {} : { last_name: user.last_name }),
    ...(user.username === undefined ? {} : { username: user.username }),
    ...(user.language_code === undefined ? {} : { language_code: user.language_code }),
  };
}

/** The customer's account: its web account when it has one, else one made now that only Telegram signs in. */
async function accountOfCustomer(shop: Shop, customer: Customer, telegramUserId: string): Promise<Account> {
  const existing = await shop.accounts.getByCustomer(customer.id);
  if (existing !== null) return existing;
  const created = await shop.accounts.create({
    email: telegramAccountEmail(telegramUserId),
    passwordHash: NO_PASSWORD,
    customerId: customer.id,
    role: 'buyer',
  });
  if (created !== null)
    await shop.storage.audit.append({
      actor: { type: 'customer', id: customer.id },
      action: 'account.created',
      subjectType: 'customer',
      subjectId: customer.id,
      data: { role: created.role, via: 'telegram_mini_app' },
    });
  // Two sign-ins at once: the loser takes the winner's account.
  const account = created ?? (await shop.accounts.getByCustomer(customer.id));
  if (account === null) throw new Error(`no account could be made for customer ${customer.id} (its Telegram email is taken)`);
  return account;
}

/**
 * Signs a Telegram user in from a Mini App's launch data: checked as Telegram documents it (signature, age), used
 * once across every replica (the hash is recorded until the data would be too old anyway), and landed on the
 * customer the bot knows: the one linked to the Telegram user (a web account's, when they linked it), else the one
 * the bot made or makes for them, so Telegram and the web stay one customer. A customer without a web account gets
 * one that no password opens (its email {@link telegramAccountEmail}). Staff are refused: a bot admin (TELEGRAM_ADMIN_IDS)
 * before anything is written (no customer, no account, the launch data not even marked used), and a Telegram user
 * linked to a staff account. A user outside the owner's required channel is refused (`channel`, with the channel to join)
 * by the bot's own check before the launch data is marked used, so the same launch data checks again once they joined.
 * Launch data opened by a campaign's link (`start_param` `campaign_<slug>`) joins that campaign (`joinCampaign`).
 * A Telegram user the shop meets here for the first time becomes the buyer of `storefrontId` (the storefront whose
 * web address the webview came through, by the web sign-up's rule: `newAccountStorefrontOf`; `null`: the owner's);
 * `created` says so, and a known user is never moved.
 */
export async function signInFromMiniApp(
  shop: Shop,
  initData: string,
  storefrontId: string | null = null,
): Promise<
  | { ok: true; account: Account; customer: Customer; created: boolean }
  | { ok: false; reason: Exclude<MiniAppSignInRefusal, 'channel'> }
  | { ok: false; reason: 'channel'; required: RequiredChannel }
> {
  const telegram = shop.config.telegram;
  if (telegram === null || telegram.miniApp === null) return { ok: false, reason: 'off' };
  const now = shop.clock.now();
  const verified = verifyInitData(initData, telegram.token, now, telegram.miniApp.maxAgeSeconds);
  if (!verified.ok) return verified;
  const { user, authDate, hash, startParam } = verified.data;
  const telegramUserId = String(user.id);
  if (telegram.adminIds.includes(telegramUserId)) return { ok: false, reason: 'staff' };
  const { settings, verdict } = await channelCheckOf(shop).check({ telegramUserId, fresh: true });
  if (verdict === 'outside' && settings.channel !== null)
    return { ok: false, reason: 'channel', required: { channel: settings.channel, joinUrl: channelJoinUrl(settings) } };
  const keepUntil = new Date(authDate.getTime() + (telegram.miniApp.maxAgeSeconds + INIT_DATA_CLOCK_SKEW_SECONDS) * 1000);
  if (!(await new TelegramInitDataUses(shop.db, shop.shopSchema).claim(hash, now, keepUntil))) return { ok: false, reason: 'replayed' };
  const links = new TelegramLinkStore(shop.db, shop.shopSchema, shop.clock);
  // A private chat with the bot has the user's own id: the bot writes there once the user has started it.
  const known = await links.byTelegramUser(telegramUserId);
  const { link, customer } = await customerOfTelegramUser(shop, links, asTelegramUser(user), telegramUserId, { link: known }, storefrontId);
  if ((link.username ?? null) !== (user.username ?? null)) await links.setUsername(telegramUserId, user.username ?? null);
  const account = await accountOfCustomer(shop, customer, telegramUserId);
  if (isStaffRole(account.role)) return { ok: false, reason: 'staff' };
  // Opened by a campaign's link (`?startapp=campaign_<slug>`): joined as at the bot's /start, at first contact only.
  if (startParam?.startsWith(CAMPAIGN_START_PREFIX)) await joinCampaign(shop, customer.id, startParam.slice(CAMPAIGN_START_PREFIX.length));
  return { ok: true, account, customer, created: known === null };
}
