/**
 * Two worker replicas as separate OS processes on one PostgreSQL server, provisioning one shop's orders
 * on one simulated panel: every paid subscription ends active with exactly one client, whichever
 * process ran it. The harness (`support/replicas`) is what the multi-process tests build on.
 */
import { describe, expect, it } from 'vitest';
import { openPostgresRig, SKIP_REASON } from './support/replicas/postgres-rig.js';
import { PANEL_KINDS } from './support/kinds.js';

const KIND = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;

describe.skipIf(SKIP_REASON !== false)(
  `worker replicas as OS processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    it('two processes provision every order once', { timeout: 90_000 }, async () => {
      const rig = await openPostgresRig(KIND);
      const { storage, shop } = rig;
      try {
        const replicas = await rig.startReplicas(
          ['a', 'b'].map((id) => `worker-${id}`),
          { claimLimit: 5 },
        );
        expect(new Set(replicas.map((r) => r.pid)).size).toBe(2);

        const customerId = await shop.customer(20_000);
        const { order, subscriptions } = await shop.kit.checkout({
          customerId,
          items: [{ planId: shop.plan.id, quantity: 12 }],
          idempotencyKey: 'buy',
        });
        const claimed = await Promise.all(replicas.map((r) => r.call<number>('drain')));
        expect(claimed.reduce((a, b) => a + b, 0)).toBe(12);

        const usernames = new Set<string>();
        for (const sub of subscriptions) {
          const stored = (await storage.subscriptions.get(sub.id))!;
          expect(stored.status).toBe('active');
          expect(shop.rig.stored(stored.remote.username)).toBeDefined();
          usernames.add(stored.remote.username);
        }
        expect(usernames.size).toBe(12);
        // Batches of one order settled in two processes at once: the one that settles last sees every unit live.
        expect((await storage.orders.get(order.id))?.status).toBe('completed');
      } finally {
        await rig.close();
      }
    });
  },
);
