import type { Actor } from '@panelkit/sdk';
import { readSetting, writeSetting } from '../../db/shop-settings.js';
import type { Shop } from '../shop.js';
import { replicaRead } from '../subscriptions/replica-read.js';

/** The setting the owner's required channel, never-connected delay and win-back offer are kept in. */
export const GROWTH_SETTING = 'growth.settings';

/** The never-connected nudge's delay when the owner set none. */
export const DEFAULT_NEVER_CONNECTED_HOURS = 24;

/**
 * What the owner set to grow and keep buyers: the channel bot users must join, when to nudge a buyer who never
 * connected, and the offer sent to a buyer whose subscription lapsed.
 */
export interface GrowthSettings {
  /** The channel bot users must be members of (`@name`, or a private channel's `-100…` id); `null`: none. */
  channel: string | null;
  /** The invite link the join button opens; `null`: the public channel's `https://t.me/<name>`. */
  channelJoinUrl: string | null;
  /** Hours after a subscription became active with no connection seen before the buyer is nudged once; 0 turns it off. */
  neverConnectedHours: number;
  /** Days after a paid subscription lapsed (expired) before its buyer is sent the win-back offer, once per lapse; 0 turns it off. */
  winBackDays: number;
  /** The win-back offer's discount, in percent (1–100). */
  winBackPercent: number;
  /** How many days the win-back offer's code stays valid once sent. */
  winBackValidDays: number;
}

/** The settings as stored, and when they were last saved (a channel saved again may be reported again). */
export interface StoredGrowthSettings extends GrowthSettings {
  savedAt: Date | null;
}

const DEFAULTS: GrowthSettings = {
  channel: null,
  channelJoinUrl: null,
  neverConnectedHours: DEFAULT_NEVER_CONNECTED_HOURS,
  winBackDays: 0,
  winBackPercent: 20,
  winBackValidDays: 7,
};

/** The owner's growth settings (the defaults until saved). */
export async function readGrowthSettings(shop: Pick<Shop, 'db' | 'shopSchema' | 'secretBox'>): Promise<StoredGrowthSettings> {
  const stored = await readSetting<Partial<GrowthSettings>, never>(shop, GROWTH_SETTING);
  return { ...DEFAULTS, ...(stored?.value ?? {}), savedAt: stored?.updatedAt ?? null };
}

/**
 * How long a replica keeps the growth settings the required channel's gate reads (`recentGrowthSettings`): the bot
 * reads them on every update. A save on this replica is seen at once, another replica's within this time.
 */
export const GROWTH_SETTINGS_TTL_MS = 10_000;

const recentReads = replicaRead<StoredGrowthSettings, Pick<Shop, 'db' | 'shopSchema' | 'secretBox' | 'clock'>>(
  readGrowthSettings,
  GROWTH_SETTINGS_TTL_MS,
);

/** The owner's growth settings as this replica last read them, read anew once {@link GROWTH_SETTINGS_TTL_MS} is up. */
export function recentGrowthSettings(shop: Pick<Shop, 'db' | 'shopSchema' | 'secretBox' | 'clock'>): Promise<StoredGrowthSettings> {
  return recentReads.get(shop);
}

/** The link the join button opens: the owner's invite link, else the public channel's; `null` when neither is known. */
export function channelJoinUrl(settings: GrowthSettings): string | null {
  if (settings.channelJoinUrl !== null) return settings.channelJoinUrl;
  if (settings.channel?.startsWith('@')) return `https://t.me/${settings.channel.slice(1)}`;
  return null;
}

const PUBLIC_CHANNEL = /^@[A-Za-z][A-Za-z0-9_]{3,31}$/;
const PRIVATE_CHANNEL = /^-100\d{5,15}$/;
const JOIN_URL = /^https:\/\/t\.me\/[A-Za-z0-9_+/-]{2,100}$/;

/** Why a {@link GrowthSettings} was refused, as a form field and its message key. */
export type GrowthProblem = { field: keyof GrowthSettings; message: string };

/**
 * The problems with settings as typed: a channel by `@name` or `-100…` id, a t.me join link (required for a private
 * channel), whole hours up to 30 days, a win-back delay of 0–365 days, its discount 1–100 %, valid 1–90 days.
 */
export function growthProblems(settings: GrowthSettings): GrowthProblem[] {
  const problems: GrowthProblem[] = [];
  const { channel, channelJoinUrl: url, neverConnectedHours: hours } = settings;
  if (channel !== null && !PUBLIC_CHANNEL.test(channel) && !PRIVATE_CHANNEL.test(channel))
    problems.push({ field: 'channel', message: 'growth.admin.errors.channel' });
  if (url !== null && !JOIN_URL.test(url)) problems.push({ field: 'channelJoinUrl', message: 'growth.admin.errors.joinUrl' });
  if (channel !== null && PRIVATE_CHANNEL.test(channel) && url === null)
    problems.push({ field: 'channelJoinUrl', message: 'growth.admin.errors.joinUrlNeeded' });
  if (!Number.isInteger(hours) || hours < 0 || hours > 720)
    problems.push({ field: 'neverConnectedHours', message: 'growth.admin.errors.hours' });
  const whole = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;
  if (!whole(settings.winBackDays, 0, 365)) problems.push({ field: 'winBackDays', message: 'growth.admin.errors.winBackDays' });
  if (!whole(settings.winBackPercent, 1, 100)) problems.push({ field: 'winBackPercent', message: 'growth.admin.errors.winBackPercent' });
  if (!whole(settings.winBackValidDays, 1, 90))
    problems.push({ field: 'winBackValidDays', message: 'growth.admin.errors.winBackValidDays' });
  return problems;
}

/** Settings to save: the win-back fields left out take their defaults (off, 20 %, 7 days). */
export type GrowthSettingsInput = Omit<GrowthSettings, 'winBackDays' | 'winBackPercent' | 'winBackValidDays'> &
  Partial<Pick<GrowthSettings, 'winBackDays' | 'winBackPercent' | 'winBackValidDays'>>;

/** Saves the owner's growth settings (audited as a settings change); refuses, changing nothing, settings with problems. */
export async function saveGrowthSettings(
  shop: Pick<Shop, 'db' | 'shopSchema' | 'secretBox' | 'clock' | 'storage'>,
  input: GrowthSettingsInput,
  actor: Actor,
): Promise<{ ok: true } | { ok: false; problems: GrowthProblem[] }> {
  const settings: GrowthSettings = { ...DEFAULTS, ...input };
  const problems = growthProblems(settings);
  if (problems.length > 0) return { ok: false, problems };
  await writeSetting(shop, GROWTH_SETTING, settings, null, shop.clock.now(), actor.id);
  recentReads.forget(shop);
  await shop.storage.audit.append({ actor, action: 'settings.saved', subjectType: 'shop', subjectId: 'settings', data: { growth: true } });
  return { ok: true };
}
