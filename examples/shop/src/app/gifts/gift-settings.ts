import type { Actor } from '@panelkit/sdk';
import { MAX_GIFT_VALID_DAYS } from '@panelkit/sdk/gifts';
import { readSetting, writeSetting } from '../../db/shop-settings.js';
import type { Shop } from '../shop.js';

/** The setting the owner's gift period is kept in. */
export const GIFT_SETTING = 'gifts.settings';

/** How long a gift waits for its recipient when the owner set nothing. */
export const DEFAULT_GIFT_VALID_DAYS = 30;

/** What the owner set for gifts. */
export interface GiftSettings {
  /** Days a gift can be claimed; unclaimed after that, its price goes back to the giver's wallet. */
  validDays: number;
}

/** The owner's gift settings (the default until saved). */
export async function readGiftSettings(shop: Pick<Shop, 'db' | 'shopSchema' | 'secretBox'>): Promise<GiftSettings> {
  const stored = await readSetting<Partial<GiftSettings>, never>(shop, GIFT_SETTING);
  return { validDays: stored?.value?.validDays ?? DEFAULT_GIFT_VALID_DAYS };
}

/** Whether `days` is a period the engine takes: whole days from 1 to `MAX_GIFT_VALID_DAYS`. */
export function isGiftValidDays(days: number): boolean {
  return Number.isInteger(days) && days >= 1 && days <= MAX_GIFT_VALID_DAYS;
}

/** Saves the owner's gift period (audited as a settings change); `false`, changing nothing, for a period out of range. */
export async function saveGiftSettings(
  shop: Pick<Shop, 'db' | 'shopSchema' | 'secretBox' | 'clock' | 'storage'>,
  settings: GiftSettings,
  actor: Actor,
): Promise<boolean> {
  if (!isGiftValidDays(settings.validDays)) return false;
  await writeSetting(shop, GIFT_SETTING, { validDays: settings.validDays }, null, shop.clock.now(), actor.id);
  await shop.storage.audit.append({ actor, action: 'settings.saved', subjectType: 'shop', subjectId: 'settings', data: { gifts: true } });
  return true;
}
