/**
 * A replica module (see `process.ts`) that asks `kit.devices.touch` for one new device on each of a list of
 * subscriptions, as a shop replica serving the link to an app would, starting at a wall-clock instant the parent
 * gives every replica, so the replicas' registrations on each subscription land together.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createPanelkit } from '@panelkit/sdk';
import type { DeviceCheck } from '@panelkit/sdk';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';

/** What the parent passes to a device replica. */
export interface DeviceReplicaConfig {
  databaseUrl: string;
  /** Already migrated by the parent. */
  schema: string;
}

export async function setup(config: DeviceReplicaConfig) {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
  const storage = createPostgresStorage({ client: fromPgPool(pool), schema: config.schema });
  const kit = createPanelkit({
    storage,
    panels: () => {
      throw new Error('no panels in the device races');
    },
    policy: { identity: { secret: 'device-race-secret-0123456789', prefix: 'pk' } },
  });
  const name = process.env['PANELKIT_REPLICA_NAME'] ?? 'device';
  return {
    /** At `startAt` (ms since the epoch), touches a new device of this replica on each subscription in order; the outcomes. */
    touchAll: async (subscriptionIds: string[], startAt: number) => {
      await sleep(Math.max(0, startAt - Date.now()));
      const outcomes: DeviceCheck[] = [];
      for (const id of subscriptionIds)
        outcomes.push(await kit.devices.touch(id, { hwid: `${name}-hwid`, platform: 'android', app: 'Happ', userAgent: 'Happ/3.13.0' }));
      return outcomes.map((o) => (o.served ? o.outcome : o.reason));
    },
    close: async () => {
      await storage.close();
      await pool.end();
    },
  };
}
