import { readSetting, writeSetting } from '../../db/shop-settings.js';
import { writeNotification } from '../../db/notifications.js';
import type { Shop } from '../shop.js';

/** The setting that remembers the address buyers were last shown, to tell them when the first of PUBLIC_URLS changes. */
export const SHOWN_ADDRESS_SETTING = 'sublink.shown_address';

const BATCH = 500;

/**
 * Tells every buyer with a link when the shown address (the first of PUBLIC_URLS) changed since the last start: an
 * `address_changed` notification each, through the shop's notification machinery (written in transactions, then
 * fanned out to e-mail and Telegram as durable jobs). Once per change: each notice's source names the change
 * (`from>to`), and the notifications table takes one per source, kind and buyer, so replicas starting together, or a
 * start that crashed halfway and runs again, write nothing twice. The first start only remembers the address.
 * Returns how many notices it wrote.
 */
export async function announceAddressChange(shop: Shop): Promise<number> {
  const shown = shop.config.publicUrls[0];
  if (shown === undefined) return 0;
  const stored = await readSetting<{ url: string }, never>(shop, SHOWN_ADDRESS_SETTING);
  const now = shop.clock.now();
  if (stored !== null && stored.value.url === shown) return 0;
  let written = 0;
  if (stored !== null) {
    const source = `address:${stored.value.url}>${shown}`;
    let after = '';
    for (;;) {
      const customers = await shop.kit.links.customersWithLinks(after, BATCH);
      if (customers.length === 0) break;
      await shop.storage.transaction(async (tx) => {
        for (const customerId of customers) {
          const recipient = { kind: 'customer' as const, customerId };
          if (await writeNotification(tx, shop.shopSchema, now, { recipient, kind: 'address_changed', params: { address: shown }, source }))
            written++;
        }
      });
      after = customers[customers.length - 1] as string;
    }
  }
  // Remembered last: a start that stops before this runs the (idempotent) announcement again.
  await writeSetting(shop, SHOWN_ADDRESS_SETTING, { url: shown }, null, now, null);
  return written;
}
