/**
 * A qualified referral reward, credited by the scheduler ticks of four OS processes on one PostgreSQL
 * server at once (each replica's clock in its own tick slot, so every one of them runs the sweep): the
 * referrer is credited exactly once, by one `referral` ledger entry keyed by the referred customer.
 */
import { describe, expect, it } from 'vitest';
import { openPostgresRig, SKIP_REASON } from './support/replicas/postgres-rig.js';
import { PANEL_KINDS } from './support/kinds.js';

const KIND = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;
const PROCESSES = 4;

describe.skipIf(SKIP_REASON !== false)(
  `a referral reward swept by several processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    it('four replicas tick at once over a qualified referral: the referrer is credited once', { timeout: 120_000 }, async () => {
      const rig = await openPostgresRig(KIND);
      const { storage, shop } = rig;
      try {
        await shop.kit.setReferralProgram({
          enabled: true,
          reward: { type: 'fixed', amount: { amount: 300, currency: shop.plan.price.currency } },
        });
        const referrer = await shop.customer(0);
        const buyer = await shop.customer(shop.plan.price.amount);
        expect((await shop.kit.recordReferral({ referrerId: referrer, referredId: buyer })).recorded).toBe(true);
        await shop.kit.checkout({ customerId: buyer, items: [{ planId: shop.plan.id }], idempotencyKey: 'first-order' });
        await shop.worker.drain();
        expect(await storage.referrals.get(buyer)).toMatchObject({ status: 'qualified', reward: { amount: 300 } });

        const replicas = await rig.startReplicas(Array.from({ length: PROCESSES }, (_, i) => `sweeper-${i}`));
        expect(new Set(replicas.map((r) => r.pid)).size).toBe(PROCESSES);
        const start = rig.clock.now().getTime();
        await Promise.all(replicas.map((r, i) => r.call('setClock', new Date(start + (i + 1) * 3_600_000).toISOString())));
        const ticks = await Promise.all(replicas.map((r) => r.call<{ won: boolean }>('tick')));
        expect(ticks.some((t) => t.won)).toBe(true);

        expect(await shop.balance(referrer)).toBe(300);
        const entries = (await storage.ledger.list(referrer, { limit: 10 })).items;
        expect(entries.map((e) => [e.kind, e.amount, e.idempotencyKey])).toEqual([['referral', 300, `referral:${buyer}`]]);
        expect(await storage.referrals.get(buyer)).toMatchObject({ status: 'rewarded', ledgerEntryId: entries[0]!.id });
      } finally {
        await rig.close();
      }
    });
  },
);
