/** `DEMO_PANEL_KIND=pasarguard`: the demo shop on simulated PasarGuards, sold and provisioned through `createPanelAdapter`. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { startShop } from './support/shop-under-test.js';

describe('the demo on simulated PasarGuard panels', () => {
  it('registers PasarGuard panels with demo plans, and a sale lands on the panel with its device limit', async () => {
    const t = await startShop({ env: { DEMO_PANEL_KIND: 'pasarguard' } });
    try {
      const demo = t.shop.demo!;
      expect(demo.panels).toEqual([]);
      expect(demo.pasarGuards.map((p) => p.kind)).toEqual(['pasarguard', 'pasarguard']);
      const stored = await t.shop.storage.panels.list();
      expect(stored.map((p) => p.kind)).toEqual(['pasarguard', 'pasarguard']);
      const plan = (await t.shop.storage.plans.list({ onSale: true })).find((p) => p.deviceLimit === 2);
      if (plan === undefined) throw new Error('no demo plan with a device limit');
      const customer = await t.shop.storage.customers.create({ email: 'pg-demo@example.com' });
      await t.shop.kit.topUp({ customerId: customer.id, amount: plan.price, idempotencyKey: 'pg-topup' });
      const { subscriptions } = await t.shop.kit.checkout({
        customerId: customer.id,
        items: [{ planId: plan.id }],
        idempotencyKey: 'pg-order',
      });
      await t.drain();
      const sold = (await t.shop.storage.subscriptions.get(subscriptions[0]!.id))!;
      expect(sold.status).toBe('active');
      const panel = demo.pasarGuards.find((p) => p.panel.id === sold.panelId)!;
      const user = panel.sim.user(sold.remote.username)!;
      expect(user).toMatchObject({ status: 'active', hwidLimit: 2, groupIds: [1] });
      expect(user.expire).toBe(sold.expiresAt?.getTime());
      expect(sold.subscriptionUrl?.startsWith(`${panel.url}/sub/`)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('refuses an unknown DEMO_PANEL_KIND, and DEMO_CORE with PasarGuard', () => {
    expect(() => loadConfig({ DEMO_PANEL_KIND: 'wireguard' })).toThrow(/DEMO_PANEL_KIND/);
    expect(() => loadConfig({ DEMO_PANEL_KIND: 'pasarguard', DEMO_CORE: 'v2ray' })).toThrow(/DEMO_CORE/);
  });
});
