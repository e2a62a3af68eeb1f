import type { Money } from '@panelkit/sdk';
import type { Composer } from 'grammy';
import { formatDateTime, formatMoney, formatNumber } from '../../i18n/format.js';
import type { Locale, Translate } from '../../i18n/translate.js';
import type { Shop } from '../../stack/shop.js';
import type { BotContext, BotDeps } from '../context.js';
import { backToMenu } from '../menu.js';

/** What the shop did between two instants. */
export interface SalesSummary {
  from: Date;
  to: Date;
  /** Paid orders placed (free trials excluded). */
  sales: number;
  /** Purchases and extensions less refunds, per currency, in minor units. */
  revenue: Money[];
  newSubscriptions: number;
  /** Active now (not in the window). */
  activeSubscriptions: number;
}

/** Counts the window `[from, to)` from the engine's tables (the ledger is the truth about money). */
export async function salesSummary(shop: Shop, from: Date, to: Date): Promise<SalesSummary> {
  const s = `"${shop.config.schema}"`;
  const [sales, revenue, created, byStatus] = await Promise.all([
    shop.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${s}.orders WHERE created_at >= $1 AND created_at < $2 AND total_amount > 0`,
      [from, to],
    ),
    shop.db.query<{ currency: string; total: string }>(
      `SELECT currency, (-sum(amount))::text AS total FROM ${s}.ledger_entries
       WHERE kind IN ('purchase', 'extension', 'refund') AND created_at >= $1 AND created_at < $2 GROUP BY currency ORDER BY currency`,
      [from, to],
    ),
    shop.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s}.subscriptions WHERE created_at >= $1 AND created_at < $2`, [
      from,
      to,
    ]),
    shop.storage.subscriptions.countByStatus(),
  ]);
  return {
    from,
    to,
    sales: sales.rows[0]?.n ?? 0,
    revenue: revenue.rows.map((r) => ({ currency: r.currency, amount: Number(r.total) })),
    newSubscriptions: created.rows[0]?.n ?? 0,
    activeSubscriptions: byStatus.active ?? 0,
  };
}

/** The summary as a message in one admin's language. */
export function summaryText(summary: SalesSummary, t: Translate, locale: Locale, timeZone: string): string {
  const revenue = summary.revenue.length === 0 ? formatNumber(0, locale) : summary.revenue.map((m) => formatMoney(m, locale)).join(', ');
  return [
    t('telegram.summary.title', { from: formatDateTime(summary.from, locale, timeZone), to: formatDateTime(summary.to, locale, timeZone) }),
    t('telegram.summary.sales', { count: summary.sales }),
    t('telegram.summary.revenue', { revenue }),
    t('telegram.summary.newSubscriptions', { count: summary.newSubscriptions }),
    t('telegram.summary.active', { count: summary.activeSubscriptions }),
  ].join('\n');
}

const DAY_MS = 24 * 3600_000;

/** The admins' "Summary" button: the last 24 hours. */
export function summaryHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;
  bot
    .filter((ctx) => ctx.user.isAdmin)
    .callbackQuery('sum', async (ctx) => {
      await ctx.answerCallbackQuery();
      const to = shop.clock.now();
      const summary = await salesSummary(shop, new Date(to.getTime() - DAY_MS), to);
      await ctx.reply(summaryText(summary, ctx.user.t, ctx.user.locale, shop.config.timeZone), { reply_markup: backToMenu(ctx.user) });
    });
}
