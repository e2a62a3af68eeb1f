import { KIND_TRAITS, type EntitlementKind } from '@panelkit/sdk/kinds';
import { type Locale, localeInfo } from './locales.js';
import type { Translate } from './translate.js';

/** Each kind's name as owners and buyers read it ("WireGuard", "Telegram proxy"), as whole message keys. */
const KIND_NAME_KEYS: Readonly<Record<EntitlementKind, string>> = {
  xray: 'kinds.names.xray',
  wireguard: 'kinds.names.wireguard',
  amneziawg: 'kinds.names.amneziawg',
  mtproto: 'kinds.names.mtproto',
};

/** The name of `kind` in the reader's language. */
export function kindName(kind: EntitlementKind, t: Translate): string {
  return t(KIND_NAME_KEYS[kind]);
}

/**
 * What the buyer is told when a part whose app does not refresh from the link (`KIND_TRAITS.refreshesFromLink`
 * false) changed credentials or server (a rotation, a move, an evacuation): download the config again, or open the
 * new proxy link. `null` for a kind whose app refreshes itself (Xray), which needs no notice.
 */
export function reimportNoticeKey(kind: EntitlementKind): string | null {
  const traits = KIND_TRAITS[kind];
  if (traits.refreshesFromLink) return null;
  return traits.delivery === 'telegram_proxy' ? 'kinds.changed.telegram' : 'kinds.changed.config';
}

/** What a buyer receives of each kind, as whole message keys (a link for the app, a config file, a Telegram link). */
const KIND_RECEIVE_KEYS: Readonly<Record<EntitlementKind, string>> = {
  xray: 'kinds.offer.receive.xray',
  wireguard: 'kinds.offer.receive.wireguard',
  amneziawg: 'kinds.offer.receive.amneziawg',
  mtproto: 'kinds.offer.receive.mtproto',
};

/** What the buyer of a plan receives for one of its kinds, in the reader's language (one line per part). */
export function kindReceiveText(kind: EntitlementKind, t: Translate): string {
  return t(KIND_RECEIVE_KEYS[kind]);
}

/** A plan's kinds by name in the locale's list form ("WireGuard, Telegram proxy"). */
export function kindsListText(kinds: readonly EntitlementKind[], t: Translate, locale: Locale): string {
  return kinds.map((kind) => kindName(kind, t)).join(localeInfo(locale).listSeparator);
}

/**
 * A bundle plan's line (a plan of several kinds: one purchase, one subscription per kind, extended together); `null`
 * for a plan of one kind.
 */
export function bundleLineText(kinds: readonly EntitlementKind[], t: Translate, locale: Locale): string | null {
  if (kinds.length < 2) return null;
  return t('kinds.offer.bundle', { count: kinds.length, kinds: kindsListText(kinds, t, locale) });
}

/**
 * A plan's offer as plain lines (the bot's plan screen): what it sells, a bundle's line, then what the buyer receives
 * of each kind.
 */
export function planOfferLines(kinds: readonly EntitlementKind[], t: Translate, locale: Locale): string[] {
  const bundle = bundleLineText(kinds, t, locale);
  return [
    `${t('kinds.offer.sells')}: ${kindsListText(kinds, t, locale)}`,
    ...(bundle === null ? [] : [bundle]),
    `${t('kinds.offer.receiveTitle')}:`,
    ...kinds.map((kind) => `• ${kindReceiveText(kind, t)}`),
  ];
}
