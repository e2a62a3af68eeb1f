/** A buyer turns auto-renewal on and off, on the web page, through the JSON API and in the bot: one use case behind all three. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fundedBuyer, postForm, adminGet } from './support/admin-support.js';
import { boughtAndProvisioned, planNamed } from './support/buying.js';
import { signedUpBuyer } from './support/shop-under-test.js';
import { startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

let s: BotShop;
beforeAll(async () => {
  s = await startBotShop();
});
afterAll(() => s.close());

describe('auto-renew, switched by the buyer', () => {
  it('on the web page: on, then off; another buyer’s subscription is a 404 and stays as it was', async () => {
    const t = s.t;
    const b = await fundedBuyer(t, t.app, 10_000);
    const subId = await boughtAndProvisioned(t, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const page = await adminGet(b, `/subscriptions/${subId}`);
    expect(page.html).toContain('data-testid="auto-renew-toggle"');
    const on = await postForm(b, `/subscriptions/${subId}/auto-renew`, { enabled: 'on' }).expect(303);
    expect(on.headers['location']).toBe(`/subscriptions/${subId}?done=subscription.auto_renew_on`);
    expect((await t.shop.storage.subscriptions.get(subId))!.autoRenew).toBe(true);
    const shown = await b.agent.get(on.headers['location'] as string).expect(200);
    expect(shown.text).toContain('Auto-renew is on');
    await postForm(b, `/subscriptions/${subId}/auto-renew`, { enabled: 'off' }).expect(303);
    expect((await t.shop.storage.subscriptions.get(subId))!.autoRenew).toBe(false);

    const other = await signedUpBuyer(t.app);
    await postForm(other, `/subscriptions/${subId}/auto-renew`, { enabled: 'on' }).expect(404);
    await postForm(b, `/subscriptions/${subId}/auto-renew`, { enabled: 'maybe' }).expect(400);
    expect((await t.shop.storage.subscriptions.get(subId))!.autoRenew).toBe(false);
  });

  it('through the JSON API: the subscription back; a trial cannot renew itself (409, unchanged)', async () => {
    const t = s.t;
    const b = await fundedBuyer(t, t.app, 10_000);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const subId = await boughtAndProvisioned(t, b, plan.id);
    const on = await b.agent
      .post(`/api/v1/subscriptions/${subId}/auto-renew`)
      .set('x-csrf-token', b.csrf)
      .send({ enabled: true })
      .expect(200);
    expect(on.body).toMatchObject({ id: subId, autoRenew: true });
    await b.agent.post(`/api/v1/subscriptions/${subId}/auto-renew`).set('x-csrf-token', b.csrf).send({ enabled: 'yes' }).expect(400);

    const trialPlan = (await t.shop.storage.plans.list({ onSale: true })).find((p) => p.trial !== null);
    expect(trialPlan).toBeDefined();
    const { subscriptions } = await t.shop.kit.checkout({
      customerId: b.customerId,
      items: [{ planId: trialPlan!.id, trial: true }],
      idempotencyKey: `auto-renew-trial-${b.customerId}`,
    });
    const refused = await b.agent
      .post(`/api/v1/subscriptions/${subscriptions[0]!.id}/auto-renew`)
      .set('x-csrf-token', b.csrf)
      .send({ enabled: true })
      .expect(409);
    expect(refused.body.error.message).toBe('A free trial cannot renew itself.');
    expect((await t.shop.storage.subscriptions.get(subscriptions[0]!.id))!.autoRenew).toBe(false);
  });

  it('in the bot: a button on the subscription turns it on, and the next one off', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 6301);
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    await shop.kit.topUp({ customerId, amount: plan.price, idempotencyKey: 'auto-renew-bot-topup' });
    const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'auto-renew-bot-buy' });
    await s.t.drain();
    const details = await buyer.press(await buyer.press(menu, 'subs'), 's:');
    const on = await buyer.press(details, 'ar1:');
    expect(textOf(on)).toContain('Auto-renew is on');
    expect((await shop.storage.subscriptions.get(subscriptions[0]!.id))!.autoRenew).toBe(true);
    const again = await buyer.press(on, 's:');
    const off = await buyer.press(again, 'ar0:');
    expect(textOf(off)).toBe('Auto-renew is off.');
    expect((await shop.storage.subscriptions.get(subscriptions[0]!.id))!.autoRenew).toBe(false);
  });
});
