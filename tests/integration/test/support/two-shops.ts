import pg from 'pg';
import type { StoragePort } from '@panelkit/sdk/storage';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { takeMigratedSchema } from '../../../../packages/storage-postgres/test/support/schema-pool.js';
import { PANEL_KINDS } from './kinds.js';
import { openShop, type Shop } from './shop.js';

/** Two replicas of the engine on one schema and one simulated panel, as {@link withTwoShops} gives them. */
export interface TwoShops {
  /** Each with a storage and a pool of its own, as two processes would have. */
  readonly shops: readonly [Shop, Shop];
  /** The first shop's storage, for setting up and reading back. */
  readonly storage: StoragePort;
  readonly clock: ManualClock;
}

/**
 * Runs `run` on two replicas of a migrated schema (from the pool of them) of the real server (`PANELKIT_TEST_DATABASE_URL`), sharing
 * one simulated panel of the first kind and the first shop's plan and target, on a clock at 2026-03-01.
 * Everything is closed and the schema given back afterwards, whatever `run` does.
 */
export async function withTwoShops(run: (two: TwoShops) => Promise<void>, options: { poolMax?: number } = {}): Promise<void> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const pools = [0, 1, 2].map(
    () => new pg.Pool({ connectionString: process.env['PANELKIT_TEST_DATABASE_URL'], max: options.poolMax ?? 4 }),
  );
  const admin = fromPgPool(pools[0]!);
  const { schema, giveBack } = await takeMigratedSchema(admin, { clock });
  const storages = [1, 2].map((i) => createPostgresStorage({ client: fromPgPool(pools[i]!), schema, clock }));
  const rig = PANEL_KINDS[0]!.make(clock);
  const shops: Shop[] = [];
  try {
    const first = await openShop({ clock, storage: storages[0]!, rig });
    shops.push(first);
    const second = await openShop({ clock, storage: storages[1]!, rig, server: first.server, existing: first });
    shops.push(second);
    await run({ shops: [first, second], storage: storages[0]!, clock });
  } finally {
    for (const shop of shops.reverse()) await shop.close();
    await Promise.all(storages.map((s) => s.close()));
    await giveBack();
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  }
}
