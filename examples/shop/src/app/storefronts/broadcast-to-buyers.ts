import { enqueueHostJob } from '@panelkit/sdk';
import { BroadcastStore } from '../../db/telegram-broadcasts.js';
import { broadcastFanOutJob } from '../notifications/broadcast-fan-out.js';
import { ShopError } from '../shop-error.js';
import { IdempotencyKeySchema } from '../subscriptions/idempotency.js';
import type { Shop } from '../shop.js';
import { ownStorefront } from './own-storefront.js';

/** The longest broadcast text (Telegram's message limit is 4096 characters). */
export const MAX_BROADCAST_TEXT = 4000;

/** The most buyers one broadcast reaches (its job payload names them). */
const MAX_RECIPIENTS = 100_000;

/** Queued only: the real fan-out runs on the worker that has the bot (`telegram/broadcast-jobs.ts`). */
const fanOut = broadcastFanOutJob(async () => {
  throw new Error('a broadcast fan-out runs on the worker that sends through the bot');
});

/**
 * The reseller broadcasts a message to its own buyers and nobody else: the shop's broadcast jobs (one fan-out job,
 * copies in runs, each sent once), limited to the storefront's buyers, which are fixed when it is queued. The form's
 * key makes a repeat queue nothing. Refused (`conflict`) when the shop has no bot or none of its buyers linked
 * Telegram. The payload names the storefront: its buyers who started the storefront's own bot get their copy
 * through that bot (`storefront_telegram_links`), the others through the owner's bot.
 */
export async function broadcastToBuyers(
  shop: Shop,
  customerId: string,
  input: { text: string; idempotencyKey: string },
): Promise<{ id: string; recipients: number; created: boolean }> {
  const storefront = await ownStorefront(shop, customerId);
  const text = input.text.trim();
  if (text.length < 1 || text.length > MAX_BROADCAST_TEXT)
    throw new ShopError('invalid_input', 'forms.required', {}, { text: 'forms.required' });
  if (!IdempotencyKeySchema.safeParse(input.idempotencyKey).success)
    throw new ShopError('invalid_input', 'forms.invalid', {}, { idempotencyKey: 'forms.invalid' });
  if (shop.config.telegram === null) throw new ShopError('conflict', 'storefronts.errors.noBuyersReached');
  const buyers: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await shop.kit.storefronts.buyers(storefront.id, { limit: 1000, ...(cursor === null ? {} : { cursor }) });
    buyers.push(...page.items.map((c) => c.id));
    cursor = page.nextCursor;
  } while (cursor !== null && buyers.length < MAX_RECIPIENTS);
  const store = new BroadcastStore(shop.db, shop.shopSchema, shop.clock);
  const recipients = buyers.length === 0 ? 0 : await store.countRecipients([], buyers, storefront.id);
  if (recipients === 0) throw new ShopError('conflict', 'storefronts.errors.noBuyersReached');
  const id = BroadcastStore.idOf(`storefront:${storefront.id}:${input.idempotencyKey}`);
  const payload = {
    broadcastId: id,
    text,
    createdBy: `customer:${customerId}`,
    exceptUsers: [],
    onlyCustomers: buyers,
    storefrontId: storefront.id,
  };
  const { created } = await enqueueHostJob(shop.storage, fanOut, payload, { key: id });
  return { id, recipients, created };
}
