import { GrammyError } from 'grammy';
import { notificationsOf } from '../../db/notifications.js';
import type { Shop } from '../shop.js';
import { telegramApi } from '../telegram-api.js';
import { recentGrowthSettings, type StoredGrowthSettings } from './growth-settings.js';

/** A chat member as Telegram's `getChatMember` describes one (only what membership depends on). */
export interface ChatMemberStatus {
  status: string;
  /** Set for `restricted` members: whether they are still in the chat. */
  is_member?: boolean;
}

/** Whether Telegram's answer makes the user a member: member, administrator or creator, or restricted while still in it. */
export function isChannelMember(member: ChatMemberStatus): boolean {
  if (member.status === 'member' || member.status === 'administrator' || member.status === 'creator') return true;
  return member.status === 'restricted' && member.is_member === true;
}

/**
 * Tells the staff that the bot cannot check members of the required channel (it is not the channel's admin, or the
 * channel does not exist): buyers are let through meanwhile. One notice per channel as saved, across replicas (the
 * notification's cause is unique); true when this call wrote it.
 */
export async function reportUncheckableChannel(shop: Shop, settings: StoredGrowthSettings, error: string): Promise<boolean> {
  if (settings.channel === null) return false;
  const saved = settings.savedAt?.toISOString() ?? 'default';
  return notificationsOf(shop).write({
    recipient: { kind: 'staff' },
    kind: 'channel_unchecked',
    source: `required-channel:${settings.channel}:${saved}`,
    params: { channel: settings.channel, error: error.slice(0, 200) },
  });
}

/** How long a positive membership check is trusted in this process (a user who leaves is asked again after it). */
export const MEMBER_CHECK_TTL_MS = 60_000;

/**
 * How long the membership check waits for Telegram's one answer before letting the user through: a small part of
 * the webhook's wait (`WEBHOOK_TIMEOUT_MS`, 10 s), so the update that asked is still answered within it.
 */
export const MEMBER_CHECK_TIMEOUT_SECONDS = 3;

/**
 * What the required channel says of a Telegram user: `none` (the owner requires no channel), `member`, `outside`, or
 * `unchecked` (Telegram refused or failed the check: the user is let through).
 */
export type ChannelVerdict = 'none' | 'member' | 'outside' | 'unchecked';

/** One Telegram user's check: their id, and whether to ask Telegram even when a recent answer is cached. */
export interface ChannelCheckRequest {
  telegramUserId: string;
  fresh: boolean;
}

/** Whether Telegram refused the check for the owner's configuration (the bot is not the channel's admin, no such channel). */
function isRefusal(error: unknown): error is GrammyError {
  return error instanceof GrammyError && error.error_code < 500 && error.error_code !== 429;
}

/** The required channel's check, shared by the bot and the Mini App of one shop (one cache, one log line per channel). */
export interface ChannelCheck {
  /** The owner's settings (as this replica read them within `GROWTH_SETTINGS_TTL_MS`) and the user's verdict under them. */
  check(request: ChannelCheckRequest): Promise<{ settings: StoredGrowthSettings; verdict: ChannelVerdict }>;
}

const checks = new WeakMap<Shop, ChannelCheck>();

/**
 * The required channel's check of this shop (made once per shop in this process). A member is trusted for
 * {@link MEMBER_CHECK_TTL_MS} unless `fresh`. Telegram is asked once (`getChatMember`, no retry) and waited for at
 * most {@link MEMBER_CHECK_TIMEOUT_SECONDS}. When it refuses the check (the bot is not the channel's admin), fails
 * (5xx, 429, no answer in time), the user passes (`unchecked`), the log says so once per channel, and a refusal
 * (4xx but 429) tells the staff once (`channel_unchecked`): neither a misconfigured channel nor Telegram being away
 * is a wall for every buyer. A shop without a bot has no Telegram users: its verdict is always `none`.
 */
export function channelCheckOf(shop: Shop): ChannelCheck {
  const known = checks.get(shop);
  if (known !== undefined) return known;
  const log = shop.logger.child({ component: 'required-channel' });
  const telegram = shop.config.telegram;
  // Not the bot's client: that one waits out 5xx and 429s for up to ~90 s, past the webhook's wait, and the user
  // who asked would hear nothing until Telegram is back.
  const api = telegram === null ? null : telegramApi(telegram, { timeoutSeconds: MEMBER_CHECK_TIMEOUT_SECONDS });
  /** Users found members, until when (ms): a cache only; every decision can be made without it. */
  const members = new Map<string, number>();
  const loggedChannels = new Set<string>();
  const made: ChannelCheck = {
    async check({ telegramUserId, fresh }) {
      const settings = await recentGrowthSettings(shop);
      const channel = settings.channel;
      if (channel === null || api === null) return { settings, verdict: 'none' };
      const key = `${channel}|${telegramUserId}`;
      const now = shop.clock.now().getTime();
      if (!fresh && (members.get(key) ?? 0) > now) return { settings, verdict: 'member' };
      try {
        const member: ChatMemberStatus = await api.getChatMember(channel, Number(telegramUserId));
        if (!isChannelMember(member)) {
          members.delete(key);
          return { settings, verdict: 'outside' };
        }
        members.set(key, now + MEMBER_CHECK_TTL_MS);
        return { settings, verdict: 'member' };
      } catch (error) {
        // A refusal is the owner's configuration; anything else is Telegram being away. Neither walls buyers off.
        const description = error instanceof GrammyError ? error.description : String(error);
        if (!loggedChannels.has(channel)) {
          loggedChannels.add(channel);
          log.warn({ channel, error: description }, 'cannot check the required channel; letting users through');
        }
        if (isRefusal(error)) await reportUncheckableChannel(shop, settings, description);
        return { settings, verdict: 'unchecked' };
      }
    },
  };
  checks.set(shop, made);
  return made;
}
