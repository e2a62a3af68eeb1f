/**
 * A panel's concurrency limit holds across replicas: engine replicas as OS processes on one PostgreSQL
 * server provision orders on one simulated 3x-ui panel, and the panel (served by this process) counts the
 * requests it is answering at once. Each replica's own queue would let `maxConcurrency` calls through, so
 * two or four replicas would reach twice or four times the limit without the panel's slots on the storage.
 * A usage walk (page after page of the panel's clients, on one slot held throughout) runs beside the orders
 * and counts against the same limit.
 */
import { deriveRemoteIdentity } from '@panelkit/sdk';
import type { ClientSpec } from '@panelkit/sdk/adapter';
import { serveOnLocalhost, type FetchHandler } from '@panelkit/panel-adapters/testing';
import { describe, expect, it } from 'vitest';
import { openPostgresRig, SKIP_REASON } from './support/replicas/postgres-rig.js';
import { PANEL_KINDS } from './support/kinds.js';

// Gen B returns no links with the create, so every order makes calls of its own (its links), all at once.
const KIND = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;
const LIMIT = 3;
const ORDERS_PER_REPLICA = 12;
/** Clients put on the panel beside the shop's, so a usage walk reads several pages (3x-ui Gen B pages by 200). */
const EXTRA_CLIENTS = 1000;

/**
 * The panel's handler, held `delayMs` per request so calls overlap, counting the requests in progress and the most at
 * once. `hold(false)` answers without the delay (still counted): the test's own set-up calls, one client a request.
 */
function countingPanel(inner: FetchHandler, delayMs: number) {
  let holding = true;
  let now = 0;
  let peak = 0;
  let total = 0;
  const handle: FetchHandler = async (request) => {
    now++;
    total++;
    peak = Math.max(peak, now);
    try {
      if (holding) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return await inner(request);
    } finally {
      now--;
    }
  };
  return {
    handle,
    peak: () => peak,
    total: () => total,
    hold(value: boolean) {
      holding = value;
    },
  };
}

describe.skipIf(SKIP_REASON !== false)(
  `a panel's concurrency limit across replicas${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    for (const count of [2, 4]) {
      it(`${count} processes never call the panel more than ${LIMIT} at once`, { timeout: 120_000 }, async () => {
        let panel!: ReturnType<typeof countingPanel>;
        const rig = await openPostgresRig(KIND, {
          serve: (kindRig) => {
            panel = countingPanel(kindRig.sim.handle, 30);
            return serveOnLocalhost(panel.handle);
          },
        });
        const { storage, shop } = rig;
        try {
          const replicas = await rig.startReplicas(
            Array.from({ length: count }, (_, i) => `worker-${i}`),
            { claimLimit: ORDERS_PER_REPLICA, policy: { panelConcurrency: { [shop.panel.id]: LIMIT } } },
          );
          const subscriptionIds: string[] = [];
          for (let i = 0; i < count; i++) {
            const { subscriptions } = await shop.kit.checkout({
              customerId: await shop.customer(100_000),
              items: [{ planId: shop.plan.id, quantity: ORDERS_PER_REPLICA }],
              idempotencyKey: `buy-${i}`,
            });
            subscriptionIds.push(...subscriptions.map((s) => s.id));
          }
          // A thousand requests held 30 ms each took 38 s of the test's 44; the replicas' calls below are all held.
          panel.hold(false);
          const target = { remoteRef: shop.target.remoteRef, protocol: shop.target.protocol, remoteMeta: shop.target.remoteMeta };
          for (let i = 0; i < EXTRA_CLIENTS; i += 50) {
            const specs = Array.from(
              { length: 50 },
              (_, j): ClientSpec => ({
                identity: deriveRemoteIdentity(`extra-${i + j}`, 0, { secret: 'panel-limit-extra-clients-0123456789' }),
                expiry: { type: 'never' },
                trafficLimitBytes: null,
                deviceLimit: null,
                enabled: true,
              }),
            );
            await shop.adapter.createClients(target, specs, { signal: AbortSignal.timeout(30_000), idempotencyKey: `extra-${i}` });
          }
          panel.hold(true);
          const before = panel.total();
          // Every replica drains its orders while the first also ticks: its usage sync walks the panel's pages.
          const [claimed, ticked] = await Promise.all([
            Promise.all(replicas.map((r) => r.call<number>('drain'))),
            replicas[0]!.call<{ usage: { panels: number; clients: number } | null }>('tick'),
          ]);
          expect(claimed.reduce((a, b) => a + b, 0)).toBe(count * ORDERS_PER_REPLICA);
          expect(ticked.usage, 'the usage walk read the panel').toMatchObject({ panels: 1 });
          for (const id of subscriptionIds) expect((await storage.subscriptions.get(id))?.status).toBe('active');
          expect(panel.total() - before, 'the replicas called the panel').toBeGreaterThan(count * ORDERS_PER_REPLICA);
          expect(panel.peak(), 'requests at once on the panel').toBeLessThanOrEqual(LIMIT);
          expect(panel.peak(), 'calls overlapped at all').toBeGreaterThan(1);
        } finally {
          await rig.close();
        }
      });
    }
  },
);
