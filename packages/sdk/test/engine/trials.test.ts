import { describe, expect, it } from 'vitest';
import { EligibilityError, ValidationError } from '../../src/index.js';
import { createHarness } from './harness.js';

const TRIAL = { days: 3, trafficBytes: 1024 };

/** A shop with a trial plan and a way to make accounts with a given e-mail and Telegram id. */
async function shop(trial: Record<string, unknown> = TRIAL) {
  const h = await createHarness({ plan: { trial: trial as never } });
  let n = 0;
  const account = async (fields: { email?: string | null; telegramId?: string | null }, balance = 0) => {
    const c = await h.storage.customers.create({ email: null, telegramId: null, ...fields });
    if (balance > 0) await h.kit.topUp({ customerId: c.id, amount: { amount: balance, currency: 'USD' }, idempotencyKey: `seed-${++n}` });
    return c.id;
  };
  const trial$ = (customerId: string, extra: Record<string, unknown> = {}) =>
    h.kit.checkout({ customerId, items: [{ planId: h.plan.id, trial: true }], idempotencyKey: `trial-${++n}`, ...extra });
  return { h, account, trial: trial$ };
}

/** The refusal as the buyer sees it: its code, reasons, message and details, nothing else. */
async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(EligibilityError.is(error)).toBe(true);
  return (error as EligibilityError).toJSON();
}

