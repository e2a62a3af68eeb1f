/**
 * A replica module (see `process.ts`) that asks `kit.links` for customers' link tokens, as a shop replica showing
 * the buyer's page or serving `/s/<token>` would, starting at a wall-clock instant the parent gives every replica, so
 * the replicas' first uses (or rotations) of each customer land together.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createPanelkit } from '@panelkit/sdk';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';

/** What the parent passes to a link replica. */
export interface LinkReplicaConfig {
  databaseUrl: string;
  /** Already migrated by the parent. */
  schema: string;
  secret: string;
}

export async function setup(config: LinkReplicaConfig) {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
  const storage = createPostgresStorage({ client: fromPgPool(pool), schema: config.schema });
  const kit = createPanelkit({
    storage,
    panels: () => {
      throw new Error('no panels in the link races');
    },
    policy: { identity: { secret: config.secret, prefix: 'pk' } },
    links: { secret: config.secret },
  });
  const name = process.env['PANELKIT_REPLICA_NAME'] ?? 'link';
  return {
    /** At `startAt` (ms since the epoch), each customer's token in order (made on first use). */
    tokensFor: async (customerIds: string[], startAt: number) => {
      await sleep(Math.max(0, startAt - Date.now()));
      const tokens: string[] = [];
      for (const id of customerIds) tokens.push(await kit.links.tokenFor(id));
      return tokens;
    },
    /** At `startAt`, rotates the customer's token as this replica's admin; the token rotate answered. */
    rotate: async (customerId: string, startAt: number) => {
      await sleep(Math.max(0, startAt - Date.now()));
      return kit.links.rotate(customerId, { type: 'admin', id: name });
    },
    /** Whom each token resolves to here. */
    resolveAll: async (tokens: string[]) => Promise.all(tokens.map((t) => kit.links.resolve(t))),
    close: async () => {
      await storage.close();
      await pool.end();
    },
  };
}
