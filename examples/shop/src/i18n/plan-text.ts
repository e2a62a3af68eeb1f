import type { Money, Plan } from '@panelkit/sdk';
import { builtFromPrice, type PlanLocation } from '@panelkit/sdk/plan-builder';
import { formatBytes, formatMoney } from './format.js';
import type { Locale, Translate } from './translate.js';
import { displayNames } from './intl-cache.js';

/**
 * Country names already looked up, by locale and two-letter tag (at most 676 tags in each of the shop's locales):
 * every catalog and plan screen names its locations, and ICU's lookup costs microseconds each.
 */
const countryNames = new Map<string, string>();

/** A location tag for people: a country name in the viewer's language for two-letter tags, else the tag. */
export function locationName(tag: string, locale: Locale): string {
  if (!/^[a-z]{2}$/.test(tag)) return tag;
  const key = `${locale}|${tag}`;
  let name = countryNames.get(key);
  if (name === undefined) {
    try {
      name = displayNames(locale, 'region').of(tag.toUpperCase()) ?? tag;
    } catch {
      name = tag;
    }
    countryNames.set(key, name);
  }
  return name;
}

/** A location as a plan offers it (`kit.planLocations`): its tag, and the owner's country and name for it when named. */
export type NamedLocation = Pick<PlanLocation, 'location' | 'country' | 'name'>;

/**
 * A location as buyers read it on every channel (web pages, the bot, the Mini App; the JSON API gives the same
 * `name`): the owner's name from the location catalog (`kit.locations`: "Frankfurt") once the owner has named the
 * tag, else the tag's own name ({@link locationName}: "Germany" for `de`).
 */
export function buyerLocationName(l: NamedLocation, locale: Locale): string {
  return l.country === null ? locationName(l.location, locale) : l.name;
}

/**
 * The buyers' name of each tag of `tags` ({@link buyerLocationName}) among the locations a plan offers (`offered`);
 * a tag it no longer offers by its own name.
 */
export function buyerLocationNames(tags: readonly string[], offered: readonly NamedLocation[], locale: Locale): string[] {
  const byTag = new Map(offered.map((l) => [l.location, l]));
  return tags.map((tag) => buyerLocationName(byTag.get(tag) ?? { location: tag, country: null, name: tag }, locale));
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

/** What a plan is listed at (see {@link planListedPrice}). */
export interface ListedPrice {
  price: Money;
  /** True for a plan the buyer composes: `price` is the least it sells for, shown "from …". */
  from: boolean;
}

/**
 * The one price a plan is listed at, wherever a plan's price is shown (the catalog, the bot's plan screens, the gift
 * pages, the JSON API, the owner's plan table, the reseller price-book pages): a fixed plan's price, or for a plan
 * the buyer composes the SDK's quote of its builder's defaults (`builtFromPrice`), since its stored price is not what
 * it sells for.
 */
export function planListedPrice(plan: Pick<Plan, 'price' | 'builder' | 'durationDays' | 'trafficBytes' | 'deviceLimit'>): ListedPrice {
  const from = builtFromPrice(plan);
  return from === null ? { price: plan.price, from: false } : { price: from, from: true };
}

/** A listed price, formatted: "from …" for a plan the buyer composes. */
export function listedPriceText(listed: ListedPrice, t: Translate, locale: Locale): string {
  const price = formatMoney(listed.price, locale);
  return listed.from ? t('planFrom.price', { price }) : price;
}

/** A plan's price where plans are listed ({@link planListedPrice}), formatted: "from …" for a plan the buyer composes. */
export function planListPrice(
  plan: Pick<Plan, 'price' | 'builder' | 'durationDays' | 'trafficBytes' | 'deviceLimit'>,
  t: Translate,
  locale: Locale,
): string {
  return listedPriceText(planListedPrice(plan), t, locale);
}
