/**
 * Refunds of one order from four OS processes at once on one PostgreSQL server: together they never give back
 * more than was paid for the order (the check runs under the customer's ledger lock, on every replica), and the
 * one that returns the rest is the only full one (the discount code use is given back once).
 */
import { describe, expect, it } from 'vitest';
import { openPostgresRig, SKIP_REASON } from './support/replicas/postgres-rig.js';
import { PANEL_KINDS } from './support/kinds.js';

const KIND = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;
const PROCESSES = 4;

describe.skipIf(SKIP_REASON !== false)(
  `refunds of one order from several processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    it('four replicas refund 40% of one order each at once: two land, never more than was paid', { timeout: 120_000 }, async () => {
      const rig = await openPostgresRig(KIND);
      const { storage, shop } = rig;
      try {
        const price = shop.plan.price;
        const code = await shop.kit.createDiscountCode({
          code: 'RACE',
          value: { type: 'fixed', amount: { amount: 1, currency: price.currency } },
        });
        const buyer = await shop.customer(price.amount);
        const { order } = await shop.kit.checkout({
          customerId: buyer,
          items: [{ planId: shop.plan.id }],
          idempotencyKey: 'o',
          discountCode: 'RACE',
        });
        await shop.worker.drain();
        const paid = price.amount - 1;
        const part = Math.ceil(paid * 0.4);

        const replicas = await rig.startReplicas(Array.from({ length: PROCESSES }, (_, i) => `refunder-${i}`));
        expect(new Set(replicas.map((r) => r.pid)).size).toBe(PROCESSES);
        const results = await Promise.all(
          replicas.map((r, i) =>
            r.call<{ ok: boolean; reason?: string; full?: boolean }>('refund', {
              customerId: buyer,
              orderId: order.id,
              amount: { amount: part, currency: price.currency },
              idempotencyKey: `race-${i}`,
            }),
          ),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(2);
        expect(results.filter((r) => !r.ok).map((r) => r.reason)).toEqual(['exceeds_paid', 'exceeds_paid']);
        const entries = await storage.ledger.listByOrder(order.id);
        const refunded = entries.filter((e) => e.kind === 'refund').reduce((n, e) => n + e.amount, 0);
        expect(refunded).toBe(2 * part);
        expect(refunded).toBeLessThanOrEqual(paid);
        expect(await shop.balance(buyer)).toBe(1 + 2 * part); // 1 left after paying with the code

        // The rest, from all four at once: one lands and it is the full refund; the code's use comes back once.
        const rest = paid - 2 * part;
        const last = await Promise.all(
          replicas.map((r, i) =>
            r.call<{ ok: boolean; reason?: string; full?: boolean }>('refund', {
              customerId: buyer,
              orderId: order.id,
              amount: { amount: rest, currency: price.currency },
              idempotencyKey: `rest-${i}`,
            }),
          ),
        );
        expect(last.filter((r) => r.ok).map((r) => r.full)).toEqual([true]);
        expect(await shop.balance(buyer)).toBe(price.amount);
        expect((await storage.discounts.get(code.id))!.uses).toBe(0);
      } finally {
        await rig.close();
      }
    });
  },
);
