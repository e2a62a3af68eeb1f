import { defineHostJob, type HostJobDefinition } from '@panelkit/sdk';
import type { Api } from 'grammy';
import { z } from 'zod';
import { isLocale, translator } from '../../i18n/translate.js';
import { instantToZoned, zonedToInstant } from '../../app/input/zoned-time.js';
import type { Shop } from '../../app/shop.js';
import type { TelegramLinkStore } from '../../db/telegram-links.js';
import { salesSummary, summaryText } from './summary.js';
import { olderDailySummarySent } from '../../db/telegram-daily-summaries.js';
import { seesSalesFigures } from '../../app/auth/staff-roles.js';
import { queueDayJobs } from '../../app/notifications/staff-job-queues.js';
import { staffOfTelegramAdmin } from './staff.js';
import { classifySendError } from '../send-policy.js';
import { TelegramUnreachableChats } from '../../db/telegram-unreachable.js';

/** The host job that sends one admin the summary of one day. */
export const DAILY_SUMMARY_TYPE = 'shop.telegram.daily_summary';

const DailySummarySchema = z.object({ day: z.iso.date(), adminId: z.string().min(1) });

/** The calendar day `days` after `day` ("2026-03-01", -1 → "2026-02-28"). */
function dayPlus(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 24 * 3600_000).toISOString().slice(0, 10);
}

/**
 * Sends one admin the summary of one day of the shop's time zone, in the admin's language. Failures follow the
 * one send policy (`send-policy.ts`): a 429 or 5xx runs the job again (after `retry_after`, or its backoff); a
 * refusal (the admin blocked the bot, marking the chat) or a call that failed on the way (it may have arrived)
 * is not sent again. An admin's chat marked unreachable gets nothing until it writes to the bot.
 */
export function dailySummaryJob(shop: Shop, api: Api, links: TelegramLinkStore): HostJobDefinition<typeof DailySummarySchema> {
  const unreachable = new TelegramUnreachableChats(shop.db, shop.shopSchema, shop.clock);
  return defineHostJob({
    type: DAILY_SUMMARY_TYPE,
    payload: DailySummarySchema,
    retry: { maxAttempts: 10, baseDelayMs: 5_000, maxDelayMs: 15 * 60_000, giveUpAfterMs: 12 * 3_600_000 },
    async run({ day, adminId }) {
      if ((await unreachable.reasonOf(adminId)) !== null) return;
      const zone = shop.config.timeZone;
      const summary = await salesSummary(shop, day, day);
      const link = await links.byTelegramUser(adminId);
      const customer = link === null ? null : await shop.storage.customers.get(link.customerId);
      const locale = customer !== null && isLocale(customer.locale) ? customer.locale : 'en';
      const staff = await staffOfTelegramAdmin(shop, adminId, customer?.id ?? null);
      try {
        await api.sendMessage(adminId, summaryText(summary, translator(locale), locale, zone, seesSalesFigures(staff.role)));
      } catch (error) {
        const failure = classifySendError(error);
        if (failure === null) throw error;
        if (failure.kind === 'retry') {
          // Routine (a 429 or a 5xx): the job runs again then; one line says so, no stack.
          shop.logger.info(
            { adminId, day, retryAfterMs: failure.error.retryAfterMs, reason: failure.error.message },
            'the daily summary will be retried later',
          );
          throw failure.error;
        }
        if (failure.kind === 'refused' && failure.unreachable) await unreachable.mark(adminId, failure.reason);
        shop.logger.warn({ err: error, adminId, day }, 'the daily summary did not reach an admin');
      }
    },
  });
}

/**
 * Once per day of the shop's time zone, queues the summary of the day that ended for every admin: one
 * job per admin, in one transaction with the day's slot (`ticks.tryAcquire`: one replica wins it).
 * Returns whether this call queued it. A day an older release already sent (`telegram_daily_summaries`)
 * is not queued again.
 */
export async function queueDailySummary(
  shop: Shop,
  job: HostJobDefinition<typeof DailySummarySchema>,
  adminIds: readonly string[],
): Promise<boolean> {
  if (adminIds.length === 0) return false;
  const zone = shop.config.timeZone;
  const today = instantToZoned(shop.clock.now(), zone).slice(0, 10);
  const yesterday = dayPlus(today, -1);
  const from = zonedToInstant(`${yesterday}T00:00`, zone);
  if (from === null) return false;
  if (await olderDailySummarySent(shop.db, shop.shopSchema, yesterday)) return false;
  return queueDayJobs(shop, job, { day: yesterday, from }, adminIds, (adminId) => ({ day: yesterday, adminId }));
}
