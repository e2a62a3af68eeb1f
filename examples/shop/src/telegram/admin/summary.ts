import { startOfZonedDay, zonedDayOf } from '@panelkit/sdk/rules';
import type { Money } from '@panelkit/sdk';
import type { Composer } from 'grammy';
import { formatDateTime, formatMoney, formatNumber } from '../../i18n/format.js';
import type { Locale, Translate } from '../../i18n/translate.js';
import type { Shop } from '../../app/shop.js';
import type { BotContext, BotDeps } from '../context.js';
import { backToMenu } from '../menu.js';
import { seesSalesFigures } from '../../app/auth/staff-roles.js';
import { botStaffOf } from './staff.js';

/** What the shop did over whole days of its time zone. */
export interface SalesSummary {
  /** Where the first day starts and the last one ends (or now, for today). */
  from: Date;
  to: Date;
  /** Paid orders placed (free trials excluded). */
  sales: number;
  /** Net sales per currency, in minor units: the SDK's one definition (`REVENUE_LEDGER_KINDS`), as the web overview reads it. */
  revenue: Money[];
  newSubscriptions: number;
  /** Active now (not in the window). */
  activeSubscriptions: number;
}

/**
 * The days `fromDay`..`toDay` (`YYYY-MM-DD`, both included) of the shop's time zone, from the SDK's sales read
 * model (`kit.salesFigures`): the same figures the web overview and the JSON API show for those days.
 */
export async function salesSummary(shop: Shop, fromDay: string, toDay: string): Promise<SalesSummary> {
  const timeZone = shop.config.timeZone;
  const [figures, byStatus] = await Promise.all([
    shop.kit.salesFigures({ from: fromDay, to: toDay, timeZone }),
    shop.storage.subscriptions.countByStatus(),
  ]);
  const now = shop.clock.now();
  const last = startOfZonedDay(nextDay(toDay), timeZone);
  return {
    from: startOfZonedDay(fromDay, timeZone),
    to: new Date(Math.min(last.getTime(), now.getTime())),
    sales: figures.totals.orders,
    revenue: figures.totals.revenue.filter((m) => m.amount !== 0),
    newSubscriptions: figures.totals.newSubscriptions,
    activeSubscriptions: byStatus.active ?? 0,
  };
}

/** The calendar day after `day` (`2026-02-28` → `2026-03-01`). */
function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 24 * 3600_000).toISOString().slice(0, 10);
}

/**
 * The summary as a message in one admin's language. `withRevenue` false leaves the shop's money out, as the web's
 * overview does for support staff (`seesSalesFigures`).
 */
export function summaryText(summary: SalesSummary, t: Translate, locale: Locale, timeZone: string, withRevenue = true): string {
  const revenue = summary.revenue.length === 0 ? formatNumber(0, locale) : summary.revenue.map((m) => formatMoney(m, locale)).join(', ');
  return [
    t('telegram.summary.title', { from: formatDateTime(summary.from, locale, timeZone), to: formatDateTime(summary.to, locale, timeZone) }),
    t('telegram.summary.sales', { count: summary.sales }),
    ...(withRevenue ? [t('telegram.summary.revenue', { revenue })] : []),
    t('telegram.summary.newSubscriptions', { count: summary.newSubscriptions }),
    t('telegram.summary.active', { count: summary.activeSubscriptions }),
  ].join('\n');
}

/** The admins' "Summary" button: today so far, in the shop's time zone. */
export function summaryHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;
  bot
    .filter((ctx) => ctx.user.isAdmin)
    .callbackQuery('sum', async (ctx) => {
      await ctx.answerCallbackQuery();
      const today = zonedDayOf(shop.clock.now(), shop.config.timeZone);
      const [summary, staff] = await Promise.all([salesSummary(shop, today, today), botStaffOf(shop, ctx.user)]);
      const text = summaryText(summary, ctx.user.t, ctx.user.locale, shop.config.timeZone, seesSalesFigures(staff.role));
      await ctx.reply(text, { reply_markup: backToMenu(ctx.user) });
    });
}
