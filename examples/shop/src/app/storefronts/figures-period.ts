import { isoDay } from '../stats/figures.js';
import { todayIn } from '../stats/period.js';
import type { Shop } from '../shop.js';

/** The days storefront figures are counted over on the owner's pages: the last 30, today included. */
export const FIGURE_DAYS = 30;

/** A sales-figures query (days of the shop's time zone) for the last `days` days, today included. */
export function lastDays(shop: Shop, days: number): { from: string; to: string; timeZone: string } {
  const { timeZone } = shop.config;
  const today = todayIn(shop.clock.now(), timeZone);
  const first = new Date(Date.UTC(today.year, today.month - 1, today.day) - (days - 1) * 86_400_000);
  return {
    from: isoDay({ year: first.getUTCFullYear(), month: first.getUTCMonth() + 1, day: first.getUTCDate() }),
    to: isoDay(today),
    timeZone,
  };
}

/** A sales-figures query for this calendar month of the shop's time zone, up to today. */
export function thisMonth(shop: Shop): { from: string; to: string; timeZone: string } {
  const { timeZone } = shop.config;
  const today = todayIn(shop.clock.now(), timeZone);
  return { from: isoDay({ ...today, day: 1 }), to: isoDay(today), timeZone };
}
