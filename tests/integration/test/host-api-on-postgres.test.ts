/**
 * The kit's host operations (panels, target sync, plans, customers) on `@panelkit/storage-postgres` with the
 * 3x-ui simulator over HTTP: PGlite on every run; on the real server, two replicas syncing one panel at once.
 */
import { ConflictError, type Panelkit } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { ManualClock } from '@panelkit/sdk/testing';
import { createXuiAdapter } from '@panelkit/panel-adapters';
import { createXuiSimulator, serveOnLocalhost, type RunningSimulator, type XuiSimulator } from '@panelkit/panel-adapters/testing';
import { createPostgresStorage, fromPGlite, fromPgPool, type SqlClient } from '@panelkit/storage-postgres';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestEngine } from './support/shop.js';
import { freshPGlite } from './support/pglite.js';
import { migratedSchemaFor } from '../../../packages/storage-postgres/test/support/schema-pool.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SKIP_REAL_SERVER = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;
const LOGIN = { username: 'admin', password: 'host-api-panel-password' };

interface Replica {
  storage: StoragePort;
  kit: Panelkit;
}

/** Takes a migrated schema (`migratedSchemaFor`) and wires `count` engines (each on its own client) to one simulated 3x-ui panel. */
async function open(clients: SqlClient[], run: (replicas: Replica[], sim: XuiSimulator, origin: string) => Promise<void>) {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const { schema, giveBack } = await migratedSchemaFor(clients[0]!, clock);
  const sim = createXuiSimulator({ version: '2.8.x', clock, credentials: LOGIN });
  sim.seedDemo();
  const server: RunningSimulator = await serveOnLocalhost(sim.handle);
  const replicas = clients.map((client) => {
    const storage = createPostgresStorage({ client, schema, clock });
    const adapter = createXuiAdapter({ baseUrl: `${server.origin}/`, auth: LOGIN, clock });
    return { storage, kit: createTestEngine({ storage, clock, adapter }).kit };
  });
  try {
    await run(replicas, sim, server.origin);
  } finally {
    await server.close();
    for (const r of replicas) await r.storage.close();
    await giveBack();
  }
}

async function proveHostOperations({ kit, storage }: Replica, sim: XuiSimulator, origin: string): Promise<void> {
  const panel = await kit.panels.add({
    kind: '3x-ui',
    name: 'Frankfurt',
    baseUrl: `${origin}/`,
    credentials: { type: 'password', username: 'admin', password: LOGIN.password },
  });
  const first = await kit.targets.sync(panel.id, { capacity: 100 });
  expect(first.added.map((t) => [t.name, t.capacity])).toEqual([...sim.state.inbounds.values()].map((i) => [i.remark, 100]));
  const [kept, renamed, disabled, deleted] = first.added;
  await storage.targets.update(kept!.id, { capacity: 7, tags: ['fast'] });

  // An admin edits the panel: renames one inbound, disables one, deletes one.
  const inbounds = [...sim.state.inbounds.values()];
  inbounds[1]!.remark = 'renamed on the panel';
  inbounds[2]!.enable = false;
  sim.state.inbounds.delete(inbounds[3]!.id);
  const second = await kit.targets.sync(panel.id, { capacity: 5 });
  expect(second.added).toEqual([]);
  expect(second.updated.map((t) => [t.id, t.name, t.capacity])).toEqual([[renamed!.id, 'renamed on the panel', 100]]);
  expect(second.retired.map((t) => t.id).sort()).toEqual([disabled!.id, deleted!.id].sort());
  expect(await storage.targets.get(kept!.id)).toMatchObject({ capacity: 7, tags: ['fast'], provisioningEnabled: true, isDefault: true });
  const audit = await storage.audit.list({ subjectId: panel.id }, { limit: 10 });
  expect(audit.items.map((e) => e.action).sort()).toEqual(['panel.created', 'panel.targets_synced', 'panel.targets_synced']);

  // Validation happens before anything is written; the plan and the customer land whole.
  const plans = async () => (await storage.plans.list()).length;
  await expect(
    kit.plans.create({
      name: 'x',
      family: 'f',
      price: { amount: 1, currency: 'USD' },
      durationDays: 1,
      trafficBytes: null,
      placement: { preferredTargetIds: ['tgt_missing'] },
    }),
  ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  expect(await plans()).toBe(0);
  const plan = await kit.plans.create({
    name: 'Monthly',
    family: 'standard',
    price: { amount: 500, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
    placement: { preferredTargetIds: [kept!.id] },
  });
  expect((await kit.plans.update(plan.id, { onSale: false })).onSale).toBe(false);
  const customer = await kit.customers.create({ email: 'buyer@example.com' });
  expect(await kit.customers.get(customer.id)).toEqual(customer);
  await expect(kit.customers.create({ email: 'buyer@example.com' })).rejects.toBeInstanceOf(ConflictError);
}

describe('kit host operations on PostgreSQL (PGlite) with 3x-ui', () => {
  it('adds a panel, syncs, updates and retires its targets keeping the admin’s settings, and creates plans and customers', async () => {
    const db = await freshPGlite();
    try {
      await open([fromPGlite(db)], ([replica], sim, origin) => proveHostOperations(replica!, sim, origin));
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(SKIP_REAL_SERVER !== false)(
  `kit host operations on a PostgreSQL server${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
  () => {
    it('the same, and two replicas syncing one panel at once store each target once', async () => {
      const pools = [0, 1].map(() => new pg.Pool({ connectionString: DATABASE_URL, max: 4 }));
      try {
        await open(
          pools.map((p) => fromPgPool(p)),
          async (replicas, sim, origin) => {
            await proveHostOperations(replicas[0]!, sim, origin);
            const panel = await replicas[0]!.kit.panels.add({
              kind: '3x-ui',
              name: 'Amsterdam',
              baseUrl: `${origin}/`,
              credentials: { type: 'password', username: 'admin', password: LOGIN.password },
            });
            const outcomes = await Promise.allSettled(replicas.map((r) => r.kit.targets.sync(panel.id, { capacity: 10 })));
            // The loser of a race on a new target's unique key gets a ConflictError and wrote nothing.
            for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConflictError);
            expect(outcomes.some((o) => o.status === 'fulfilled')).toBe(true);
            const again = await replicas[1]!.kit.targets.sync(panel.id);
            expect(again.added).toEqual([]);
            const stored = await replicas[1]!.storage.targets.list({ panelId: panel.id });
            const refs = stored.map((t) => t.remoteRef);
            expect(new Set(refs).size).toBe(refs.length);
            expect(refs.length).toBe([...sim.state.inbounds.values()].filter((i) => i.enable).length);
            expect(stored.filter((t) => t.isDefault)).toHaveLength(1);
          },
        );
      } finally {
        await Promise.all(pools.map((p) => p.end()));
      }
    });
  },
);
