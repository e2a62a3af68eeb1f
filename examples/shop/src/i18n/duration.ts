import type { Translate } from './translate.js';

/**
 * "3 days and 4 hours", "5 hours and 10 minutes", "1 minute": a span of time to two units, rounded down, in the
 * translator's language (its plural forms and digits).
 */
export function formatDuration(ms: number, t: Translate): string {
  const totalMinutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  const unit = (key: string, n: number) => t(`subscription.duration.${key}`, { count: n });
  const parts =
    days > 0
      ? [unit('days', days), hours > 0 && unit('hours', hours)]
      : hours > 0
        ? [unit('hours', hours), minutes > 0 && unit('minutes', minutes)]
        : [unit('minutes', minutes)];
  return parts.filter((p): p is string => typeof p === 'string').join(t('subscription.duration.and'));
}
