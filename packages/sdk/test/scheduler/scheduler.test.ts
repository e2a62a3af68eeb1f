import { describe, expect, it } from 'vitest';
import { GiB, createHarness } from '../engine/harness.js';
import type { Harness } from '../engine/harness.js';
import type { FakePanelOptions } from '../../src/testing/index.js';
import type { NewPlan } from '../../src/index.js';
import { PanelRejectedError } from '../../src/index.js';

const HOUR = 3_600_000;

async function withSubscriptions(n: number, panel: FakePanelOptions = {}, plan: Partial<NewPlan> = {}) {
  const h = await createHarness({ panel, plan });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: `b${i}` });
    ids.push(subscriptions[0]!.id);
  }
  await h.worker().drain();
  return { h, ids, fake: h.panels[0]!.fake };
}

const get = (h: Harness, id: string) => h.storage.subscriptions.get(id).then((s) => s!);

describe('scheduler', () => {
  it('lets exactly one of several replicas run each slot', async () => {
    const { h } = await withSubscriptions(1);
    const replicas = [h.kit.createScheduler(), h.kit.createScheduler(), h.kit.createScheduler()];
    const reports = await Promise.all(replicas.map((s) => s.tick()));
    expect(reports.filter((r) => r.won)).toHaveLength(1);
    expect((await Promise.all(replicas.map((s) => s.tick()))).filter((r) => r.won)).toHaveLength(0);
    h.clock.advance(60_000);
    expect((await Promise.all(replicas.map((s) => s.tick()))).filter((r) => r.won)).toHaveLength(1);
  });

  it('shares usage sync among replicas: each panel read once a slot, by whichever replica has a free lane', async () => {
    const h = await createHarness({ panels: 6, panel: { latencyMs: 5 }, policy: { usageSyncPanelsAtOnce: 1 } });
    for (let i = 0; i < 6; i++) {
      const customerId = await h.customer(5000);
      await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: `b${i}` });
    }
    await h.worker().drain();
    const listed = () => h.panels.map((p) => p.fake.calls.listClients);
    const replicas = [h.kit.createScheduler(), h.kit.createScheduler(), h.kit.createScheduler()];
    h.clock.advance(60_000);
    const reports = await Promise.all(replicas.map((s) => s.tick()));
    expect(listed()).toEqual([1, 1, 1, 1, 1, 1]);
    expect(reports.reduce((n, r) => n + r.usage!.panels, 0)).toBe(6);
    expect(reports.reduce((n, r) => n + r.usage!.clients, 0)).toBe(6);
    // Replicas that lost the lifecycle slot read usage too.
    expect(reports.filter((r) => r.usage!.panels > 0).length).toBeGreaterThan(1);
    await Promise.all(replicas.map((s) => s.tick()));
    expect(listed()).toEqual([1, 1, 1, 1, 1, 1]);
    h.clock.advance(60_000);
    await Promise.all(replicas.map((s) => s.tick()));
    expect(listed()).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('syncs usage in bulk, idempotently, and per client where the panel has no bulk listing', async () => {
    for (const bulkUsage of [true, false]) {
      const { h, ids, fake } = await withSubscriptions(3, { capabilities: { bulkUsage } });
      const sub = await get(h, ids[0]!);
      fake.addTraffic(sub.remote.username, 5 * GiB);
      h.clock.advance(60_000);
      const report = await h.kit.createScheduler().tick();
      expect(report.usage).toMatchObject({ panels: 1, clients: 3, failedPanels: [] });
      expect((await get(h, ids[0]!)).usedBytes).toBe(5 * GiB);
      expect(fake.calls.listClients > 0).toBe(bulkUsage);
      expect(fake.calls.getClient > 0).toBe(!bulkUsage);
      const revision = (await get(h, ids[0]!)).revision;
      h.clock.advance(60_000);
      await h.kit.createScheduler().tick();
      expect((await get(h, ids[0]!)).usedBytes).toBe(5 * GiB);
      expect((await get(h, ids[0]!)).revision).toBe(revision);
    }
  });

  it('warns at a traffic threshold only once storage holds the usage it reports', async () => {
    const { h, ids, fake } = await withSubscriptions(1);
    const sub = await get(h, ids[0]!);
    const warned: { notice: string; usedBytes: number | null }[] = [];
    h.kit.events.on('subscription:warned', (e) => void warned.push({ notice: e.notice, usedBytes: e.subscription.usedBytes }));
    // Storage already holds a newer reading (another replica, a skewed clock): this tick's is ignored.
    await h.storage.subscriptions.recordUsage([
      { subscriptionId: sub.id, usedBytes: 1 * GiB, observedAt: new Date(h.clock.now().getTime() + HOUR) },
    ]);
    fake.addTraffic(sub.remote.username, 45 * GiB);
    h.clock.advance(60_000);
    await h.kit.createScheduler().tick();
    expect(warned).toEqual([]);
    expect((await get(h, sub.id)).notices).toEqual([]);
    h.clock.advance(2 * HOUR);
    await h.kit.createScheduler().tick();
    expect(warned).toEqual([{ notice: 'traffic:80', usedBytes: 45 * GiB }]);
  });

  it('reports a panel whose usage cannot be read and goes on with the others', async () => {
    const h = await createHarness({ panels: 2 });
    const failed: string[] = [];
    h.kit.events.on('usage:sync_failed', (e) => void failed.push(e.panelId));
    h.panels[0]!.fake.setDown(true);
    const report = await h.kit.createScheduler().tick();
    expect(report.usage).toMatchObject({ panels: 1, failedPanels: [h.panels[0]!.panel.id] });
    expect(failed).toEqual([h.panels[0]!.panel.id]);
  });

  it('starts the period at first use: from the panel’s expiry, or pushing one where the panel cannot', async () => {
    for (const startOnFirstUse of [true, false]) {
      const { h, ids, fake } = await withSubscriptions(1, { capabilities: { startOnFirstUse } }, { startOnFirstUse: true });
      const held = await get(h, ids[0]!);
      expect(held.status).toBe('on_hold');
      expect(fake.client(held.remote.username)!.expiry.type).toBe(startOnFirstUse ? 'after_first_use' : 'never');
      h.clock.advance(5 * HOUR);
      fake.addTraffic(held.remote.username, 1024);
      const firstUse = h.clock.now();
      h.clock.advance(HOUR);
      const report = await h.kit.createScheduler().tick();
      expect(report.activated).toBe(1);
      await h.worker().drain();
      const active = await get(h, ids[0]!);
      expect(active.status).toBe('active');
      const expected = startOnFirstUse ? firstUse : h.clock.now();
      expect(active.expiresAt).toEqual(new Date(expected.getTime() + 30 * 24 * HOUR));
      expect(fake.client(held.remote.username)!.expiry).toEqual({ type: 'at', at: active.expiresAt });
    }
  });

  it('reconciles: reports orphans, missing clients and drift, and repairs on request', async () => {
    const { h, ids, fake } = await withSubscriptions(3);
    const [a, b] = [await get(h, ids[0]!), await get(h, ids[1]!)];
    fake.remove(a.remote.username);
    fake.tamper(b.remote.username, { trafficLimitBytes: 1, enabled: false });
    fake.plant({
      ...{ identity: { ...a.remote, username: 'pk_stranger' } },
      expiry: { type: 'never' },
      trafficLimitBytes: null,
      deviceLimit: null,
      enabled: true,
    });
    fake.plant({
      identity: { ...a.remote, username: 'other_shop' },
      expiry: { type: 'never' },
      trafficLimitBytes: null,
      deviceLimit: null,
      enabled: true,
    });
    const report = await h.kit.reconcile();
    const panel = report.panels[0]!;
    expect(panel.missing).toEqual([a.id]);
    expect(panel.drifted).toEqual([{ subscriptionId: b.id, fields: ['trafficLimit', 'enabled'] }]);
    expect(panel.orphans.map((o) => [o.username, o.ours]).sort()).toEqual([
      ['other_shop', false],
      ['pk_stranger', true],
    ]);
    expect(report.repairsQueued).toBe(0);
    expect(await h.worker().drain()).toBe(0);

    const repaired = await h.kit.reconcile({ repair: true });
    expect(repaired.repairsQueued).toBe(3);
    // Asked again before the worker ran: those repairs are queued already, none is new.
    expect((await h.kit.reconcile({ repair: true })).repairsQueued).toBe(0);
    await h.worker().drain();
    expect(fake.client(a.remote.username)).toBeDefined();
    expect(fake.client(b.remote.username)).toMatchObject({ trafficLimitBytes: b.trafficLimitBytes, enabled: true });
    expect(fake.client('pk_stranger')).toBeUndefined();
    expect(fake.client('other_shop')).toBeDefined();
    const after = (await h.kit.reconcile()).panels[0]!;
    expect([after.missing, after.drifted, after.orphans.map((o) => o.username)]).toEqual([[], [], ['other_shop']]);
  });

  it('renews once per period, free or paid; a renewal that fails for good is refunded and the subscription expires', async () => {
    for (const price of [0, 700]) {
      const { h, ids, fake } = await withSubscriptions(
        1,
        {},
        { durationDays: 2, extension: { price: { amount: price, currency: 'USD' } } },
      );
      const sub = await get(h, ids[0]!);
      await h.storage.subscriptions.update(sub.id, { autoRenew: true }, { expectedRevision: sub.revision });
      const scheduler = h.kit.createScheduler();
      await scheduler.tick();
      h.clock.set('2026-03-02T00:00:00.000Z'); // a day before expiry: renewal time
      expect((await scheduler.tick()).renewed).toBe(1);
      fake.failNext('updateClient', () => new PanelRejectedError('no', { panelKind: 'fake' }));
      await h.worker().drain();
      expect(await h.balance(sub.customerId)).toBe(4000);
      h.clock.set('2026-03-03T00:01:00.000Z'); // past expiry: the last-chance renewal must not try the period again
      expect(await scheduler.tick()).toMatchObject({ renewed: 0, expired: 1 });
      await h.worker().drain();
      const jobs = (await h.storage.jobs.list({ type: 'subscription.update' }, { limit: 10 })).items;
      expect(jobs.map((j) => j.state)).toEqual(['dead']);
      expect((await get(h, sub.id)).status).toBe('expired');
      expect(fake.calls.updateClient).toBe(1);
    }
  });

  it('dry-run lists the next 24 hours with reasons, and writes nothing', async () => {
    const { h, ids, fake } = await withSubscriptions(4, {}, { durationDays: 2 });
    await h.storage.subscriptions.update(ids[1]!, { autoRenew: true }, { expectedRevision: (await get(h, ids[1]!)).revision });
    const over = await get(h, ids[2]!);
    fake.addTraffic(over.remote.username, 60 * GiB);
    await h.kit.createScheduler().tick(); // usage arrives; the limit is applied by this tick
    fake.addTraffic((await get(h, ids[3]!)).remote.username, 1);
    h.clock.advance(6 * HOUR);
    const before = JSON.stringify(await snapshot(h));
    const emitted: string[] = [];
    for (const name of ['subscription:warned', 'subscription:expired', 'ledger:appended'] as const)
      h.kit.events.on(name, () => void emitted.push(name));
    const plan = await h.kit.dryRun();
    expect(JSON.stringify(await snapshot(h))).toBe(before);
    expect(emitted).toEqual([]);
    const of = (id: string) => plan.filter((p) => p.subscriptionId === id).map((p) => [p.action, p.reason, p.at.toISOString()]);
    expect(of(ids[0]!)).toEqual([['warn', 'expiry_notice:1440m', '2026-03-02T00:00:00.000Z']]);
    expect(of(ids[1]!)).toEqual([['renew', 'renewal_due', '2026-03-02T00:00:00.000Z']]);
    expect(plan.every((p) => p.detail.length > 0)).toBe(true);
    // Real ticks then do what was listed, at the listed time.
    h.clock.set('2026-03-02T00:00:00.000Z');
    const seen: string[] = [];
    h.kit.events.on('subscription:warned', (e) => void seen.push(`${e.subscription.id}:${e.notice}`));
    await h.kit.createScheduler().tick();
    expect(seen).toContain(`${ids[0]}:expiry:1440m`);
    expect((await h.storage.ledger.list((await get(h, ids[1]!)).customerId, { limit: 10 })).items.some((e) => e.kind === 'extension')).toBe(
      true,
    );
  });
});

async function snapshot(h: Harness) {
  const subs = await Promise.all(
    (
      await h.storage.subscriptions.listDue(
        { kind: 'expiring', statuses: ['active', 'limited', 'expired'], to: new Date('2100-01-01') },
        { limit: 1000 },
      )
    ).items.map((s) => [s.id, s.revision, s.status, s.notices]),
  );
  const jobs = (await h.storage.jobs.list({}, { limit: 1000 })).items.map((j) => [j.id, j.state, j.updatedAt.getTime()]);
  const audit = (await h.storage.audit.list({}, { limit: 1000 })).items.length;
  return { subs, jobs, audit };
}
