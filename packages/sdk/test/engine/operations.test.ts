import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  IdempotencyConflictError,
  InsufficientFundsError,
  InvalidTransitionError,
  PanelRejectedError,
  ValidationError,
} from '../../src/index.js';
import type { LedgerEntry } from '../../src/index.js';
import { createHarness } from './harness.js';

async function provisioned() {
  const h = await createHarness();
  const customerId = await h.customer(5000);
  const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
  await h.worker().drain();
  const sub = (await h.storage.subscriptions.get(subscriptions[0]!.id))!;
  return { h, customerId, sub, fake: h.panels[0]!.fake };
}

describe('operations', () => {
  it('tops up once per key, with audit', async () => {
    const h = await createHarness();
    const customerId = await h.customer();
    const first = await h.kit.topUp({
      customerId,
      amount: { amount: 700, currency: 'USD' },
      idempotencyKey: 'receipt-1',
      actor: { type: 'admin', id: 'a1' },
    });
    const again = await h.kit.topUp({ customerId, amount: { amount: 700, currency: 'USD' }, idempotencyKey: 'receipt-1' });
    expect([first.created, again.created]).toEqual([true, false]);
    await expect(h.kit.topUp({ customerId, amount: { amount: 900, currency: 'USD' }, idempotencyKey: 'receipt-1' })).rejects.toSatisfy(
      (e: unknown) => IdempotencyConflictError.is(e),
    );
    expect(await h.balance(customerId)).toBe(700);
    const audit = await h.storage.audit.list({ subjectId: customerId }, { limit: 10 });
    expect(audit.items.map((a) => a.action)).toEqual(['ledger.topped_up']);
  });

  it('adjusts a wallet either way once per key, with its note, audit and event; never below zero', async () => {
    const h = await createHarness();
    const customerId = await h.customer(500);
    const appended: LedgerEntry[] = [];
    h.kit.events.on('ledger:appended', (e) => void appended.push(e.entry));
    const admin = { type: 'admin' as const, id: 'a1' };
    const credit = { customerId, amount: 300, currency: 'USD', idempotencyKey: 'adj-1', note: 'goodwill', actor: admin };
    const first = await h.kit.adjust(credit);
    expect(first.entry).toMatchObject({ kind: 'adjustment', amount: 300, note: 'goodwill', actor: admin, balanceAfter: 800 });
    expect((await h.kit.adjust(credit)).created).toBe(false);
    await h.kit.adjust({ customerId, amount: -200, currency: 'USD', idempotencyKey: 'adj-2', note: 'double top-up', actor: admin });
    expect(await h.balance(customerId)).toBe(600);
    await expect(
      h.kit.adjust({ customerId, amount: -601, currency: 'USD', idempotencyKey: 'adj-3', note: 'too much', actor: admin }),
    ).rejects.toSatisfy((e: unknown) => InsufficientFundsError.is(e));
    for (const bad of [{ amount: 0 }, { note: '  ' }, { currency: 'usd' }]) {
      await expect(h.kit.adjust({ ...credit, idempotencyKey: 'adj-4', ...bad })).rejects.toSatisfy((e: unknown) => ValidationError.is(e));
    }
    expect(await h.balance(customerId)).toBe(600);
    expect(appended.map((e) => e.amount)).toEqual([300, -200]);
    const audit = await h.storage.audit.list({ subjectId: customerId, actor: 'admin' }, { limit: 10 });
    const adjusted = audit.items.filter((a) => a.action === 'ledger.adjusted');
    expect(adjusted.map((a) => a.data['note']).sort()).toEqual(['double top-up', 'goodwill']);
    expect(adjusted.every((a) => a.actor.type === 'admin' && a.actor.id === 'a1')).toBe(true);
  });

  it('suspends and resumes on the panel, with audit and events', async () => {
    const { h, sub, fake } = await provisioned();
    const seen: string[] = [];
    h.kit.events.on('subscription:suspended', () => void seen.push('suspended'));
    h.kit.events.on('subscription:resumed', () => void seen.push('resumed'));
    await h.kit.suspend({ subscriptionId: sub.id, reason: 'abuse', actor: { type: 'admin', id: 'a1' } });
    await h.worker().drain();
    expect(fake.client(sub.remote.username)!.enabled).toBe(false);
    const resumed = await h.kit.resume({ subscriptionId: sub.id });
    expect(resumed.status).toBe('active');
    await h.worker().drain();
    expect(fake.client(sub.remote.username)!.enabled).toBe(true);
    expect(seen).toEqual(['suspended', 'resumed']);
    const audit = await h.storage.audit.list({ subjectId: sub.id, actor: 'admin' }, { limit: 10 });
    expect(audit.items.map((a) => a.action)).toContain('subscription.suspended');
  });

  it('resumes into what time implies: a subscription that ran out while suspended is expired', async () => {
    const { h, sub } = await provisioned();
    await h.kit.suspend({ subscriptionId: sub.id });
    h.clock.advanceDays(31);
    expect((await h.kit.resume({ subscriptionId: sub.id })).status).toBe('expired');
  });

  it('terminates: slot released, client removed, no further moves', async () => {
    const { h, sub, fake } = await provisioned();
    await h.kit.terminate({ subscriptionId: sub.id });
    await h.worker().drain();
    expect(fake.client(sub.remote.username)).toBeUndefined();
    expect((await h.storage.targets.get(sub.targetId))!.allocated).toBe(0);
    await expect(h.kit.resume({ subscriptionId: sub.id })).rejects.toSatisfy((e: unknown) => InvalidTransitionError.is(e));
  });

  it('terminating a pending subscription cancels its provisioning', async () => {
    const h = await createHarness();
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
    await h.kit.terminate({ subscriptionId: subscriptions[0]!.id });
    await h.worker().drain();
    expect(h.panels[0]!.fake.created).toBe(0);
    expect((await h.storage.targets.get(subscriptions[0]!.targetId))!.allocated).toBe(0);
  });
});

