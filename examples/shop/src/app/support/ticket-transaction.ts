import type { StorageTransaction } from '@panelkit/sdk/storage';
import { TicketWrites } from '../../db/support-tickets.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';

/**
 * Runs a ticket action in one storage transaction. A refusal is returned from `fn` (the storage reports anything
 * thrown inside as its own failure), before anything is written, and thrown here once the transaction is over.
 */
export async function ticketTransaction<T>(
  shop: Shop,
  fn: (tx: StorageTransaction, writes: TicketWrites) => Promise<T | ShopError>,
): Promise<T> {
  const outcome = await shop.storage.transaction((tx) => fn(tx, new TicketWrites(tx, shop.shopSchema)));
  if (outcome instanceof ShopError) throw outcome;
  return outcome;
}
