/**
 * A panel down for one hour, and for six, with three worker replicas as separate OS processes on one
 * PostgreSQL server and the SDK's default retry policy: every paid order ends active, nothing is
 * refunded, no attempt is spent while the panel is known to be down, and the orders go live within two
 * minutes of its return. Health checks and wake-ups run in whichever replica wins each slot.
 * (The retry policy before parking gave every job up after 12 attempts, about 35 minutes in, and refunded it.)
 */
import { describe, expect, it } from 'vitest';
import { serveOnLocalhost } from '@panelkit/panel-adapters/testing';
import { PANEL_KINDS } from './support/kinds.js';
import { rideOutOutage, switchablePanel } from './support/outage.js';
import { openPostgresRig, SKIP_REASON } from './support/replicas/postgres-rig.js';

const KIND = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;
const HOUR = 3_600_000;

describe.skipIf(SKIP_REASON !== false)(
  `a panel outage with worker replicas as OS processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    for (const hours of [1, 6]) {
      it(`${hours} hour(s) down: every order active at the end, nothing refunded, no attempt spent while parked`, {
        timeout: 240_000,
      }, async () => {
        let panel!: ReturnType<typeof switchablePanel>;
        const rig = await openPostgresRig(KIND, {
          serve: (kindRig) => {
            panel = switchablePanel(kindRig.sim.handle);
            return serveOnLocalhost(panel.handle);
          },
        });
        const { clock, storage, shop } = rig;
        try {
          const replicas = await rig.startReplicas(
            ['a', 'b', 'c'].map((id) => `worker-${id}`),
            { claimLimit: 5, policy: { jobRetry: {} } },
          );
          expect(new Set(replicas.map((r) => r.pid)).size).toBe(3);

          const buyers = [await shop.customer(5_000), await shop.customer(5_000), await shop.customer(5_000)];
          panel.setDown(true);
          const subscriptionIds: string[] = [];
          for (const [i, customerId] of buyers.entries()) {
            const { subscriptions } = await shop.kit.checkout({
              customerId,
              items: [{ planId: shop.plan.id, quantity: 2 }],
              idempotencyKey: `outage-${i}`,
            });
            subscriptionIds.push(...subscriptions.map((x) => x.id));
          }
          const report = await rideOutOutage({
            clock,
            storage,
            replicas: replicas.map((r) => ({
              setClock: (iso) => r.call('setClock', iso),
              tick: () => r.call('tick'),
              drain: () => r.call('drain'),
            })),
            panel,
            panelId: shop.panel.id,
            subscriptionIds,
            outageMs: hours * HOUR,
          });

          expect(report.noticedAfterMs).toBeLessThanOrEqual(6 * 60_000);
          expect(report.allParkedAtRecovery).toBe(true);
          expect(report.attemptsAtRecovery).toBe(report.attemptsWhenNoticed);
          expect(report.liveAfterMs).not.toBeNull();
          expect(report.liveAfterMs!).toBeLessThanOrEqual(2 * 60_000);
          const usernames = new Set<string>();
          for (const id of subscriptionIds) {
            const sub = (await storage.subscriptions.get(id))!;
            expect(sub.status).toBe('active');
            expect(await shop.rig.sim.countClients(sub.remote.username)).toBe(1);
            usernames.add(sub.remote.username);
          }
          expect(usernames.size).toBe(6);
          for (const customerId of buyers) {
            expect(await shop.balance(customerId)).toBe(3_000);
            const entries = (await storage.ledger.list(customerId, { limit: 50 })).items;
            expect(entries.filter((e) => e.kind === 'refund')).toEqual([]);
          }
        } finally {
          await rig.close();
        }
      });
    }
  },
);
