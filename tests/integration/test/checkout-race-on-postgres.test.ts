/**
 * One buyer's checkouts at once from four OS processes on one PostgreSQL server (a double click, a bot
 * and a web tab, a reseller's API client, times fifty): every funded checkout succeeds, the ones past
 * the balance get the typed insufficient-funds error, balances come out exact, and no transaction
 * deadlocked (none was even rerun). Before the storage's row locks were `FOR NO KEY UPDATE`, inserting
 * the order share-locked the customer and the debit then waited on the other checkouts' share locks.
 */
import { describe, expect, it } from 'vitest';
import { openPostgresRig, SKIP_REASON } from './support/replicas/postgres-rig.js';
import { PANEL_KINDS } from './support/kinds.js';

const KIND = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;
const PROCESSES = 4;
const PER_BUYER = 50;

interface Buyer {
  id: string;
  /** How many checkouts the wallet covers. */
  funded: number;
}

type Outcome = { ok: true; subscriptions: number } | { ok: false; code: string | undefined; message: string };

describe.skipIf(SKIP_REASON !== false)(
  `one buyer's checkouts from several processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    const title = `${PER_BUYER} checkouts per buyer from ${PROCESSES} processes at once: the funded all succeed, the rest are refused`;
    it(title, { timeout: 120_000 }, async () => {
      const rig = await openPostgresRig(KIND);
      const { storage, shop } = rig;
      try {
        await storage.targets.update(shop.target.id, { capacity: null });
        const price = shop.plan.price.amount;
        // Three buyers whose wallets cover every checkout, one whose wallet covers only 40 of 50.
        const buyers: Buyer[] = [];
        for (const funded of [PER_BUYER, PER_BUYER, PER_BUYER, 40]) buyers.push({ id: await shop.customer(funded * price), funded });
        const names = Array.from({ length: PROCESSES }, (_, i) => `web-${i}`);
        const replicas = await rig.startReplicas(names);
        expect(new Set(replicas.map((r) => r.pid)).size).toBe(PROCESSES);

        // Every checkout at once, each buyer's spread over every process.
        const attempts = buyers.flatMap((buyer) => Array.from({ length: PER_BUYER }, (_, n) => ({ buyer, n })));
        const outcomes = await Promise.all(
          attempts.map(async ({ buyer, n }, i): Promise<Outcome> => {
            const replica = replicas[i % PROCESSES]!;
            const request = { customerId: buyer.id, items: [{ planId: shop.plan.id }], idempotencyKey: `click-${n}` };
            try {
              const result = await replica.call<{ subscriptionIds: string[] }>('checkout', request);
              return { ok: true, subscriptions: result.subscriptionIds.length };
            } catch (error) {
              const e = error as { code?: string; message: string };
              return { ok: false, code: e.code, message: e.message };
            }
          }),
        );

        const failures = outcomes.flatMap((o) => (o.ok ? [] : [o]));
        expect(failures.filter((f) => f.code !== 'INSUFFICIENT_FUNDS').map((f) => f.message)).toEqual([]);
        for (const buyer of buyers) {
          const mine = outcomes.filter((_, i) => attempts[i]!.buyer === buyer);
          expect(mine.filter((o) => o.ok)).toHaveLength(buyer.funded);
          expect(mine.filter((o) => !o.ok)).toHaveLength(PER_BUYER - buyer.funded);
          expect(await shop.balance(buyer.id)).toBe(0);
          expect((await storage.orders.list({ customerId: buyer.id }, { limit: 100 })).items).toHaveLength(buyer.funded);
          expect((await storage.subscriptions.listByCustomer(buyer.id, { limit: 100 })).items).toHaveLength(buyer.funded);
        }
        const sold = buyers.reduce((sum, b) => sum + b.funded, 0);
        expect(await storage.plans.get(shop.plan.id)).toMatchObject({ allocated: sold });
        // Waiting, not deadlocking: no process had to rerun a single transaction.
        const retries = await Promise.all(replicas.map((r) => r.call<number>('storageRetries')));
        expect(retries).toEqual(replicas.map(() => 0));
      } finally {
        await rig.close();
      }
    });
  },
);
