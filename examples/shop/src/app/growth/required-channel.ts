import { notificationsOf } from '../../db/notifications.js';
import type { Shop } from '../shop.js';
import type { StoredGrowthSettings } from './growth-settings.js';

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