describe('trials nobody can farm', () => {
  it('refuses a second trial through another account with the same Telegram id, and says the same as for the same account', async () => {
    const { h, account, trial } = await shop();
    const first = await account({ telegramId: '1001' });
    await trial(first);
    const own = await refusal(trial(first));
    const other = await account({ telegramId: '1001', email: 'fresh@example.com' });
    const theirs = await refusal(trial(other));
    expect(theirs.details).toEqual({ planId: h.plan.id, reasons: ['already_used'] });
    // Nothing tells the second account that another account exists: the same code, reason and message shape.
    expect(theirs).toEqual({ ...own });
    expect((await h.storage.subscriptions.listByCustomer(other, { limit: 10 })).items).toEqual([]);
  });

  it('refuses a +alias and Gmail-dotted copy of an e-mail that had a trial', async () => {
    const { account, trial } = await shop();
    await trial(await account({ email: 'joe.doe@gmail.com' }));
    await refusal(trial(await account({ email: 'joedoe+2@gmail.com' })));
    await refusal(trial(await account({ email: 'J.O.E.D.O.E@googlemail.com' })));
    // Someone else entirely is served.
    expect((await trial(await account({ email: 'ann@gmail.com' }))).subscriptions).toHaveLength(1);
  });

  it('refuses a device id or verified phone the host passes when it already took a trial', async () => {
    const { account, trial } = await shop();
    await trial(await account({ email: 'a@example.com' }), { trialIdentity: { hwids: ['hw-1'], phone: '+15551230001' } });
    await refusal(trial(await account({ email: 'b@example.com' }), { trialIdentity: { hwids: ['hw-1'] } }));
    await refusal(trial(await account({ email: 'c@example.com' }), { trialIdentity: { phone: '+15551230001' } }));
  });

  it('records every refused attempt for the owner, with what matched; an allowed trial records none', async () => {
    const { h, account, trial } = await shop();
    const first = await account({ telegramId: '77' });
    await trial(first);
    expect((await h.kit.trials.refusals({ limit: 10 })).items).toEqual([]);
    const second = await account({ telegramId: '77' });
    await refusal(trial(second));
    h.clock.advance(1000);
    await refusal(trial(first));
    const { items } = await h.kit.trials.refusals({ limit: 10 });
    expect(items.map((r) => [r.customerId, r.reason, r.matched, r.planId, r.subscriptionId])).toEqual([
      [first, 'already_used', ['account'], h.plan.id, null],
      [second, 'already_used', ['telegram'], h.plan.id, null],
    ]);
    expect((await h.kit.trials.refusals({ limit: 10 }, { customerId: second })).items).toHaveLength(1);
    await expect(h.kit.trials.refusals({ limit: 0 })).rejects.toSatisfy((e: unknown) => ValidationError.is(e));
  });

  it('a refused attempt changes nothing: no order, no claim for the fresh keys it brought', async () => {
    const { h, account, trial } = await shop();
    await trial(await account({ telegramId: '5' }));
    const twin = await account({ telegramId: '5', email: 'twin@example.com' });
    await refusal(trial(twin));
    expect((await h.storage.orders.list({ customerId: twin }, { limit: 10 })).items).toEqual([]);
    // The e-mail it brought was not claimed: an account with only that e-mail may still take a trial.
    expect((await trial(await account({ email: 'twin+x@example.com' }))).subscriptions).toHaveLength(1);
  });

  it('a paid trial debits its price through the ledger; a plan asking for a phone refuses without one', async () => {
    const { h, account, trial } = await shop({ ...TRIAL, price: { amount: 99, currency: 'USD' }, requirePhone: true });
    const buyer = await account({ email: 'pay@example.com' }, 500);
    const noPhone = await refusal(trial(buyer));
    expect(noPhone.details).toEqual({ planId: h.plan.id, reasons: ['phone_required'] });
    const paid = await trial(buyer, { trialIdentity: { phone: '+15551230002' } });
    expect(paid.order.total).toEqual({ amount: 99, currency: 'USD' });
    expect(paid.order.items[0]).toMatchObject({ trial: true, unitPrice: { amount: 99, currency: 'USD' } });
    expect(await h.balance(buyer)).toBe(401);
    expect(paid.subscriptions[0]).toMatchObject({ trial: true, durationDays: 3 });
  });

  it('bad trial identity is a ValidationError and writes nothing', async () => {
    const { h, account, trial } = await shop();
    const buyer = await account({ email: 'v@example.com' });
    await expect(trial(buyer, { trialIdentity: { phone: '12345' } })).rejects.toSatisfy((e: unknown) => ValidationError.is(e));
    expect((await h.storage.orders.list({ customerId: buyer }, { limit: 10 })).items).toEqual([]);
    expect((await trial(buyer)).subscriptions).toHaveLength(1);
  });

  it('a device that had a trial on one account is not served on another account’s trial, and the owner sees why', async () => {
    const { h, account, trial } = await shop();
    const a = await account({ email: 'dev-a@example.com' });
    const b = await account({ email: 'dev-b@example.com' });
    const subA = (await trial(a)).subscriptions[0]!.id;
    const subB = (await trial(b)).subscriptions[0]!.id;
    await h.worker().drain();
    const phone = { hwid: 'HW-SAME', app: 'Happ', platform: 'ios', model: 'iPhone', osVersion: '18', appVersion: '1.0' };
    expect(await h.kit.devices.touch(subA, phone)).toMatchObject({ served: true, outcome: 'registered' });
    expect(await h.kit.devices.touch(subA, phone)).toMatchObject({ served: true });
    expect(await h.kit.devices.touch(subB, phone)).toEqual({ served: false, reason: 'trial_already_used', limit: null, count: 0 });
    expect(await h.kit.devices.touch(subB, { ...phone, hwid: 'HW-OTHER' })).toMatchObject({ served: true, outcome: 'registered' });
    const { items } = await h.kit.trials.refusals({ limit: 10 });
    expect(items.map((r) => [r.customerId, r.matched, r.subscriptionId])).toEqual([[b, ['hwid'], subB]]);
  });

  it('a trial converts to the paid plan in place: the same subscription, the plan’s price in the ledger', async () => {
    const { h, account, trial } = await shop();
    const buyer = await account({ email: 'convert@example.com' }, 5000);
    const sub = (await trial(buyer)).subscriptions[0]!;
    await h.worker().drain();
    await h.kit.extend({ subscriptionId: sub.id, idempotencyKey: 'convert' });
    await h.worker().drain();
    const converted = (await h.storage.subscriptions.get(sub.id))!;
    expect(converted).toMatchObject({ id: sub.id, trial: false, status: 'active' });
    expect(converted.expiresAt!.getTime()).toBeGreaterThan(sub.createdAt.getTime() + (h.plan.durationDays - 1) * 86_400_000);
    expect(await h.balance(buyer)).toBe(5000 - h.plan.price.amount);
    // Converted, it renews and changes plan like any paid subscription: the next extension is not a conversion.
    expect(await h.kit.setAutoRenew({ subscriptionId: sub.id, enabled: true })).toMatchObject({ autoRenew: true });
  });
});
