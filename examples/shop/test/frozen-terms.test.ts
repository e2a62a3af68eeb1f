import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boughtAndProvisioned, fund, planNamed } from './support/buying.js';
import { csrfFrom, signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

describe('terms frozen at purchase, in the shop', () => {
  let t: ShopUnderTest;
  beforeAll(async () => {
    t = await startShop();
  });
  afterAll(() => t.close());

  it('an edited plan leaves subscribers on their terms until the owner moves them, and says how many are on older ones', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 100_000);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const subId = await boughtAndProvisioned(t, buyer, plan.id);
    const owner = await signedInAdmin(t.app);

    // The owner raises the price by hand in the store (the plan form is tested elsewhere).
    const dearer = { amount: plan.price.amount * 3, currency: plan.price.currency };
    await t.shop.storage.plans.update(plan.id, { price: dearer, extension: { ...plan.extension, windowDays: 40 } });
    const before = await t.shop.kit.quoteExtension(subId);
    // Sold with a 3-day window: not open yet, however wide the plan's window is now.
    expect(before).toMatchObject({ allowed: false, reason: 'too_early' });

    const edit = await owner.agent.get(`/admin/plans/${plan.id}/edit`).expect(200);
    expect(edit.text).toMatch(/data-testid="older-terms-count">On older terms: [1-9]/);
    const page = await owner.agent.get(`/admin/subscriptions/${subId}`).expect(200);
    expect(page.text).toContain('data-testid="subscription-terms"');
    expect(page.text).toContain('extension opens 3 days before expiry');

    await owner.agent
      .post(`/admin/plans/${plan.id}/apply-terms`)
      .type('form')
      .send({ _csrf: csrfFrom(edit.text) })
      .expect(303)
      .expect('location', '/admin/plans?done=adminOps.terms_applied');
    const after = await t.shop.kit.quoteExtension(subId);
    expect(after.allowed && after.quote.price).toEqual(dearer);
    expect((await owner.agent.get(`/admin/plans/${plan.id}/edit`).expect(200)).text).toContain('On older terms: 0');
    const audit = await t.shop.storage.audit.list({ subjectType: 'subscription', subjectId: subId }, { limit: 50 });
    expect(audit.items.some((e) => e.action === 'subscription.terms_changed' && e.actor.type === 'admin')).toBe(true);
    expect((await owner.agent.get(`/admin/subscriptions/${subId}`).expect(200)).text).toContain('extension opens 40 days before expiry');
  });

  it('keeps the move to the owner', async () => {
    const staff = await signedUpBuyer(t.app);
    await t.shop.accounts.setRole((await t.shop.accounts.getByEmail(staff.email))!.id, 'support');
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    await staff.agent.post(`/admin/plans/${plan.id}/apply-terms`).type('form').send({ _csrf: staff.csrf }).expect(403);
  });
});
