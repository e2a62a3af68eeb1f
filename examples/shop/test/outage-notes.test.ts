import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PanelHealth } from '@panelkit/sdk';
import { signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';
import { buy, fund, orderIdFrom, planNamed } from './support/buying.js';

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop();
});
afterAll(() => t.close());

/** What the scheduler's health checks store after the panel failed them (or passed one). */
const health = (status: PanelHealth['status']): PanelHealth => ({
  status,
  checkedAt: t.clock.now(),
  latencyMs: 1,
  consecutiveFailures: status === 'unhealthy' ? 2 : 0,
  lastError: status === 'unhealthy' ? 'PANEL_CONNECTION' : null,
  version: null,
});

describe('a pending order whose server is down', () => {
  it('tells the buyer (order and subscription pages, en and fa) and the admin that it completes automatically', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 1000);
    const res = await buy(buyer, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    expect(res.status).toBe(303);
    const orderId = orderIdFrom(res.headers['location']);
    const [sub] = await t.shop.storage.subscriptions.listByOrder(orderId);
    expect(sub?.status).toBe('pending');

    // Being set up: the usual note.
    let order = await buyer.agent.get(`/orders/${orderId}`).expect(200);
    expect(order.text).toContain('being set up on the server');
    expect(order.text).not.toContain('data-testid="panel-unavailable"');

    await t.shop.storage.panels.update(sub!.panelId, { health: health('unhealthy') });
    order = await buyer.agent.get(`/orders/${orderId}`).expect(200);
    expect(order.text).toContain('data-testid="panel-unavailable"');
    expect(order.text).toContain('The server is temporarily unavailable; this completes automatically');
    const page = await buyer.agent.get(`/subscriptions/${sub!.id}`).expect(200);
    expect(page.text).toContain('The server is temporarily unavailable; this completes automatically');
    expect(page.text).not.toContain('being set up on the server');
    const fa = await buyer.agent.get(`/subscriptions/${sub!.id}`).set('Accept-Language', 'fa').expect(200);
    expect(fa.text).toContain('سرور موقتاً در دسترس نیست');
    const admin = await signedInAdmin(t.app);
    const adminPage = await admin.agent.get(`/admin/subscriptions/${sub!.id}`).expect(200);
    expect(adminPage.text).toContain('data-testid="panel-unavailable"');
    expect(adminPage.text).toContain('temporarily unavailable; this completes automatically');

    // Back up and provisioned: no note any more.
    await t.shop.storage.panels.update(sub!.panelId, { health: health('healthy') });
    await t.drain();
    order = await buyer.agent.get(`/orders/${orderId}`).expect(200);
    expect(order.text).not.toContain('data-testid="panel-unavailable"');
    expect((await t.shop.storage.subscriptions.get(sub!.id))?.status).toBe('active');
  });
});
