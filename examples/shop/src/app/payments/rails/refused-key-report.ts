import { notificationsOf } from '../../../db/notifications.js';
import { readSetting } from '../../../db/shop-settings.js';
import type { Shop } from '../../shop.js';
import type { GatewayKeyRefusedError } from '@panelkit/payment-providers';
import { railName, railSetting, type GatewayRail } from './gateway-rails.js';

/** The setups already logged in this process, per shop. */
const logged = new WeakMap<Shop, Set<string>>();

/**
 * Tells the owner that a gateway refuses the shop's merchant id or key, as for a required channel the bot cannot
 * check: a log line once per process and a staff notice (`gateway_key_refused`) once across replicas, each once per
 * setup as the owner saved it (the notice's cause names the rail and when its settings were saved, so saving them
 * again and still being refused tells the owner again). True when this call wrote the notice.
 */
export async function reportRefusedGatewayKey(shop: Shop, rail: GatewayRail, refusal: GatewayKeyRefusedError): Promise<boolean> {
  const saved = await readSetting(shop, railSetting(rail));
  const setup = `${rail}:${saved?.updatedAt.toISOString() ?? 'unsaved'}`;
  const seen = logged.get(shop) ?? new Set<string>();
  logged.set(shop, seen);
  if (!seen.has(setup)) {
    seen.add(setup);
    shop.logger.warn(
      { rail, said: refusal.said },
      'the gateway refuses the merchant id or key; buyers cannot pay with it until the owner fixes its settings',
    );
  }
  return notificationsOf(shop).write({
    recipient: { kind: 'staff' },
    kind: 'gateway_key_refused',
    source: `gateway-key:${setup}`,
    params: { gateway: railName(rail), said: refusal.said.slice(0, 200) },
  });
}
