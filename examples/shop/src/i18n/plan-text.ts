import type { Plan } from '@panelkit/sdk';
import { builtFromPrice } from '@panelkit/sdk/plan-builder';
import { formatBytes, formatMoney } from './format.js';
import type { Locale, Translate } from './translate.js';
import { displayNames } from './intl-cache.js';

/** A location tag for people: a country name in the viewer's language for two-letter tags, else the tag. */
export function locationName(tag: string, locale: Locale): string {
  if (/^[a-z]{2}$/.test(tag)) {
    try {
      return displayNames(locale, 'region').of(tag.toUpperCase()) ?? tag;
    } catch {
      return tag;
    }
  }
  return tag;
}

/** "30 days · 50 GiB · 2 devices": what a plan gives, in the viewer's language. */
export function planSummary(plan: Plan, t: Translate, locale: Locale): string {
  const parts = [
    t('plans.days', { count: plan.durationDays }),
    plan.trafficBytes === null ? t('plans.unlimitedTraffic') : formatBytes(plan.trafficBytes, locale),
  ];
  if (plan.deviceLimit !== null) parts.push(t('plans.devices', { count: plan.deviceLimit }));
  if (plan.startOnFirstUse) parts.push(t('plans.startsOnFirstUse'));
  return parts.join(' · ');
}

/** A plan's stored price, formatted. For a listing, prefer `planListPrice` (a built plan's stored price is 0). */
export function planPrice(plan: Plan, locale: Locale): string {
  return formatMoney(plan.price, locale);
}

/**
 * A plan's price where plans are listed: a fixed plan's price, or "from …" for a plan the buyer composes (the SDK's
 * quote of its builder's defaults, `builtFromPrice`), since its stored price is not what it sells for.
 */
export function planListPrice(plan: Plan, t: Translate, locale: Locale): string {
  const from = builtFromPrice(plan);
  return from === null ? planPrice(plan, locale) : t('planFrom.price', { price: formatMoney(from, locale) });
}
