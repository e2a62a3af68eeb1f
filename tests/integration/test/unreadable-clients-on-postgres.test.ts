/**
 * A client the panel cannot return (a real Marzban answers 500 for a user without proxies) is announced once, on a
 * PostgreSQL server with three replicas (OS processes) syncing usage at the same moments, tick after tick: one
 * `panel.client_unreadable` audit event (the shop's staff notice comes from it), one `panel.clients_readable` when
 * it is repaired, and one more announcement if it breaks again.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPanelkit } from '@panelkit/sdk';
import type { PanelAdapter } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { serveOnLocalhost, type MarzbanSimulator } from '@panelkit/panel-adapters/testing';
import { PANEL_KINDS } from './support/kinds.js';
import { DATABASE_URL, SKIP_REASON } from './support/replicas/postgres-rig.js';
import { startReplica, type ReplicaProcess } from './support/replicas/process.js';
import type { MultiPanelReplicaConfig } from './support/replicas/multi-panel-replica.js';
import { GiB, IDENTITY, TICK_MS } from './support/shop.js';
import { migratedSchemaFor } from '../../../packages/storage-postgres/test/support/schema-pool.js';

type FetchHandler = (request: Request) => Promise<Response>;

/**
 * Holds the panel's answers to user-list pages until `n` replicas have asked (or 300 ms passed), then answers
 * them together: the replicas' usage syncs then record what they found at the same moment, the race at stake.
 */
function answeringTogether(inner: FetchHandler, n: number): FetchHandler {
  let waiting: (() => void)[] = [];
  return async (request) => {
    if (request.method !== 'GET' || new URL(request.url).pathname !== '/api/users') return inner(request);
    await new Promise<void>((release) => {
      waiting.push(release);
      const releaseAll = () => {
        const all = waiting;
        waiting = [];
        for (const r of all) r();
      };
      if (waiting.length >= n) releaseAll();
      else setTimeout(releaseAll, 300);
    });
    return inner(request);
  };
}

const KIND = PANEL_KINDS.find((k) => k.label === 'marzban 0.8')!;
const START = '2026-03-01T00:00:00.000Z';
const REPLICA = new URL('./support/replicas/multi-panel-replica.ts', import.meta.url);

describe.skipIf(SKIP_REASON !== false)(
  `an unreadable client across processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    it('three replicas syncing together announce it once, its repair once, and a new break once', { timeout: 120_000 }, async () => {
      const clock = new ManualClock(START);
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
      const { schema, giveBack } = await migratedSchemaFor(fromPgPool(pool), clock);
      const storage = createPostgresStorage({ client: fromPgPool(pool), schema, clock });
      const rig = KIND.make(clock);
      const server = await serveOnLocalhost(answeringTogether(rig.sim.handle, 3));
      const replicas: ReplicaProcess[] = [];
      try {
        const adapters = new Map<string, PanelAdapter>();
        const kit = createPanelkit({
          storage,
          clock,
          panels: (panel) => adapters.get(panel.id)!,
          policy: { identity: IDENTITY, tickIntervalMs: TICK_MS },
        });
        const panel = await storage.panels.create({
          kind: 'x',
          name: 'marzban',
          baseUrl: `${server.origin}/`,
          credentials: { type: 'token', token: 'unused' },
        });
        adapters.set(panel.id, rig.adapter(server.origin, clock));
        const synced = await kit.targets.sync(panel.id, { capacity: 100, select: (remote) => [rig.pickTarget(remote)] });
        const plan = await kit.plans.create({
          name: 'monthly',
          family: 'm',
          price: { amount: 100, currency: 'USD' },
          durationDays: 30,
          trafficBytes: 10 * GiB,
          placement: { preferredTargetIds: [synced.added[0]!.id] },
        });
        const customer = await kit.customers.create({ email: 'poisoned@example.com' });
        await kit.topUp({ customerId: customer.id, amount: { amount: 10_000, currency: 'USD' }, idempotencyKey: 'seed' });
        const { subscriptions } = await kit.checkout({
          customerId: customer.id,
          items: [{ planId: plan.id, quantity: 3 }],
          idempotencyKey: 'buy',
        });
        await kit.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain();
        const sim = rig.sim as unknown as MarzbanSimulator;
        const poisoned = sim.user(subscriptions[1]!.remote.username)!;

        replicas.push(
          ...(await Promise.all(
            ['a', 'b', 'c'].map((name) =>
              startReplica(`unreadable-${name}`, REPLICA, {
                databaseUrl: DATABASE_URL!,
                schema,
                kind: KIND.label,
                origins: { [panel.id]: server.origin },
                now: START,
                workerId: name,
              } satisfies MultiPanelReplicaConfig),
            ),
          )),
        );
        /**
         * The replicas tick together, each in a slot of its own (a panel's usage is read once a slot, so replicas in
         * one slot never race): their syncs read the panel and record what they found at the same moment.
         */
        const tickTogether = async () => {
          const base = clock.now().getTime();
          clock.advance(replicas.length * TICK_MS);
          await Promise.all(replicas.map((r, i) => r.call('setClock', new Date(base + (i + 1) * TICK_MS).toISOString())));
          await Promise.all(replicas.map((r) => r.call('tick')));
        };
        const actions = async () =>
          (await storage.audit.list({ subjectType: 'unreadable_clients', subjectId: panel.id }, { limit: 100 })).items.map((e) => e.action);

        poisoned.broken = true;
        for (let i = 0; i < 4; i++) await tickTogether();
        expect(await actions()).toEqual(['panel.client_unreadable']);

        poisoned.broken = false;
        for (let i = 0; i < 3; i++) await tickTogether();
        expect((await actions()).sort()).toEqual(['panel.client_unreadable', 'panel.clients_readable']);

        poisoned.broken = true;
        for (let i = 0; i < 3; i++) await tickTogether();
        expect((await actions()).sort()).toEqual(['panel.client_unreadable', 'panel.client_unreadable', 'panel.clients_readable']);
      } finally {
        await Promise.all(replicas.map((r) => r.close().catch(() => undefined)));
        await server.close();
        await storage.close();
        await giveBack();
        await pool.end();
      }
    });
  },
);
