import { describe, expect, it } from 'vitest';
import { EligibilityError, NotFoundError } from '../../src/index.js';
import { createHarness } from './harness.js';

async function bought(options: { renewable?: boolean; trial?: boolean } = {}) {
  const h = await createHarness();
  const plan = await h.addPlan({
    renewable: options.renewable ?? true,
    ...(options.trial === true ? { trial: { days: 1, trafficBytes: null } } : {}),
  });
  const customerId = await h.customer(10_000);
  const { subscriptions } = await h.kit.checkout({
    customerId,
    items: [{ planId: plan.id, trial: options.trial === true }],
    idempotencyKey: 'buy',
  });
  await h.worker().drain();
  return { h, customerId, subId: subscriptions[0]!.id };
}

describe('kit.setAutoRenew', () => {
  it('turns it on and off for the buyer, audited once per change; the same value again writes nothing', async () => {
    const { h, customerId, subId } = await bought();
    expect((await h.kit.setAutoRenew({ subscriptionId: subId, customerId, enabled: true })).autoRenew).toBe(true);
    expect((await h.kit.setAutoRenew({ subscriptionId: subId, customerId, enabled: true })).autoRenew).toBe(true);
    expect((await h.storage.subscriptions.get(subId))!.autoRenew).toBe(true);
    expect((await h.kit.setAutoRenew({ subscriptionId: subId, customerId, enabled: false })).autoRenew).toBe(false);
    const trail = (await h.storage.audit.list({ subjectType: 'subscription', subjectId: subId }, { limit: 50 })).items;
    const changes = trail.filter((e) => e.action.startsWith('subscription.auto_renew'));
    expect(changes.map((e) => [e.action, e.actor])).toEqual(
      expect.arrayContaining([
        ['subscription.auto_renew_on', { type: 'customer', id: customerId }],
        ['subscription.auto_renew_off', { type: 'customer', id: customerId }],
      ]),
    );
    expect(changes).toHaveLength(2);
  });

  it('is another buyer’s subscription: not found, and nothing changes', async () => {
    const { h, subId } = await bought();
    const stranger = await h.customer(0);
    await expect(h.kit.setAutoRenew({ subscriptionId: subId, customerId: stranger, enabled: true })).rejects.toSatisfy((e) =>
      NotFoundError.is(e),
    );
    expect((await h.storage.subscriptions.get(subId))!.autoRenew).toBe(false);
  });

  it('refuses to turn it on for a trial or a plan that does not renew, saying why; turning it off always works', async () => {
    const trial = await bought({ trial: true });
    const refused = await trial.h.kit
      .setAutoRenew({ subscriptionId: trial.subId, customerId: trial.customerId, enabled: true })
      .catch((e: unknown) => e);
    expect(EligibilityError.is(refused) && refused.reasons).toEqual(['trial']);
    const once = await bought({ renewable: false });
    const notRenewable = await once.h.kit.setAutoRenew({ subscriptionId: once.subId, enabled: true }).catch((e: unknown) => e);
    expect(EligibilityError.is(notRenewable) && notRenewable.reasons).toEqual(['not_renewable']);
    expect((await once.h.kit.setAutoRenew({ subscriptionId: once.subId, enabled: false })).autoRenew).toBe(false);
  });
});
