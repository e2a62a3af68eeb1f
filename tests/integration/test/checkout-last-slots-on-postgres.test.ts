/**
 * Checkouts from four OS processes racing for the last slots of a plan and then of its targets, on one
 * PostgreSQL server: exactly as many succeed as there were slots, the rest are refused with
 * `CAPACITY_EXHAUSTED`, no target holds more than its capacity, every counter equals the subscriptions
 * placed on it, and every success has exactly one order, one purchase debit, one subscription and one
 * provisioning job. `orders.place` takes the slots last, after the debit, so this is the test that a slot
 * taken late is still taken once.
 */
import { describe, expect, it } from 'vitest';
import type { StoragePort } from '@panelkit/sdk/storage';
import { openPostgresRig, SKIP_REASON } from './support/replicas/postgres-rig.js';
import type { ReplicaProcess } from './support/replicas/process.js';
import { PANEL_KINDS } from './support/kinds.js';

const KIND = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;
const PROCESSES = 4;
const PRICE = 1_000;

type Outcome = { ok: true; orderId: string; subscriptionIds: string[] } | { ok: false; code: string | undefined; message: string };

/** `count` checkouts of `planId`, spread over `buyers` and `replicas`, all at once. */
function race(
  replicas: readonly ReplicaProcess[],
  buyers: readonly string[],
  planId: string,
  count: number,
  tag: string,
): Promise<Outcome[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i): Promise<Outcome> => {
      const request = { customerId: buyers[i % buyers.length]!, items: [{ planId }], idempotencyKey: `${tag}-${i}` };
      try {
        return {
          ok: true,
          ...(await replicas[i % replicas.length]!.call<{ orderId: string; subscriptionIds: string[] }>('checkout', request)),
        };
      } catch (error) {
        const e = error as { code?: string; message: string };
        return { ok: false, code: e.code, message: e.message };
      }
    }),
  );
}

/** Each success's order has one purchase debit of the price, one subscription and one provisioning job. */
async function expectWholeOrders(storage: StoragePort, outcomes: readonly Outcome[]): Promise<void> {
  for (const o of outcomes) {
    if (!o.ok) continue;
    const debits = (await storage.ledger.listByOrder(o.orderId)).filter((e) => e.kind === 'purchase');
    expect(debits.map((e) => e.amount)).toEqual([-PRICE]);
    const subscriptions = await storage.subscriptions.listByOrder(o.orderId);
    expect(subscriptions.map((s) => s.id)).toEqual(o.subscriptionIds);
    expect(subscriptions).toHaveLength(1);
    const jobs = await storage.jobs.list({ dedupeKey: `subscription.provision:${subscriptions[0]!.id}` }, { limit: 10 });
    expect(jobs.items).toHaveLength(1);
  }
}

describe.skipIf(SKIP_REASON !== false)(
  `checkouts racing for the last slots from several processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    it('80 checkouts for a plan of 18 over targets of 12 and 10, then 40 for the 4 slots left: exactly 18 and 4 are sold', {
      timeout: 180_000,
    }, async () => {
      const rig = await openPostgresRig(KIND);
      const { storage, shop } = rig;
      try {
        const a = await storage.targets.update(shop.target.id, { capacity: 12 });
        const b = await storage.targets.create({
          panelId: a.panelId,
          remoteRef: 'last-slots-b',
          name: 'last slots b',
          protocol: 'vless',
          capacity: 10,
        });
        const limited = await storage.plans.create({
          name: 'eighteen',
          family: 'standard',
          price: { amount: PRICE, currency: 'USD' },
          durationDays: 30,
          trafficBytes: null,
          maxClients: 18,
        });
        const open = await storage.plans.create({
          name: 'open',
          family: 'standard',
          price: { amount: PRICE, currency: 'USD' },
          durationDays: 30,
          trafficBytes: null,
        });
        // 20 buyers, each with money for 6 checkouts: funds never decide who gets a slot.
        const buyers: string[] = [];
        for (let i = 0; i < 20; i++) buyers.push(await shop.customer(6 * PRICE));
        const replicas = await rig.startReplicas(Array.from({ length: PROCESSES }, (_, i) => `web-${i}`));
        expect(new Set(replicas.map((r) => r.pid)).size).toBe(PROCESSES);

        const first = await race(replicas, buyers, limited.id, 80, 'limited');
        expect(first.flatMap((o) => (o.ok || o.code === 'CAPACITY_EXHAUSTED' ? [] : [o.message]))).toEqual([]);
        expect(first.filter((o) => o.ok)).toHaveLength(18);
        expect(await storage.plans.get(limited.id)).toMatchObject({ allocated: 18 });

        const second = await race(replicas, buyers, open.id, 40, 'open');
        expect(second.flatMap((o) => (o.ok || o.code === 'CAPACITY_EXHAUSTED' ? [] : [o.message]))).toEqual([]);
        expect(second.filter((o) => o.ok)).toHaveLength(4);
        expect(await storage.plans.get(open.id)).toMatchObject({ allocated: 4 });
        expect(await storage.targets.get(a.id)).toMatchObject({ allocated: 12 });
        expect(await storage.targets.get(b.id)).toMatchObject({ allocated: 10 });

        // Every counter is the subscriptions placed on it; every success is one whole order; the money adds up.
        const all = [...first, ...second];
        await expectWholeOrders(storage, all);
        const subscriptions = (
          await Promise.all(buyers.map(async (id) => (await storage.subscriptions.listByCustomer(id, { limit: 100 })).items))
        ).flat();
        expect(subscriptions).toHaveLength(22);
        expect(subscriptions.filter((s) => s.targetId === a.id)).toHaveLength(12);
        expect(subscriptions.filter((s) => s.targetId === b.id)).toHaveLength(10);
        let orders = 0;
        let spent = 0;
        for (const id of buyers) {
          orders += (await storage.orders.list({ customerId: id }, { limit: 100 })).items.length;
          spent += 6 * PRICE - (await shop.balance(id));
        }
        expect(orders).toBe(22);
        expect(spent).toBe(22 * PRICE);
        const retries = await Promise.all(replicas.map((r) => r.call<number>('storageRetries')));
        expect(retries).toEqual(replicas.map(() => 0));
      } finally {
        await rig.close();
      }
    });
  },
);
