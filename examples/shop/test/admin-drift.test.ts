import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminGet, fundedBuyer, postForm } from './support/admin-support.js';
import { signedInAdmin, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let admin: Visitor;

beforeAll(async () => {
  t = await startShop();
  admin = await signedInAdmin(t.app);
});
afterAll(() => t.close());

const DAY = 24 * 60 * 60 * 1000;

async function activeSubscription(planName: string, key: string) {
  const plan = (await t.shop.storage.plans.list()).find((p) => p.name.startsWith(planName))!;
  const buyer = await fundedBuyer(t, t.app, 5000);
  const { subscriptions } = await t.shop.kit.checkout({ customerId: buyer.customerId, items: [{ planId: plan.id }], idempotencyKey: key });
  await t.drain();
  const sub = (await t.shop.storage.subscriptions.get(subscriptions[0]!.id))!;
  expect(sub.status).toBe('active');
  return sub;
}

describe('drift report', () => {
  it('shows a client deleted on the panel as missing, and Repair brings it back', async () => {
    const sub = await activeSubscription('Amsterdam · 1 month', 'drift-1');
    const demo = t.shop.demo!.panels.find((p) => p.panel.id === sub.panelId)!;
    const target = (await t.shop.storage.targets.get(sub.targetId))!;
    await (await t.shop.kit.panels.adapter(demo.panel.id)).deleteClient(
      {
        target: { remoteRef: target.remoteRef, protocol: target.protocol, remoteMeta: target.remoteMeta },
        username: sub.remote.username,
        remoteClientId: sub.remoteClientId,
      },
      { signal: AbortSignal.timeout(5000), idempotencyKey: 'test-delete' },
    );
    expect(await demo.sim.countClients(sub.remote.username)).toBe(0);

    const jobsBefore = (await t.shop.storage.jobs.list({ state: 'queued' }, { limit: 100 })).items.length;
    const report = await adminGet(admin, '/admin/drift');
    expect(report.html).toMatch(new RegExp(`data-panel-id="${sub.panelId}"[\\s\\S]*?data-testid="drift-missing"[\\s\\S]*?${sub.id}`));
    // Looking is read-only.
    expect((await t.shop.storage.jobs.list({ state: 'queued' }, { limit: 100 })).items.length).toBe(jobsBefore);

    const repair = await postForm({ agent: admin.agent, csrf: report.csrf }, '/admin/drift/repair', {});
    expect(repair.status).toBe(200);
    expect(repair.text).toMatch(/data-testid="repairs-queued">[^<]*[1-9]\d* repairs queued/);
    await t.drain();
    expect(await demo.sim.countClients(sub.remote.username)).toBe(1);
    const after = await adminGet(admin, '/admin/drift');
    expect(after.html).not.toContain(`/admin/subscriptions/${sub.id}`);
  });

  it('reports a panel it cannot read instead of failing', async () => {
    const demo = t.shop.demo!.panels[0]!;
    for (let i = 0; i < 6; i++) demo.sim.injectFault({ kind: 'status', status: 500, on: 'read' });
    const report = await adminGet(admin, '/admin/drift');
    demo.sim.clearFaults();
    expect(report.html).toMatch(new RegExp(`data-panel-id="${demo.panel.id}"[\\s\\S]*?data-testid="drift-error"`));
  });
});

describe('dry run', () => {
  it('lists the expiry of a subscription due within 24 hours, at its time in the admin calendar', async () => {
    const sub = await activeSubscription('Frankfurt · 1 month · 50', 'dry-run-1');
    const empty = await adminGet(admin, '/admin/dry-run');
    expect(empty.html).not.toContain(`data-subscription-id="${sub.id}"`);

    t.clock.set(new Date(sub.expiresAt!.getTime() - DAY / 2));
    const soon = await adminGet(admin, '/admin/dry-run');
    expect(soon.html).toMatch(new RegExp(`data-action="expire"[\\s\\S]*?data-subscription-id="${sub.id}"`));
    expect(soon.html).toContain(`datetime="${sub.expiresAt!.toISOString()}"`);
    expect(soon.html).toContain('its time runs out');

    await admin.agent.get('/lang/fa?next=/admin/dry-run').expect(303);
    const fa = await adminGet(admin, '/admin/dry-run');
    await admin.agent.get('/lang/en?next=/admin/dry-run').expect(303);
    expect(fa.html).toContain('انقضا');
    expect(fa.html).toContain('۱۴۰۵'); // 30 days after 1 March 2026 is in the Persian year 1405
  });
});
