import { describe, expect, it } from 'vitest';
import { createId } from '../../domain/ids.js';
import { newGiftCode } from '../../engine/gifts.js';
import { type BuyerRows, figureSubscriptionOf } from '../../rules/figures/rows.js';
import { seedCustomer, seedLedgerEntry, seedOrder, seedPlan, seedSubscription, uniqueToken } from './fixtures.js';
import { DAY, MINUTE, expectRejects, later } from './support.js';
import type { SuiteEnv } from './support.js';

const byId = <T extends { id: string }>(rows: readonly T[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));

/** The lists of `BuyerRows` in one order, so two storages' answers compare equal whatever order they read in. */
function normalized(rows: BuyerRows): BuyerRows {
  return {
    ...rows,
    ledger: byId(rows.ledger),
    subscriptions: byId(rows.subscriptions),
    orders: byId(rows.orders),
    payments: byId(rows.payments),
    giftClaims: [...rows.giftClaims].sort((a, b) => (a.claimedAt?.getTime() ?? 0) - (b.claimedAt?.getTime() ?? 0)),
    trialRefusals: [...rows.trialRefusals].sort((a, b) => a.getTime() - b.getTime()),
  };
}

/** Storage port 29's `sources`: a customer's figure inputs read back as stored, only the fields `BuyerRows` names. */
export function figureSourcesSuite(env: SuiteEnv): void {
  describe('figures: sources (port 29)', () => {
    it('returns each customer’s rows as stored, one per id in id order; an unknown id is a NotFoundError', async () => {
      const { storage, clock } = env;
      const reseller = await seedCustomer(storage);
      const storefront = await storage.storefronts.create({ resellerId: reseller.id, name: `shop-${uniqueToken()}` });
      const buyer = await seedCustomer(storage, { storefrontId: storefront.id });
      const other = await seedCustomer(storage);
      const trialPlan = await seedPlan(storage, { family: 'starter-trial' });
      const top = await seedLedgerEntry(storage, { customerId: buyer.id, amount: 3000 });
      clock.advance(MINUTE);
      const order = await seedOrder(storage, { customerId: buyer.id });
      const debit = await seedLedgerEntry(storage, { customerId: buyer.id, kind: 'purchase', amount: -1000, orderId: order.id });
      const paid = await seedSubscription(storage, {
        customerId: buyer.id,
        orderId: order.id,
        status: 'active',
        expiresAt: later(clock, 30 * DAY),
      });
      const trial = await seedSubscription(storage, { customerId: buyer.id, planId: trialPlan.id, trial: true });
      const made = await storage.payments.create(
        { customerId: buyer.id, providerId: 'card', amount: 3000, currency: 'USD' },
        { maxPending: null },
      );
      if (!made.ok) throw new Error(made.reason);
      const payment = await storage.payments.transition(made.payment.id, ['pending'], { status: 'credited', ledgerEntryId: top.id });
      await storage.campaigns.attribute({ customerId: buyer.id, campaign: 'spring' });
      await storage.referrals.create({ referrerId: other.id, referredId: buyer.id });
      const gift = await storage.gifts.create({
        id: createId('gift'),
        code: newGiftCode(),
        giverId: other.id,
        planId: trialPlan.id,
        price: { amount: 1000, currency: 'USD' },
        idempotencyKey: `key-${uniqueToken()}`,
        expiresAt: later(clock, DAY),
      });
      const claimed = await storage.gifts.claim({ giftId: gift.id, claimedBy: buyer.id, orderId: 'ord_gift' });
      const refusal = await storage.audit.append({
        actor: { type: 'system' },
        action: 'trial.refused',
        subjectType: 'trial_refusal',
        subjectId: buyer.id,
      });
      await storage.audit.append({ actor: { type: 'system' }, action: 'customer.noted', subjectType: 'customer', subjectId: buyer.id });

      const all = await storage.figures.sources([other.id, buyer.id, other.id]);
      expect(all.map((r) => r.customer.id)).toEqual([buyer.id, other.id].sort());
      const rows = all.find((r) => r.customer.id === buyer.id);
      const empty = all.find((r) => r.customer.id === other.id);
      const ledgerRow = (e: typeof top) => ({
        id: e.id,
        customerId: e.customerId,
        kind: e.kind,
        amount: e.amount,
        currency: e.currency,
        orderId: e.orderId,
        subscriptionId: e.subscriptionId,
        createdAt: e.createdAt,
        actor: { type: e.actor.type },
      });
      const subRow = (s: typeof paid) => figureSubscriptionOf(s);
      expect(normalized(rows!)).toEqual(
        normalized({
          customer: { id: buyer.id, storefrontId: storefront.id },
          ledger: [ledgerRow(top), ledgerRow(debit)],
          subscriptions: [subRow(paid), subRow(trial)],
          orders: [{ id: order.id, customerId: buyer.id, total: order.total, createdAt: order.createdAt }],
          payments: [
            {
              id: payment!.id,
              customerId: buyer.id,
              providerId: 'card',
              currency: 'USD',
              ledgerEntryId: top.id,
              reversalEntryId: null,
              details: payment!.details,
            },
          ],
          attribution: { campaign: 'spring', attributedAt: expect.any(Date) as Date },
          referral: { referredId: buyer.id },
          giftClaims: [{ claimedBy: buyer.id, claimedAt: claimed!.claimedAt }],
          trialRefusals: [refusal.at],
          planFamilies: { [trialPlan.id]: 'starter-trial' },
        }),
      );
      expect(empty!.customer).toEqual({ id: other.id, storefrontId: null });
      expect(empty!.ledger).toEqual([]);
      expect(empty!.giftClaims).toEqual([]);
      expect(empty!.attribution).toBeNull();
      expect(empty!.referral).toBeNull();
      await expectRejects(storage.figures.sources([buyer.id, 'cus_missing']), 'NotFoundError');
    });
  });
}
