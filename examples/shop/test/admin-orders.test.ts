import type { Plan } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminGet, fundedBuyer, postForm } from './support/admin-support.js';
import { signedInAdmin, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let admin: Visitor;
let plan: Plan;

beforeAll(async () => {
  t = await startShop();
  admin = await signedInAdmin(t.app);
  plan = (await t.shop.storage.plans.list()).find((p) => p.name.startsWith('Frankfurt · 1 month · 50'))!;
});
afterAll(() => t.close());

const frankfurt = () => t.shop.demo!.panels.find((p) => p.tag === 'de')!.sim;
const balance = (customerId: string) => t.shop.storage.ledger.balance(customerId, 'USD');

describe('orders whose provisioning fails', () => {
  it('shows the failure and its dead job; Retry charges again once and provisions', async () => {
    const buyer = await fundedBuyer(t, t.app, 2000);
    frankfurt().injectFault({ kind: 'status', status: 400, on: 'write' });
    const { order, subscriptions } = await t.shop.kit.checkout({
      customerId: buyer.customerId,
      items: [{ planId: plan.id }],
      idempotencyKey: 'fail-1',
    });
    await t.drain();
    const sub = subscriptions[0]!;
    expect(await balance(buyer.customerId)).toBe(2000); // refunded

    const failed = await adminGet(admin, `/admin/orders/${order.id}`);
    expect(failed.html).toMatch(/data-testid="order-status">[\s\S]*data-status="failed"/);
    expect(failed.html).toContain('data-testid="failure-reason"');
    expect(failed.html).toContain('PANEL_REJECTED');
    expect(failed.html).toMatch(/data-job-type="subscription.provision" data-job-state="dead"/);
    expect(failed.html).toContain('data-testid="retry-subscription"');
    expect(failed.html).toContain('data-confirm="Retry provisioning? This charges the customer&#39;s wallet the price again."');
    expect((await adminGet(admin, '/admin/orders?status=failed')).html).toContain(order.id);

    const retry = await postForm({ agent: admin.agent, csrf: failed.csrf }, `/admin/subscriptions/${sub.id}/retry`, {
      back: `/admin/orders/${order.id}`,
    });
    expect(retry.status).toBe(303);
    expect(retry.headers['location']).toBe(`/admin/orders/${order.id}?done=adminOps.subscription_retry`);
    expect(await balance(buyer.customerId)).toBe(2000 - plan.price.amount);
    // A second click (or a second admin) changes nothing.
    const twice = await postForm({ agent: admin.agent, csrf: failed.csrf }, `/admin/subscriptions/${sub.id}/retry`, {});
    expect(twice.status).toBe(409);
    expect(await balance(buyer.customerId)).toBe(2000 - plan.price.amount);

    await t.drain();
    expect((await t.shop.storage.subscriptions.get(sub.id))?.status).toBe('active');
    const page = await adminGet(admin, `/admin/subscriptions/${sub.id}?done=adminOps.subscription_retry`);
    expect(page.html).toMatch(/data-testid="subscription-status">[\s\S]*data-status="active"/);
    expect(page.html).toContain('subscription.retried');
    expect(page.html).toContain('subscription.failed');
    expect(await frankfurt().countClients(sub.remote.username)).toBe(1);
  });

  it('puts a dead job back in the queue', async () => {
    const buyer = await fundedBuyer(t, t.app, 2000);
    const { subscriptions } = await t.shop.kit.checkout({
      customerId: buyer.customerId,
      items: [{ planId: plan.id }],
      idempotencyKey: 'dead-job-1',
    });
    await t.drain();
    const sub = subscriptions[0]!;
    const page = await adminGet(admin, `/admin/subscriptions/${sub.id}`);
    await postForm({ agent: admin.agent, csrf: page.csrf }, `/admin/subscriptions/${sub.id}/suspend`, { reason: 'abuse report' }).expect(
      303,
    );
    frankfurt().injectFault({ kind: 'status', status: 400, on: 'write' });
    await t.drain();
    const dead = (await t.shop.storage.jobs.list({ dedupeKey: `subscription.push:${sub.id}`, state: 'dead' }, { limit: 5 })).items[0];
    expect(dead).toBeDefined();
    expect(frankfurt().client(sub.remote.username)?.enable).toBe(true); // the push never reached the panel

    const withDead = await adminGet(admin, `/admin/subscriptions/${sub.id}`);
    expect(withDead.html).toContain('data-testid="retry-job"');
    await postForm({ agent: admin.agent, csrf: withDead.csrf }, `/admin/jobs/${dead!.id}/retry`, {
      back: `/admin/subscriptions/${sub.id}`,
    }).expect(303);
    expect(await postForm({ agent: admin.agent, csrf: withDead.csrf }, `/admin/jobs/${dead!.id}/retry`, {}).then((r) => r.status)).toBe(
      409,
    );
    await t.drain();
    expect((await t.shop.storage.jobs.get(dead!.id))?.state).toBe('succeeded');
    expect(frankfurt().client(sub.remote.username)?.enable).toBe(false);
  });
});

describe('subscription actions', () => {
  it('approves provisioning for a plan that waits for an admin', async () => {
    const manual = await t.shop.storage.plans.create({
      name: 'Hand-checked',
      family: 'manual',
      price: { amount: 100, currency: 'USD' },
      durationDays: 30,
      trafficBytes: null,
      autoProvision: false,
      placement: { allowedLocations: ['de'] },
    });
    const buyer = await fundedBuyer(t, t.app, 500);
    const { order, subscriptions } = await t.shop.kit.checkout({
      customerId: buyer.customerId,
      items: [{ planId: manual.id }],
      idempotencyKey: 'manual-1',
    });
    const sub = subscriptions[0]!;
    await t.drain();
    expect((await t.shop.storage.subscriptions.get(sub.id))?.status).toBe('pending');
    const page = await adminGet(admin, `/admin/orders/${order.id}`);
    expect(page.html).toContain('data-testid="approve-subscription"');
    await postForm({ agent: admin.agent, csrf: page.csrf }, `/admin/subscriptions/${sub.id}/approve`, {
      back: `/admin/orders/${order.id}`,
    }).expect(303);
    const queued = await adminGet(admin, `/admin/orders/${order.id}`);
    expect(queued.html).not.toContain('data-testid="approve-subscription"');
    // Approving again while its job waits changes nothing (the engine leaves the queued job as it is).
    await postForm({ agent: admin.agent, csrf: page.csrf }, `/admin/subscriptions/${sub.id}/approve`, {});
    expect((await t.shop.storage.jobs.list({ dedupeKey: `subscription.provision:${sub.id}` }, { limit: 10 })).items).toHaveLength(1);
    await t.drain();
    expect((await t.shop.storage.subscriptions.get(sub.id))?.status).toBe('active');
    expect(await balance(buyer.customerId)).toBe(400);
  });

  it('suspends, resumes and terminates as the admin, with the audit trail', async () => {
    const buyer = await fundedBuyer(t, t.app, 2000);
    const { subscriptions } = await t.shop.kit.checkout({
      customerId: buyer.customerId,
      items: [{ planId: plan.id }],
      idempotencyKey: 'lifecycle-1',
    });
    await t.drain();
    const sub = subscriptions[0]!;
    const path = `/admin/subscriptions/${sub.id}`;
    const { csrf } = await adminGet(admin, path);
    const as = { agent: admin.agent, csrf };
    await postForm(as, `${path}/suspend`, { reason: 'chargeback' }).expect(303);
    expect((await t.shop.storage.subscriptions.get(sub.id))?.status).toBe('suspended');
    expect(await postForm(as, `${path}/suspend`, {}).then((r) => r.status)).toBe(409);
    await postForm(as, `${path}/resume`, {}).expect(303);
    expect((await t.shop.storage.subscriptions.get(sub.id))?.status).toBe('active');
    await postForm(as, `${path}/terminate`, {}).expect(303);
    await t.drain();
    expect((await t.shop.storage.subscriptions.get(sub.id))?.status).toBe('terminated');
    expect(await frankfurt().countClients(sub.remote.username)).toBe(0);

    const page = await adminGet(admin, `${path}?done=adminOps.subscription_terminate`);
    expect(page.html).toContain('its client will be removed');
    expect(page.html).not.toContain('data-testid="suspend-subscription"');
    expect(page.html).not.toContain('data-testid="terminate-subscription"');
    const admins = (await t.shop.storage.audit.list({ subjectType: 'subscription', subjectId: sub.id, actor: 'admin' }, { limit: 10 }))
      .items;
    expect(admins.map((e) => e.action).sort()).toEqual(['subscription.active', 'subscription.suspended', 'subscription.terminated']);
    const account = await t.shop.accounts.getByEmail('admin@example.com');
    expect(admins.every((e) => e.actor.id === account?.id)).toBe(true);
    const audit = await adminGet(admin, `/admin/audit?subjectType=subscription&subjectId=${sub.id}&actor=admin`);
    expect(audit.html.match(/data-testid="audit-row"/g)?.length).toBe(3);
    expect(audit.html).toContain('chargeback');
  });

  it('answers unknown or malformed ids with 404', async () => {
    for (const path of [
      '/admin/orders/ord_doesnotexist',
      '/admin/subscriptions/sub_doesnotexist',
      '/admin/orders/..%2F..',
      '/admin/panels/pnl_nope',
      '/admin/plans/pln_nope/edit',
    ]) {
      expect({ path, status: (await admin.agent.get(path)).status }).toEqual({ path, status: 404 });
    }
    const { csrf } = await adminGet(admin, '/admin');
    expect((await postForm({ agent: admin.agent, csrf }, '/admin/subscriptions/sub_doesnotexist/suspend', {})).status).toBe(404);
    expect((await postForm({ agent: admin.agent, csrf }, '/admin/jobs/job_doesnotexist/retry', {})).status).toBe(404);
  });
});

describe('overview', () => {
  it('counts subscriptions by status, queued and dead jobs, and receipts waiting for review', async () => {
    const buyer = await fundedBuyer(t, t.app, 2000);
    // Two receipts waiting and one already rejected, stored in the SDK's payments as they are.
    for (const [id, status] of [
      ['pay_pending_1', 'pending'],
      ['pay_pending_2', 'pending'],
      ['pay_done_1', 'rejected'],
    ] as const) {
      const now = t.clock.now();
      await t.shop.kit.payments.import({
        id,
        customerId: buyer.customerId,
        providerId: 'card',
        amount: 500,
        currency: 'USD',
        status,
        externalRef: `receipt-${id}`,
        requestKey: null,
        details: {},
        expiresAt: null,
        confirmation: null,
        ledgerEntryId: null,
        reversalEntryId: null,
        decidedBy: null,
        note: null,
        createdAt: now,
        updatedAt: now,
      });
    }
    await t.shop.kit.checkout({ customerId: buyer.customerId, items: [{ planId: plan.id }], idempotencyKey: 'overview-1' });
    const counts = await t.shop.storage.subscriptions.countByStatus();
    const queued = (await t.shop.storage.jobs.list({ state: 'queued' }, { limit: 1000 })).items.length;
    const dead = (await t.shop.storage.jobs.list({ state: 'dead' }, { limit: 1000 })).items.length;
    const page = await adminGet(admin, '/admin');
    expect(page.html).toContain('data-testid="pending-receipts">2<');
    expect(page.html).toContain(`data-testid="count-pending">${counts.pending}<`);
    expect(page.html).toContain(`data-testid="count-active">${counts.active}<`);
    expect(page.html).toContain(`data-testid="jobs-queued">${queued}<`);
    expect(page.html).toContain(`data-testid="jobs-dead">${dead}<`);
    expect(queued).toBeGreaterThan(0);
    expect(page.html.match(/data-testid="overview-panel"/g)?.length).toBe((await t.shop.storage.panels.list()).length);
    await t.drain();
  });
});
