import { readSetting, writeSetting, type SettingsDb } from '../../db/shop-settings.js';
import type { ShopConfig } from '../../config/config.js';
import { asciiDigits } from '../input/digits.js';

/** The setting the owner's card-to-card payout card is kept in; once saved it wins over `CARD_NUMBER`/`CARD_HOLDER`. */
export const PAYOUT_CARD_SETTING = 'payments.card';

/** The card buyers pay to for card-to-card top-ups, as the wallet page and the bot show it. */
export interface PayoutCard {
  /** Digits in groups of four, e.g. `6037-9900-1234-5678`. */
  cardNumber: string;
  holder: string;
}

/** What the setting holds: a card, or `null` when the owner turned card-to-card off. */
interface StoredPayoutCard {
  card: PayoutCard | null;
}

/** A card number as typed (Persian or Arabic digits, spaces, dashes) as stored and shown: ASCII digits in groups of four. */
export function normalizeCardNumber(typed: string): string {
  const digits = asciiDigits(typed).replace(/[\s\u200C-]/g, '');
  return digits.match(/.{1,4}/g)?.join('-') ?? digits;
}

/** Whether a normalized card number has 16–19 digits that pass the Luhn check every bank card number carries (a typo fails it). */
export function isValidCardNumber(cardNumber: string): boolean {
  const digits = cardNumber.replaceAll('-', '');
  if (!/^[0-9]{16,19}$/.test(digits)) return false;
  let sum = 0;
  for (const [i, char] of [...digits].reverse().entries()) {
    const d = Number(char) * (i % 2 === 1 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return sum % 10 === 0;
}

/**
 * The card buyers pay to now: the owner's card from the settings page when one was saved there (or
 * `null` when the owner turned card-to-card off there), else the one the environment sets.
 */
export async function payoutCard(shop: SettingsDb & { readonly config: ShopConfig }): Promise<PayoutCard | null> {
  const stored = await readSetting<StoredPayoutCard, never>(shop, PAYOUT_CARD_SETTING);
  return stored === null ? shop.config.cardToCard : stored.value.card;
}

/** Saves the payout card (or `null`: card-to-card off). Plain, since every buyer sees it; re-authentication guards the change. */
export function savePayoutCard(shop: SettingsDb, card: PayoutCard | null, at: Date, by: string | null): Promise<void> {
  return writeSetting<StoredPayoutCard, never>(shop, PAYOUT_CARD_SETTING, { card }, null, at, by);
}
