import type { Api } from 'grammy';
import { isLocale, translator } from '../../i18n/translate.js';
import { instantToZoned } from '../../payments/zoned-time.js';
import type { Shop } from '../../stack/shop.js';
import type { TelegramLinkStore } from '../links.js';
import { salesSummary, summaryText } from './summary.js';

/** The calendar day before `day` ("2026-03-01" → "2026-02-28"). */
function dayBefore(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 24 * 3600_000).toISOString().slice(0, 10);
}

/**
 * Once per day of the shop's time zone, the summary of the day that ended goes to every admin.
 * The day is claimed in `telegram_daily_summaries` first (one replica wins it), so it is sent
 * at most once; returns whether this call sent it.
 */
export async function sendDailySummary(shop: Shop, api: Api, links: TelegramLinkStore, adminIds: readonly string[]): Promise<boolean> {
  if (adminIds.length === 0) return false;
  const zone = shop.config.timeZone;
  const today = instantToZoned(shop.clock.now(), zone).slice(0, 10);
  const yesterday = dayBefore(today);
  const { rows } = await shop.db.query(
    `INSERT INTO ${shop.shopSchema}.telegram_daily_summaries (day, sent_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING day`,
    [yesterday, shop.clock.now()],
  );
  if (rows.length === 0) return false;
  const summary = await salesSummary(shop, yesterday, yesterday);
  for (const adminId of adminIds) {
    const link = await links.byTelegramUser(adminId);
    const customer = link === null ? null : await shop.storage.customers.get(link.customerId);
    const locale = customer !== null && isLocale(customer.locale) ? customer.locale : 'en';
    try {
      await api.sendMessage(adminId, summaryText(summary, translator(locale), locale, zone));
    } catch (error) {
      shop.logger.warn({ err: error, adminId }, 'the daily summary did not reach an admin');
    }
  }
  return true;
}
