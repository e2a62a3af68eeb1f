/**
 * The last uses of a discount code, wanted by many buyers at once through four OS processes on one
 * PostgreSQL server: exactly as many checkouts get the code as it has uses (in all, and per customer),
 * every other one is refused with the typed reason and charged nothing, and the code's counter, its
 * redemption rows and the wallets agree. The use is a conditional `UPDATE` on the code's row in the
 * checkout's own transaction, never a read-then-write.
 *
 * Each buyer buys a plan of its own lane (own plan, own target) so the checkouts' capacity locks do not
 * queue them one behind the other: only the code's guard stands between them. The per-customer code is
 * free (100%), so no debit locks the customer either.
 */
import { describe, expect, it } from 'vitest';
import { openLanes } from './support/replicas/lanes.js';
import { openPostgresRig, SKIP_REASON } from './support/replicas/postgres-rig.js';
import { PANEL_KINDS } from './support/kinds.js';

const KIND = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;
const PROCESSES = 4;
const LANES = 8;

type Outcome = { ok: true; orderId: string } | { ok: false; code: string | undefined; message: string };

describe.skipIf(SKIP_REASON !== false)(
  `the last uses of a discount code from several processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    it('24 buyers want a code with 3 uses left at once; one buyer clicks 12 times on a free code with 1 use per customer', {
      timeout: 120_000,
    }, async () => {
      const rig = await openPostgresRig(KIND);
      const { storage, shop } = rig;
      try {
        const price = shop.plan.price.amount;
        const lanes = await openLanes(rig, LANES, shop.plan.price);
        const last = await shop.kit.createDiscountCode({ code: 'LAST3', value: { type: 'percent', percent: 50 }, maxUses: 5 });
        // Two uses taken already: three are left.
        const early = [await shop.customer(price), await shop.customer(price)];
        for (const [i, customerId] of early.entries()) {
          await shop.kit.checkout({ customerId, items: [{ planId: shop.plan.id }], idempotencyKey: `early-${i}`, discountCode: 'LAST3' });
        }
        const perCustomer = await shop.kit.createDiscountCode({
          code: 'ONEEACH',
          value: { type: 'percent', percent: 100 },
          maxUsesPerCustomer: 1,
        });
        const buyers: string[] = [];
        for (let i = 0; i < 24; i++) buyers.push(await shop.customer(price));
        const clicker = await shop.customer(0);

        const replicas = await rig.startReplicas(Array.from({ length: PROCESSES }, (_, i) => `web-${i}`));
        expect(new Set(replicas.map((r) => r.pid)).size).toBe(PROCESSES);
        const requests = [
          ...buyers.map((customerId, n) => ({
            customerId,
            items: [{ planId: lanes[n % LANES]! }],
            idempotencyKey: 'spring',
            discountCode: 'last3',
          })),
          ...Array.from({ length: 12 }, (_, n) => ({
            customerId: clicker,
            items: [{ planId: lanes[n % LANES]! }],
            idempotencyKey: `click-${n}`,
            discountCode: 'ONEEACH',
          })),
        ];
        const outcomes = await Promise.all(
          requests.map(async (request, i): Promise<Outcome> => {
            try {
              const result = await replicas[i % PROCESSES]!.call<{ orderId: string }>('checkout', request);
              return { ok: true, orderId: result.orderId };
            } catch (error) {
              const e = error as { code?: string; message: string };
              return { ok: false, code: e.code, message: e.message };
            }
          }),
        );
        const mine = (customers: (id: string) => boolean) => outcomes.filter((_, i) => customers(requests[i]!.customerId));

        const forLast = mine((id) => id !== clicker);
        expect(forLast.filter((o) => o.ok)).toHaveLength(3);
        const refused = forLast.flatMap((o) => (o.ok ? [] : [o]));
        expect(refused).toHaveLength(21);
        expect(refused.every((o) => o.code === 'NOT_ELIGIBLE' && o.message.includes('exhausted'))).toBe(true);
        expect(await storage.discounts.get(last.id)).toMatchObject({ uses: 5 });
        const balances = await Promise.all(buyers.map((id) => shop.balance(id)));
        expect(balances.filter((b) => b === price / 2)).toHaveLength(3);
        expect(balances.filter((b) => b === price)).toHaveLength(21);

        const forClicker = mine((id) => id === clicker);
        expect(forClicker.filter((o) => o.ok)).toHaveLength(1);
        expect(forClicker.filter((o) => !o.ok && o.message.includes('customer_exhausted'))).toHaveLength(11);
        expect(await storage.discounts.customerUses(perCustomer.id, clicker)).toBe(1);
        expect(await shop.balance(clicker)).toBe(0);
        expect((await storage.orders.list({ customerId: clicker }, { limit: 20 })).items).toHaveLength(1);

        // Every use stands on one redemption row keyed by its order.
        for (const o of outcomes) if (o.ok) expect(await storage.discounts.getRedemption(`purchase:order:${o.orderId}`)).not.toBeNull();
        const retries = await Promise.all(replicas.map((r) => r.call<number>('storageRetries')));
        expect(retries).toEqual(replicas.map(() => 0));
      } finally {
        await rig.close();
      }
    });
  },
);
