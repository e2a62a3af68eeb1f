/**
 * A reseller at its credit limit, buying from four OS processes at once on one PostgreSQL server:
 * exactly as many checkouts go through as its balance plus its credit limit pays for at its own price,
 * every other one is refused with `INSUFFICIENT_FUNDS` and writes nothing, and the balance ends at
 * exactly minus the limit, never below. The floor is kept by the ledger's append under the customer's
 * row lock (and a CHECK on `ledger_balances`), never by a read in the engine: each process reads the
 * same spendable balance before it buys, and only the database says no.
 *
 * Each checkout buys a plan of its own lane (own plan, own target) so capacity locks do not line the
 * checkouts up: only the customer's ledger stands between them. An admin lowering the limit while the
 * purchases race is the second part: the limit in force when each debit commits is the one it obeys.
 */
import { describe, expect, it } from 'vitest';
import { openLanes } from './support/replicas/lanes.js';
import { openPostgresRig, SKIP_REASON } from './support/replicas/postgres-rig.js';
import { PANEL_KINDS } from './support/kinds.js';

const KIND = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;
const PROCESSES = 4;
const LANES = 8;
const usd = (amount: number) => ({ amount, currency: 'USD' });

type Outcome = { ok: true; orderId: string } | { ok: false; code: string | undefined; message: string };

describe.skipIf(SKIP_REASON !== false)(
  `a reseller at its credit limit, from several processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    it('24 checkouts at once against 1000 of balance and a limit of 2500 at a price of 700: exactly 5 pass, the balance ends at -2500', {
      timeout: 120_000,
    }, async () => {
      const rig = await openPostgresRig(KIND);
      const { storage, shop } = rig;
      try {
        const reseller = await shop.customer(1000);
        const lanes = await openLanes(rig, LANES, usd(1000));
        for (const planId of lanes) await shop.kit.resellers.setPrice({ customerId: reseller, planId, price: usd(700) });
        await shop.kit.resellers.setCreditLimit({ customerId: reseller, currency: 'USD', amount: 2500 });
        expect(await shop.kit.resellers.spendable(reseller, 'USD')).toBe(3500);

        const replicas = await rig.startReplicas(Array.from({ length: PROCESSES }, (_, i) => `web-${i}`));
        expect(new Set(replicas.map((r) => r.pid)).size).toBe(PROCESSES);
        const requests = Array.from({ length: 24 }, (_, n) => ({
          customerId: reseller,
          items: [{ planId: lanes[n % LANES]! }],
          idempotencyKey: `buy-${n}`,
        }));
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
        const passed = outcomes.filter((o) => o.ok);
        const refused = outcomes.flatMap((o) => (o.ok ? [] : [o]));
        expect(refused.filter((o) => o.code !== 'INSUFFICIENT_FUNDS').map((o) => o.message)).toEqual([]);
        expect(passed).toHaveLength(5);
        expect(refused).toHaveLength(19);
        expect(await shop.balance(reseller)).toBe(-2500);
        // Nothing of a refused checkout was written: five orders, five debits of 700, one top-up.
        const orders = (await storage.orders.list({ customerId: reseller }, { limit: 50 })).items;
        expect(orders).toHaveLength(5);
        expect(orders.every((o) => o.total.amount === 700)).toBe(true);
        const entries = (await storage.ledger.list(reseller, { limit: 50 })).items;
        expect(entries.map((e) => e.amount).sort((a, b) => a - b)).toEqual([-700, -700, -700, -700, -700, 1000]);
        expect(Math.min(...entries.map((e) => e.balanceAfter))).toBe(-2500);
        const subscriptions = await Promise.all(orders.map((o) => storage.subscriptions.listByOrder(o.id)));
        expect(subscriptions.flat().map((s) => s.terms?.price)).toEqual(orders.map(() => usd(700)));
        const retries = await Promise.all(replicas.map((r) => r.call<number>('storageRetries')));
        expect(retries).toEqual(replicas.map(() => 0));

        // At the limit: one more purchase from any process is refused.
        await expect(replicas[0]!.call('checkout', { ...requests[0]!, idempotencyKey: 'one-more' })).rejects.toMatchObject({
          code: 'INSUFFICIENT_FUNDS',
        });

        // Part two: the limit is lowered while a new round of purchases races (after a top-up of 2100).
        await shop.kit.topUp({ customerId: reseller, amount: usd(2100), idempotencyKey: 'pay-back' });
        const round = Array.from({ length: 12 }, (_, n) => ({
          customerId: reseller,
          items: [{ planId: lanes[n % LANES]! }],
          idempotencyKey: `round2-${n}`,
        }));
        const [second, lowered] = await Promise.all([
          Promise.allSettled(round.map((request, i) => replicas[i % PROCESSES]!.call('checkout', request))),
          shop.kit.resellers.setCreditLimit({ customerId: reseller, currency: 'USD', amount: 700 }).then(
            () => true,
            (error: { code?: string }) => (error.code === 'CONFLICT' ? false : Promise.reject(error)),
          ),
        ]);
        const balance = await shop.balance(reseller);
        const limit = await storage.ledger.creditLimit(reseller, 'USD');
        const bought = second.filter((r) => r.status === 'fulfilled').length;
        expect(balance).toBe(-400 - 700 * bought);
        expect(balance).toBeGreaterThanOrEqual(-limit);
        expect(limit).toBe(lowered ? 700 : 2500);
        for (const r of second) if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('INSUFFICIENT_FUNDS');
      } finally {
        await rig.close();
      }
    });
  },
);
