import { parseShareLink } from '@panelkit/panel-adapters';
import type { Subscription } from '@panelkit/sdk';
import { KIND_TRAITS, type EntitlementKind } from '@panelkit/sdk/kinds';
import { configFileUrl, isUsablePart } from '@panelkit/subscription-feed';
import { telegramProxyLinks, wireGuardConf, wireGuardConfName } from '@panelkit/subscription-feed/formats';

/** A WireGuard or AmneziaWG part as the buyer takes it: a `.conf` file, its text, and where the feed serves it. */
export interface WireGuardPartDelivery {
  readonly form: 'wireguard_config';
  readonly kind: 'wireguard' | 'amneziawg';
  /** What the file is saved as (`wireGuardConfName`: the server's remark or host, at most 15 characters before `.conf`). */
  readonly fileName: string;
  /** The `.conf` text (`wireGuardConf`), the same the feed's route serves. */
  readonly text: string;
  /** The feed's `.conf` route for this part under the link it is shown with. */
  readonly url: string;
}

/** A Telegram (MTProto) proxy part as the buyer takes it: its two links. */
export interface TelegramPartDelivery {
  readonly form: 'telegram_proxy';
  readonly kind: 'mtproto';
  /** `tg://proxy?…`: opens the app directly. */
  readonly tg: string;
  /** `https://t.me/proxy?…`: opens it through the browser; the form a bot's URL button takes. */
  readonly https: string;
}

/** How a part that is not delivered through the subscription link reaches its buyer. */
export type PartDelivery = WireGuardPartDelivery | TelegramPartDelivery;

/** Whether the buyer's app takes this part from the subscription link (Xray), so it is shown as it always was. */
export function deliveredByLink(sub: Pick<Subscription, 'kind'>): boolean {
  return KIND_TRAITS[sub.kind].delivery === 'feed';
}

/** Whether the part is a WireGuard-style config (WireGuard or AmneziaWG). */
export function isConfigPart(sub: Pick<Subscription, 'kind'>): boolean {
  return KIND_TRAITS[sub.kind].delivery === 'wireguard_config';
}

function serverLabels(link: string): string[] {
  try {
    const parsed = parseShareLink(link);
    return [parsed.remark, parsed.address];
  } catch {
    return [];
  }
}

/**
 * How the buyer takes a part that is not an Xray user, under `linkUrl` (a link that serves it): for WireGuard and
 * AmneziaWG the `.conf` of its first share link, for a Telegram proxy both of its links. `null` for an Xray part,
 * a part that is not usable now (the feed's `isUsablePart`, the rule its config routes serve by: no button that
 * would answer 404), a part with no link yet (still being set up), and a link the formats refuse (the page then says
 * it is not ready, as for a pending part, rather than hand out a config that would not import).
 */
export function partDeliveryOf(sub: Pick<Subscription, 'id' | 'kind' | 'shareLinks' | 'status'>, linkUrl: string): PartDelivery | null {
  const link = sub.shareLinks[0];
  if (link === undefined || !isUsablePart(sub)) return null;
  const kind: EntitlementKind = sub.kind;
  try {
    if (kind === 'wireguard' || kind === 'amneziawg') {
      const text = wireGuardConf(link, { amnezia: kind === 'amneziawg' });
      return {
        form: 'wireguard_config',
        kind,
        fileName: wireGuardConfName(...serverLabels(link)),
        text,
        url: configFileUrl(linkUrl, sub.id),
      };
    }
    if (kind === 'mtproto') return { form: 'telegram_proxy', kind, ...telegramProxyLinks(link) };
  } catch {
    return null;
  }
  return null;
}
