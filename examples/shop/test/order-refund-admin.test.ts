import { DAY_MS } from '@panelkit/sdk/rules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../src/i18n/format.js';
import { renderNotification } from '../src/app/notifications/render.js';
import { notificationsOf } from '../src/db/notifications.js';
import { adminGet, fundedBuyer, postForm } from './support/admin-support.js';
import { boughtAndProvisioned, planNamed } from './support/buying.js';
import { ADMIN, csrfFrom, signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let owner: Visitor;

beforeAll(async () => {
  t = await startShop();
  owner = await signedInAdmin(t.app);
});
afterAll(() => t.close());

const render = (kind: Parameters<typeof renderNotification>[0], params: Parameters<typeof renderNotification>[1]) =>
  renderNotification(kind, params, { locale: 'en', timeZone: t.config.timeZone, shopName: 'Test Shop' }).text;

async function boughtOrder() {
  const plan = await planNamed(t, 'Frankfurt · 1 month');
  const buyer = await fundedBuyer(t, t.app, plan.price.amount * 2);
  const subId = await boughtAndProvisioned(t, buyer, plan.id);
  const orderId = (await t.shop.storage.subscriptions.get(subId))!.orderId!;
  return { plan, buyer, subId, orderId };
}

/** A fresh nonce and CSRF token from the order page's refund form. */
async function refundForm(v: Visitor, orderId: string): Promise<{ nonce: string; html: string }> {
  const { html, csrf } = await adminGet(v, `/admin/orders/${orderId}`);
  v.csrf = csrf;
  return { nonce: /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '', html };
}

describe('the owner refunds an order from its page', () => {
  it('refunds part of it with a reason the buyer reads, audited under the owner; refusals say why and change nothing', async () => {
    const { plan, buyer, orderId } = await boughtOrder();
    const money = (amount: number) => formatMoney({ amount, currency: plan.price.currency }, 'en');
    const before = await t.shop.storage.ledger.balance(buyer.customerId, plan.price.currency);
    const form = await refundForm(owner, orderId);
    expect(form.html).toContain('data-testid="order-refund"');
    expect(/data-testid="order-refundable">([^<]*)</.exec(form.html)?.[1]).toBe(money(plan.price.amount));

    const noReason = await postForm(owner, `/admin/orders/${orderId}/refund`, { amount: '1', note: ' ', nonce: form.nonce });
    expect(noReason.status).toBe(400);
    const tooMuch = await postForm(owner, `/admin/orders/${orderId}/refund`, {
      amount: String((plan.price.amount + 100) / 100),
      note: 'sorry',
      nonce: form.nonce,
    });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.text).toContain(`At most ${money(plan.price.amount)} is left to refund on this order.`);
    expect(await t.shop.storage.ledger.balance(buyer.customerId, plan.price.currency)).toBe(before);

    const done = await postForm(owner, `/admin/orders/${orderId}/refund`, { amount: '1', note: 'Outage on Monday', nonce: form.nonce });
    expect(done.status).toBe(303);
    expect(done.headers['location']).toBe(`/admin/orders/${orderId}?done=adminOps.order_refunded`);
    // The same form posted twice refunds once.
    await postForm(owner, `/admin/orders/${orderId}/refund`, { amount: '1', note: 'Outage on Monday', nonce: form.nonce }).expect(303);
    expect(await t.shop.storage.ledger.balance(buyer.customerId, plan.price.currency)).toBe(before + 100);
    const audit = await t.shop.storage.audit.list({ subjectType: 'order', subjectId: orderId }, { limit: 10 });
    const refunded = audit.items.filter((a) => a.action === 'order.refunded');
    expect(refunded).toHaveLength(1);
    const ownerAccount = await t.shop.accounts.getByEmail(ADMIN.email);
    expect(refunded[0]!.actor).toEqual({ type: 'admin', id: ownerAccount!.id });

    await t.drain();
    const notices = (await notificationsOf(t.shop).history(buyer.customerId, { limit: 20 })).items.filter((n) => n.kind === 'refund');
    expect(notices).toHaveLength(1);
    expect(render('refund', notices[0]!.params)).toContain('Note: Outage on Monday');
    expect((await refundForm(owner, orderId)).html).toContain(`data-testid="order-refundable">${money(plan.price.amount - 100)}<`);
  });

  it('refunds the rest in full: the subscription ends', async () => {
    const { plan, orderId, subId } = await boughtOrder();
    const form = await refundForm(owner, orderId);
    const res = await postForm(owner, `/admin/orders/${orderId}/refund`, {
      amount: String(plan.price.amount / 100),
      note: 'Cancelled at the buyer’s request',
      nonce: form.nonce,
    });
    expect(res.headers['location']).toBe(`/admin/orders/${orderId}?done=adminOps.order_refunded_full`);
    expect((await t.shop.storage.subscriptions.get(subId))!.status).toBe('terminated');
    expect((await refundForm(owner, orderId)).html).not.toContain(`action="/admin/orders/${orderId}/refund"`);
  });

  it('support staff see no refund form, and the action refuses them', async () => {
    const { orderId } = await boughtOrder();
    const staff = await signedUpBuyer(t.app);
    const account = await t.shop.accounts.getByEmail(staff.email);
    await t.shop.accounts.setRole(account!.id, 'support');
    const page = await staff.agent.get(`/admin/orders/${orderId}`).expect(200);
    expect(page.text).not.toContain('data-testid="order-refund"');
    staff.csrf = csrfFrom(page.text);
    await postForm(staff, `/admin/orders/${orderId}/refund`, { amount: '1', note: 'x', nonce: 'a'.repeat(32) }).expect(403);
  });
});

describe('the renewal notice', () => {
  it('states what the auto-renewal charged: the extension price', async () => {
    const plan = await planNamed(t, 'Frankfurt · 1 month');
    const extensionPrice = { amount: plan.price.amount - 100, currency: plan.price.currency };
    await t.shop.storage.plans.update(plan.id, { extension: { ...plan.extension, price: extensionPrice } });
    const buyer = await fundedBuyer(t, t.app, plan.price.amount * 3);
    const { subscriptions } = await t.shop.kit.checkout({
      customerId: buyer.customerId,
      items: [{ planId: plan.id, autoRenew: true }],
      idempotencyKey: 'renewing',
    });
    await t.drain();
    const scheduler = t.shop.kit.createScheduler();
    await scheduler.tick();
    t.clock.advance(29 * DAY_MS + 3_600_000);
    await scheduler.tick();
    await t.drain();
    expect(await t.shop.storage.ledger.balance(buyer.customerId, plan.price.currency)).toBe(plan.price.amount * 2 - extensionPrice.amount);
    await t.drain();
    const history = (await notificationsOf(t.shop).history(buyer.customerId, { limit: 20 })).items;
    const renewed = history.find((n) => n.kind === 'subscription_renewed');
    expect(renewed?.params).toMatchObject({ subscriptionId: subscriptions[0]!.id, amount: extensionPrice.amount });
    expect(render('subscription_renewed', renewed!.params)).toContain(`renewed from your wallet for ${formatMoney(extensionPrice, 'en')}`);
  });
});
