import { describe, expect, it } from 'vitest';
import { DAY_MS, decideRenewal } from '../../src/rules/index.js';
import { createHarness } from '../engine/harness.js';

describe('auto-renewal price', () => {
  it('renews at the extension price, as the quote says, and the renewed event carries what was charged', async () => {
    const h = await createHarness({ plan: { extension: { price: { amount: 800, currency: 'USD' } } } });
    const buyer = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({
      customerId: buyer,
      items: [{ planId: h.plan.id, autoRenew: true }],
      idempotencyKey: 'b',
    });
    await h.worker().drain();
    expect(await h.balance(buyer)).toBe(4000);
    const sub = (await h.storage.subscriptions.get(subscriptions[0]!.id))!;
    const scheduler = h.kit.createScheduler();
    await scheduler.tick();
    h.clock.advance(29 * DAY_MS + 3_600_000);
    const quote = decideRenewal({ subscription: sub, plan: h.plan, now: h.clock.now(), balance: 4000, leadMs: 2 * DAY_MS });
    expect(quote).toMatchObject({ renew: true, quote: { price: { amount: 800, currency: 'USD' } } });
    await scheduler.tick();
    await h.worker().drain();
    expect(await h.balance(buyer)).toBe(3200);
    const audit = await h.storage.audit.list({ subjectType: 'subscription', subjectId: sub.id }, { limit: 20 });
    expect(audit.items.find((a) => a.action === 'subscription.renewed')?.data).toMatchObject({ amount: 800, currency: 'USD' });
  });
});
