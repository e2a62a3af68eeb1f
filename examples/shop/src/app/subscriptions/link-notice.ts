import type { Actor, Clock } from '@panelkit/sdk';
import { readSetting, writeSetting, type SettingsDb } from '../../db/shop-settings.js';
import { LOCALES, type Locale } from '../../i18n/translate.js';
import type { Shop } from '../shop.js';
import { replicaRead } from './replica-read.js';

/** The setting the owner's message to client apps is kept in. */
export const LINK_NOTICE_SETTING = 'sublink.notice';

/** Longest banner per language: the apps show one line (PasarGuard caps its `announce` at 128). */
export const BANNER_MAX = 200;

/** What client apps show beside the buyer's link: the owner's banner per language, and the support address. */
export interface LinkNotice {
  banner: Record<Locale, string>;
  /** An https, http or tg link, or `null`. */
  supportUrl: string | null;
}

const EMPTY: LinkNotice = { banner: Object.fromEntries(LOCALES.map((l) => [l, ''])) as Record<Locale, string>, supportUrl: null };

/** The owner's banner and support address (empty until saved). */
export async function readLinkNotice(shop: SettingsDb): Promise<LinkNotice> {
  const stored = await readSetting<LinkNotice, never>(shop, LINK_NOTICE_SETTING);
  if (stored === null) return EMPTY;
  return { banner: { ...EMPTY.banner, ...stored.value.banner }, supportUrl: stored.value.supportUrl ?? null };
}

/**
 * How long a replica answers its links with the notice it read before reading it again. A notice saved on one
 * replica is on that replica's links at once, and on every other replica's within this; nothing else about a link
 * (its token, subscriptions, devices) is kept between requests; the apps' management settings are read alike.
 */
export const LINK_NOTICE_TTL_MS = 10_000;

const noticeReads = replicaRead<LinkNotice, SettingsDb & { readonly clock: Clock }>(readLinkNotice, LINK_NOTICE_TTL_MS);

/**
 * The owner's notice as the buyer's link shows it: read at most once per {@link LINK_NOTICE_TTL_MS} per replica
 * (client apps refresh their links in storms; the notice changes when the owner saves it). Requests arriving
 * while a read is under way share it; a failed read is not kept.
 */
export function linkNoticeForLinks(shop: SettingsDb & { readonly clock: Clock }): Promise<LinkNotice> {
  return noticeReads.get(shop);
}

/** Why a {@link LinkNotice} was refused, as a form field's message key. */
export type LinkNoticeProblem = { field: string; message: string };

/** The problems with a notice as typed (each banner one line of at most {@link BANNER_MAX}; the URL http(s) or tg). */
export function linkNoticeProblems(notice: LinkNotice): LinkNoticeProblem[] {
  const problems: LinkNoticeProblem[] = [];
  for (const locale of LOCALES) {
    const text = notice.banner[locale];
    if (text.length > BANNER_MAX || /[\r\n\0]/.test(text)) problems.push({ field: `banner_${locale}`, message: 'forms.invalid' });
  }
  const url = notice.supportUrl;
  if (url !== null && (!URL.canParse(url) || !/^(https?|tg):$/.test(new URL(url).protocol) || url.length > 300))
    problems.push({ field: 'supportUrl', message: 'forms.invalid' });
  return problems;
}

/**
 * Saves the owner's banner and support address (from the admin page; audited as a settings change); refuses,
 * changing nothing, one with problems. Nothing in it is secret: every buyer's app shows it.
 */
export async function saveLinkNotice(
  shop: Pick<Shop, 'db' | 'shopSchema' | 'secretBox' | 'clock' | 'storage'>,
  notice: LinkNotice,
  actor: Actor,
): Promise<{ ok: true } | { ok: false; problems: LinkNoticeProblem[] }> {
  const problems = linkNoticeProblems(notice);
  if (problems.length > 0) return { ok: false, problems };
  await writeSetting(shop, LINK_NOTICE_SETTING, notice, null, shop.clock.now(), actor.id);
  noticeReads.forget(shop);
  await shop.storage.audit.append({
    actor,
    action: 'settings.saved',
    subjectType: 'shop',
    subjectId: 'settings',
    data: { linkNotice: true },
  });
  return { ok: true };
}