describe('operations: retry', () => {
  it('moves a failed subscription to another target when its own is full; the slot and the charge follow it', async () => {
    const h = await createHarness({ panels: 2, panel: { capacity: 1 } });
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
    const id = subscriptions[0]!.id;
    const home = h.panels.find((p) => p.target.id === subscriptions[0]!.targetId)!;
    const other = h.panels.find((p) => p !== home)!;
    home.fake.failNext('createClients', () => new PanelRejectedError('no', { panelKind: 'fake' }));
    await h.worker().drain();
    expect(await h.balance(customerId)).toBe(5000);
    // Someone else takes the home target's only slot meanwhile.
    expect(await h.storage.capacity.reserve({ targetId: home.target.id, planId: h.plan.id, count: 1 })).toEqual({ ok: true });
    const retried = await h.kit.retryFailed({ subscriptionId: id });
    expect(retried).toMatchObject({ status: 'pending', panelId: other.panel.id, targetId: other.target.id });
    expect(await h.storage.targets.get(other.target.id)).toMatchObject({ allocated: 1 });
    expect(await h.storage.targets.get(home.target.id)).toMatchObject({ allocated: 1 });
    expect(await h.balance(customerId)).toBe(4000);
    // Its new job is claimed with the new target's other provisioning jobs.
    const queued = await h.storage.jobs.list({ type: 'subscription.provision', state: 'queued' }, { limit: 5 });
    expect(queued.items.map((j) => j.batchKey)).toEqual([`subscription.provision|target:${other.target.id}`]);
    await h.worker().drain();
    expect(await h.storage.subscriptions.get(id)).toMatchObject({ status: 'active', targetId: other.target.id });
  });
});

describe('operations: approval', () => {
  it('holds a paid subscription of a plan that waits for an admin until it is approved', async () => {
    const h = await createHarness({ plan: { autoProvision: false } });
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
    expect(await h.worker().drain()).toBe(0);
    expect(await h.balance(customerId)).toBe(4000);
    await h.kit.approveProvisioning({ subscriptionId: subscriptions[0]!.id, actor: { type: 'admin', id: 'a1' } });
    await h.kit.approveProvisioning({ subscriptionId: subscriptions[0]!.id });
    const queued = await h.storage.jobs.list({ type: 'subscription.provision', state: 'queued' }, { limit: 5 });
    expect(queued.items.map((j) => j.batchKey)).toEqual([`subscription.provision|target:${subscriptions[0]!.targetId}`]);
    expect(await h.worker().drain()).toBe(1);
    expect((await h.storage.subscriptions.get(subscriptions[0]!.id))!.status).toBe('active');
  });

  it('approving after an admin retry keeps the retry round: its failure is refunded in full', async () => {
    const h = await createHarness({ plan: { autoProvision: false } });
    const fake = h.panels[0]!.fake;
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
    const id = subscriptions[0]!.id;
    const admin = { type: 'admin' as const, id: 'a1' };
    const reject = () => new PanelRejectedError('no', { panelKind: 'fake' });
    await h.kit.approveProvisioning({ subscriptionId: id, actor: admin });
    fake.failNext('createClients', reject);
    await h.worker().drain();
    expect((await h.storage.subscriptions.get(id))!.status).toBe('failed');
    expect(await h.balance(customerId)).toBe(5000);
    await h.kit.retryFailed({ subscriptionId: id, actor: admin });
    expect(await h.balance(customerId)).toBe(4000);
    // The retry's job is queued: approving again queues and audits nothing new.
    await h.kit.approveProvisioning({ subscriptionId: id, actor: admin });
    fake.failNext('createClients', reject);
    await h.worker().drain();
    expect((await h.storage.subscriptions.get(id))!.status).toBe('failed');
    expect(await h.balance(customerId)).toBe(5000);
    const audit = await h.storage.audit.list({ subjectType: 'subscription', subjectId: id }, { limit: 50 });
    expect(audit.items.filter((e) => e.action === 'subscription.approved')).toHaveLength(1);
  });

  it('refuses to approve a subscription that is not pending, as a conflict', async () => {
    const { h, sub } = await provisioned();
    await expect(h.kit.approveProvisioning({ subscriptionId: sub.id })).rejects.toSatisfy((e: unknown) => ConflictError.is(e));
  });
});
