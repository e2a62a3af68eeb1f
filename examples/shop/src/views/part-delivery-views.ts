import type { Subscription } from '@panelkit/sdk';
import { configsZipUrl, isUsablePart, servesConfigFile } from '@panelkit/subscription-feed';
import { deliveredByLink, isConfigPart, partDeliveryOf, type PartDelivery } from '../app/kinds/part-delivery.js';
import type { PartDeliveryView } from './part-delivery-card.js';
import { qrDataUrl } from './qr-code.js';

/** What the QR carries: a plain WireGuard conf's text (the WireGuard app scans it), a Telegram proxy's https link. */
function qrPayload(delivery: PartDelivery): string | null {
  if (delivery.form === 'telegram_proxy') return delivery.https;
  // AmneziaVPN's QR codes carry its own JSON format, and the WireGuard app refuses AmneziaWG keys: no QR for those.
  return delivery.kind === 'wireguard' ? delivery.text : null;
}

/**
 * The delivery of each part in `subs` that the subscription link does not deliver (by id), under `linkUrl` (a link
 * serving them all), with its QR drawn when `qr`. The zip is offered when the link serves more than one config.
 */
export async function partDeliveryViews(
  subs: readonly Subscription[],
  linkUrl: string,
  options: { qr: boolean },
): Promise<Map<string, PartDeliveryView>> {
  const parts = subs.filter((sub) => !deliveredByLink(sub) && isUsablePart(sub));
  const deliveries = parts.map((sub) => ({ sub, delivery: partDeliveryOf(sub, linkUrl) }));
  const configs = deliveries.filter(({ sub, delivery }) => servesConfigFile(sub) && delivery !== null).length;
  const zipUrl = configs > 1 ? configsZipUrl(linkUrl) : null;
  const views = new Map<string, PartDeliveryView>();
  for (const { sub, delivery } of deliveries) {
    const payload = options.qr && delivery !== null ? qrPayload(delivery) : null;
    views.set(sub.id, { sub, delivery, qr: payload === null ? null : await qrDataUrl(payload), zipUrl: isConfigPart(sub) ? zipUrl : null });
  }
  return views;
}
