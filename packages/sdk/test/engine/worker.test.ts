import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, defineHostJob, enqueueHostJob, PanelAuthError, PanelRejectedError, PanelServerError } from '../../src/index.js';
import type { StoragePort, StorageTransaction } from '../../src/storage.js';
import { FakePanelAdapter } from '../../src/testing/index.js';
import type { WorkerStep } from '../../src/index.js';
import { createHarness, deferred } from './harness.js';
import type { Harness } from './harness.js';

async function buy(h: Harness, quantity = 1, balance = 10_000) {
  const customerId = await h.customer(balance);
  const { order, subscriptions } = await h.kit.checkout({
    customerId,
    items: [{ planId: h.plan.id, quantity }],
    idempotencyKey: `buy-${customerId}`,
  });
  return { customerId, order, subscriptions };
}

const sub = (h: Harness, id: string) => h.storage.subscriptions.get(id).then((s) => s!);

describe('worker: provisioning', () => {
  it('creates the client, stores its links, activates the subscription and completes the order', async () => {
    const h = await createHarness();
    const { order, subscriptions } = await buy(h);
    const provisioned: string[] = [];
    h.kit.events.on('subscription:provisioned', (e) => void provisioned.push(e.subscription.id));
    expect(await h.worker().drain()).toBe(1);
    const s = await sub(h, subscriptions[0]!.id);
    expect(s.status).toBe('active');
    expect(s.expiresAt).toEqual(new Date('2026-03-31T00:00:00.000Z'));
    expect(s.subscriptionUrl).toBe(`https://fake.panel/sub/${s.remote.subId}`);
    expect(s.shareLinks).toHaveLength(1);
    expect(h.panels[0]!.fake.client(s.remote.username)?.trafficLimitBytes).toBe(h.plan.trafficBytes);
    expect((await h.storage.orders.get(order.id))!.status).toBe('completed');
    expect(provisioned).toEqual([s.id]);
    const audit = await h.storage.audit.list({ subjectId: s.id }, { limit: 10 });
    expect(audit.items.map((a) => [a.action, a.actor.type])).toContainEqual(['subscription.provisioned', 'worker']);
    const orderAudit = await h.storage.audit.list({ subjectId: order.id }, { limit: 10 });
    expect(orderAudit.items.map((a) => a.action).sort()).toEqual(['order.completed', 'order.placed']);
  });

  it('creates clients for one target in one call when the panel can batch, one by one otherwise', async () => {
    const batching = await createHarness();
    await buy(batching, 5);
    await batching.worker().drain();
    expect(batching.panels[0]!.fake.calls.createClients).toBe(1);
    expect(batching.panels[0]!.fake.clientCount()).toBe(5);

    const single = await createHarness({ panel: { capabilities: { batchCreate: false } } });
    await buy(single, 5);
    await single.worker().drain();
    expect(single.panels[0]!.fake.calls.createClients).toBe(5);
    expect(single.panels[0]!.fake.clientCount()).toBe(5);
  });

  it('writes a batch in one transaction; a subscription that cannot be written fails alone', async () => {
    // Counts the transactions that make subscriptions live, and refuses to write the ones in `refused`.
    const refused = new Set<string>();
    const liveWrites: number[] = [];
    const wrapStorage = (storage: StoragePort): StoragePort =>
      new Proxy(storage, {
        get(target, property) {
          if (property !== 'transaction') {
            const value: unknown = Reflect.get(target, property, target);
            return typeof value === 'function' ? value.bind(target) : value;
          }
          return (fn: Parameters<StoragePort['transaction']>[0]) =>
            target.transaction(async (tx) => {
              let live = 0;
              const subscriptions: StorageTransaction['subscriptions'] = {
                ...tx.subscriptions,
                update: async (id, patch, options) => {
                  if (patch.status !== 'active') return tx.subscriptions.update(id, patch, options);
                  if (refused.has(id)) throw new ConflictError(`refused ${id}`);
                  live++;
                  return tx.subscriptions.update(id, patch, options);
                },
                updateMany: async (updates) => {
                  const going = updates.filter((u) => u.patch.status === 'active');
                  const lost = going.find((u) => refused.has(u.id));
                  if (lost !== undefined) throw new ConflictError(`refused ${lost.id}`);
                  live += going.length;
                  return tx.subscriptions.updateMany(updates);
                },
              };
              const result = await fn({ ...tx, subscriptions });
              if (live > 0) liveWrites.push(live);
              return result;
            });
        },
      });
    const h = await createHarness({ wrapStorage });
    const { subscriptions } = await buy(h, 4);
    await h.worker().drain();
    expect(h.panels[0]!.fake.calls.createClients).toBe(1);
    expect(liveWrites).toEqual([4]);

    const second = await buy(h, 3);
    const [kept1, lost, kept2] = second.subscriptions.map((s) => s.id) as [string, string, string];
    refused.add(lost);
    liveWrites.length = 0;
    const retried: string[] = [];
    h.kit.events.on('job:retried', (e) => void retried.push(e.job.id));
    await h.worker().drain();
    // The batch's transaction failed on `lost`: each went alone, and only `lost` waits to be tried again.
    expect(liveWrites.sort()).toEqual([1, 1]);
    expect((await sub(h, kept1)).status).toBe('active');
    expect((await sub(h, kept2)).status).toBe('active');
    expect((await sub(h, lost)).status).toBe('pending');
    expect(retried).toHaveLength(1);
    for (const s of subscriptions) expect((await sub(h, s.id)).status).toBe('active');
  });

  it('gathers a target’s jobs from later claims into one batch while the batch ahead waits for the panel', async () => {
    const gate = deferred();
    const firstCall = deferred();
    let creates = 0;
    const h = await createHarness({
      panel: { latencyMs: 1, sleep: () => (++creates === 1 ? (firstCall.resolve(), gate.promise) : Promise.resolve()) },
    });
    await buy(h, 9, 20_000);
    let claimed = 0;
    const allClaimed = deferred();
    const worker = h.worker({ claimLimit: 3, onStep: (step) => void (step === 'claimed' && ++claimed === 9 && allClaimed.resolve()) });
    const runs = [worker.runOnce()];
    await firstCall.promise; // the first claim's batch of 3 is at the panel
    runs.push(worker.runOnce(), worker.runOnce());
    await allClaimed.promise;
    // Let the later claims finish routing (the memory storage answers within the event loop's turn).
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    gate.resolve();
    expect(await Promise.all(runs)).toEqual([3, 3, 3]);
    const fake = h.panels[0]!.fake;
    expect(fake.calls.createClients).toBe(2);
    expect(fake.clientCount()).toBe(9);
    const jobs = await h.storage.jobs.list({ state: 'succeeded' }, { limit: 20 });
    expect(jobs.items).toHaveLength(9);
  });

  it('claims a target’s provisioning jobs together: one create per target however the checkout spread them', async () => {
    const h = await createHarness({ panels: 2 });
    const { subscriptions } = await buy(h, 6);
    const targets = h.panels.map((p) => p.target.id);
    // Placement spreads the units over both targets, so claim order alternates between them.
    expect(subscriptions.map((s) => targets.indexOf(s.targetId)).sort()).toEqual([0, 0, 0, 1, 1, 1]);
    const jobs = await h.storage.jobs.list({ type: 'subscription.provision' }, { limit: 10 });
    expect(new Set(jobs.items.map((j) => j.batchKey))).toEqual(new Set(targets.map((t) => `subscription.provision|target:${t}`)));
    // Claims of 3, run one at a time: each takes one target’s three jobs (by claim order alone: 2 creates each).
    expect(await h.worker({ claimLimit: 3 }).drain()).toBe(6);
    expect(h.panels.map((p) => p.fake.calls.createClients)).toEqual([1, 1]);
    for (const s of subscriptions) expect((await sub(h, s.id)).status).toBe('active');
  });

  it('stores the links the create returned without asking the panel again, and asks when the create gave none', async () => {
    const withCreate = await createHarness();
    const bought = await buy(withCreate, 3);
    await withCreate.worker().drain();
    expect(withCreate.panels[0]!.fake.calls).toMatchObject({ createClients: 1, links: 0 });
    for (const s of bought.subscriptions) expect((await sub(withCreate, s.id)).shareLinks).toHaveLength(1);

    const asking = await createHarness({ panel: { linksWithCreate: false } });
    const asked = await buy(asking, 3);
    await asking.worker().drain();
    expect(asking.panels[0]!.fake.calls).toMatchObject({ createClients: 1, links: 3 });
    for (const s of asked.subscriptions) {
      const stored = await sub(asking, s.id);
      expect(stored.status).toBe('active');
      expect(stored.subscriptionUrl).toBe(`https://fake.panel/sub/${stored.remote.subId}`);
    }
  });

  it('adopts the client when the response was lost, never creating a second one', async () => {
    const h = await createHarness();
    const { subscriptions } = await buy(h);
    const fake = h.panels[0]!.fake;
    fake.loseResponseNext('createClients');
    await h.worker().drain();
    expect((await sub(h, subscriptions[0]!.id)).status).toBe('pending');
    h.clock.advance(60_000);
    await h.worker().drain();
    expect((await sub(h, subscriptions[0]!.id)).status).toBe('active');
    expect(fake.calls.createClients).toBe(2);
    expect(fake.created).toBe(1);
  });

  it('keeps every invariant when the worker dies at any step (lease expiry, another worker finishes)', async () => {
    for (const step of ['claimed', 'panel_called', 'storage_written'] as WorkerStep[]) {
      const h = await createHarness({ policy: { leaseMs: 30_000 } });
      const { customerId, order, subscriptions } = await buy(h);
      const reached = deferred();
      const dead = h.worker({
        onStep: (s) => {
          if (s !== step) return;
          reached.resolve();
          return new Promise<void>(() => {}); // frozen for ever: a dead process
        },
      });
      void dead.runOnce();
      await reached.promise;
      // Before the lease runs out, nobody else may take the job.
      expect(await h.worker().drain()).toBe(0);
      h.clock.advance(30_001);
      // Past its storage write the job is done: it was completed in the write's own transaction.
      expect(await h.storage.jobs.reapExpired()).toBe(step === 'storage_written' ? 0 : 1);
      await h.worker().drain();
      const s = await sub(h, subscriptions[0]!.id);
      expect(s.status, step).toBe('active');
      expect(h.panels[0]!.fake.created, step).toBe(1);
      expect(h.panels[0]!.fake.clientCount(), step).toBe(1);
      expect((await h.storage.orders.get(order.id))!.status, step).toBe('completed');
      expect(await h.balance(customerId), step).toBe(9000);
    }
  });

  it('completes a provisioning job in the transaction that writes its subscription live', async () => {
    const h = await createHarness();
    const { subscriptions } = await buy(h);
    const atWrite: string[] = [];
    const succeeded: string[] = [];
    h.kit.events.on('job:succeeded', (e) => void succeeded.push(e.job.id));
    await h
      .worker({
        onStep: async (step, job) => {
          if (step === 'storage_written') atWrite.push((await h.storage.jobs.get(job.id))!.state);
        },
      })
      .drain();
    expect(atWrite).toEqual(['succeeded']);
    expect(succeeded).toHaveLength(1);
    expect((await sub(h, subscriptions[0]!.id)).status).toBe('active');
  });

  it('waits out a panel outage with backoff and refunds nothing until the failure is permanent', async () => {
    const h = await createHarness({ policy: { jobRetry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 } } });
    const { customerId, order, subscriptions } = await buy(h);
    const fake = h.panels[0]!.fake;
    fake.setDown(true);
    const retries: Date[] = [];
    h.kit.events.on('job:retried', (e) => void retries.push(e.retryAt));
    for (let i = 0; i < 3; i++) {
      await h.worker().drain();
      expect(await h.worker().drain()).toBe(0); // not due again before its backoff
      h.clock.advance(120_000);
    }
    expect(retries).toHaveLength(3);
    expect((await sub(h, subscriptions[0]!.id)).status).toBe('pending');
    expect(await h.balance(customerId)).toBe(9000);
    fake.setDown(false);
    await h.worker().drain();
    expect((await sub(h, subscriptions[0]!.id)).status).toBe('active');
    expect((await h.storage.orders.get(order.id))!.status).toBe('completed');
    expect(await h.balance(customerId)).toBe(9000);
  });

  it("a call past the engine's panel call timeout is a retryable PANEL_TIMEOUT: retried, never refunded on the spot", async () => {
    const h = await createHarness({
      policy: { panelCallTimeoutMs: 30, jobRetry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 1000 } },
    });
    const { customerId, subscriptions } = await buy(h);
    const fake = h.panels[0]!.fake;
    fake.setLatency(500);
    const retried: string[] = [];
    h.kit.events.on('job:retried', (e) => void retried.push(e.error.code));
    await h.worker().drain();
    expect(retried).toEqual(['PANEL_TIMEOUT']);
    expect((await sub(h, subscriptions[0]!.id)).status).toBe('pending');
    expect(await h.balance(customerId)).toBe(9000);
    fake.setLatency(0);
    h.clock.advance(2000);
    await h.worker().drain();
    expect((await sub(h, subscriptions[0]!.id)).status).toBe('active');
    expect(await h.balance(customerId)).toBe(9000);
  });

  it('fails for good after the last attempt: subscription failed, slot released, refunded once', async () => {
    const h = await createHarness({ policy: { jobRetry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1000 } } });
    const { customerId, order, subscriptions } = await buy(h);
    h.panels[0]!.fake.failNext('createClients', () => new PanelServerError('boom', { panelKind: 'fake' }), 10);
    for (let i = 0; i < 2; i++) {
      await h.worker().drain();
      expect(await h.balance(customerId)).toBe(9000);
      h.clock.advance(2000);
    }
    await h.worker().drain();
    const s = await sub(h, subscriptions[0]!.id);
    expect(s.status).toBe('failed');
    expect(s.failureReason).toContain('PANEL_SERVER');
    expect(await h.balance(customerId)).toBe(10_000);
    expect((await h.storage.orders.get(order.id))!.status).toBe('failed');
    expect((await h.storage.targets.get(s.targetId))!.allocated).toBe(0);
    const refunds = (await h.storage.ledger.list(customerId, { limit: 10 })).items.filter((e) => e.kind === 'refund');
    expect(refunds).toHaveLength(1);
  });

  it('fails at once on a permanent error, and an admin retry charges again and provisions', async () => {
    const h = await createHarness();
    const { customerId, subscriptions } = await buy(h);
    h.panels[0]!.fake.failNext('createClients', () => new PanelRejectedError('bad inbound', { panelKind: 'fake' }));
    await h.worker().drain();
    expect((await sub(h, subscriptions[0]!.id)).status).toBe('failed');
    expect(await h.balance(customerId)).toBe(10_000);
    await h.kit.retryFailed({ subscriptionId: subscriptions[0]!.id });
    expect(await h.balance(customerId)).toBe(9000);
    await h.worker().drain();
    expect((await sub(h, subscriptions[0]!.id)).status).toBe('active');
    expect(await h.balance(customerId)).toBe(9000);
  });

  it('waits on refused credentials, and a fresh adapter finishes the job once an admin fixes them', async () => {
    const h = await createHarness({ policy: { jobRetry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 1000 } } });
    const { panel, fake: oldAdapter } = h.panels[0]!;
    const { customerId, subscriptions } = await buy(h);
    oldAdapter.failNext('createClients', () => new PanelAuthError('token revoked', { panelKind: 'fake' }), 100);
    await h.worker().drain();
    h.clock.advance(2_000);
    await h.worker().drain();
    // Not the customer's fault and not permanent: the job waits, nothing is refunded.
    expect((await sub(h, subscriptions[0]!.id)).status).toBe('pending');
    expect(await h.balance(customerId)).toBe(9000);
    // The admin rotates the token; the engine builds a new adapter from the new settings.
    const fresh = new FakePanelAdapter({ clock: h.clock });
    h.fakes.set(panel.id, fresh);
    await h.storage.panels.update(panel.id, { credentials: { type: 'token', token: 'rotated' } });
    h.clock.advance(2_000);
    await h.worker().drain();
    expect((await sub(h, subscriptions[0]!.id)).status).toBe('active');
    expect(await fresh.controls.countClients(subscriptions[0]!.remote.username)).toBe(1);
    expect(await h.balance(customerId)).toBe(9000);
  });

  it('does not call an unhealthy panel: its jobs wait, and run once it recovers', async () => {
    const h = await createHarness();
    const { subscriptions } = await buy(h);
    const fake = h.panels[0]!.fake;
    fake.setDown(true);
    const events: string[] = [];
    h.kit.events.on('panel:unhealthy', () => void events.push('unhealthy'));
    h.kit.events.on('panel:recovered', () => void events.push('recovered'));
    await h.kit.checkPanelHealth();
    await h.kit.checkPanelHealth();
    expect((await h.storage.panels.get(h.panels[0]!.panel.id))!.health.status).toBe('unhealthy');
    fake.setDown(false); // up again, but nobody has checked yet
    await h.worker().drain();
    expect(fake.calls.createClients).toBe(0);
    expect((await sub(h, subscriptions[0]!.id)).status).toBe('pending');
    await h.kit.checkPanelHealth();
    h.clock.advance(60_000);
    await h.worker().drain();
    expect((await sub(h, subscriptions[0]!.id)).status).toBe('active');
    expect(events).toEqual(['unhealthy', 'recovered']);
    const audit = await h.storage.audit.list({ subjectId: h.panels[0]!.panel.id }, { limit: 10 });
    expect(audit.items.map((a) => a.action).sort()).toEqual(['panel.healthy', 'panel.unhealthy']);
  });

  it('records who asked for a health check on the status changes it makes', async () => {
    const h = await createHarness({ policy: { unhealthyAfterFailures: 1 } });
    const { panel, fake } = h.panels[0]!;
    fake.setDown(true);
    await h.kit.checkPanelHealth(panel.id, { actor: { type: 'admin', id: 'a1' } });
    fake.setDown(false);
    h.clock.advance(60_000); // audit lists newest first by time
    await h.kit.checkPanelHealth();
    const audit = await h.storage.audit.list({ subjectId: panel.id }, { limit: 10 });
    expect(audit.items.map((a) => [a.action, a.actor]).reverse()).toEqual([
      ['panel.unhealthy', { type: 'admin', id: 'a1' }],
      ['panel.healthy', { type: 'system', id: null }],
    ]);
  });

  it('runs at most the panel’s concurrency at once', async () => {
    const h = await createHarness({ panel: { capabilities: { batchCreate: false, maxConcurrency: 3 }, latencyMs: 2 } });
    await buy(h, 12, 20_000);
    await h.worker().drain();
    const fake = h.panels[0]!.fake;
    expect(fake.clientCount()).toBe(12);
    expect(fake.peakConcurrency).toBe(3);
  });

  it('hands claimed jobs back on graceful shutdown without counting the attempt', async () => {
    const gate = deferred();
    const firstCall = deferred();
    const h = await createHarness({
      panel: { capabilities: { batchCreate: false, maxConcurrency: 1 }, latencyMs: 1, sleep: () => (firstCall.resolve(), gate.promise) },
    });
    await buy(h, 4);
    const worker = h.worker();
    const run = worker.runOnce();
    await firstCall.promise; // one call is on the panel; three jobs wait for the panel's queue
    const stopping = worker.stop({ timeoutMs: 5_000 });
    gate.resolve();
    await stopping;
    await run;
    const queued = await h.storage.jobs.list({ state: 'queued' }, { limit: 10 });
    const succeeded = await h.storage.jobs.list({ state: 'succeeded' }, { limit: 10 });
    expect(succeeded.items).toHaveLength(1);
    expect(queued.items).toHaveLength(3);
    expect(queued.items.every((j) => j.attempts === 0)).toBe(true);
    await h.worker().drain();
    expect(h.panels[0]!.fake.clientCount()).toBe(4);
  });

  it('keeps a running job with heartbeats, and reports a lease it lost', async () => {
    const h = await createHarness({ policy: { leaseMs: 30_000 } });
    await buy(h);
    const reached = deferred();
    const release = deferred();
    const slow = h.worker({ onStep: (s) => (s === 'panel_called' ? (reached.resolve(), release.promise) : undefined) });
    const lost: string[] = [];
    h.kit.events.on('job:lease_lost', (e) => void lost.push(e.jobId));
    const run = slow.runOnce();
    await reached.promise;
    h.clock.advance(20_000);
    await slow.heartbeat();
    h.clock.advance(20_000); // 40 s after the claim, 20 s after the heartbeat
    expect(await h.storage.jobs.reapExpired()).toBe(0);
    h.clock.advance(11_000);
    expect(await h.storage.jobs.reapExpired()).toBe(1);
    await slow.heartbeat();
    expect(lost).toHaveLength(1);
    release.resolve();
    await run;
    // Its completion was refused; the job is queued again for someone else, who adopts the client.
    await h.worker().drain();
    expect(h.panels[0]!.fake.created).toBe(1);
    expect((await h.storage.jobs.list({ state: 'succeeded' }, { limit: 5 })).items).toHaveLength(1);
  });

  it('in the background, claims again only once a batch’s room is free, not a few jobs at a time', async () => {
    const limits: number[] = [];
    // Claims are recorded; a completion takes a turn of the event loop, as a database's round trip does,
    // so the jobs of a batch come free one at a time.
    const recordClaims = (storage: StoragePort): StoragePort => {
      const jobs: StoragePort['jobs'] = {
        ...storage.jobs,
        claim: (request) => (limits.push(request.limit), storage.jobs.claim(request)),
        complete: (lease, result) => new Promise((resolve) => setImmediate(resolve)).then(() => storage.jobs.complete(lease, result)),
      };
      return new Proxy(storage, { get: (target, property) => (property === 'jobs' ? jobs : Reflect.get(target, property, target)) });
    };
    const h = await createHarness({ policy: { maxBatchSize: 4 }, panel: { latencyMs: 1 }, wrapStorage: recordClaims });
    const { subscriptions } = await buy(h, 40, 50_000);
    let provisioned = 0;
    const allProvisioned = deferred();
    h.kit.events.on('subscription:provisioned', () => void (++provisioned === subscriptions.length && allProvisioned.resolve()));
    const worker = h.worker({ claimLimit: 8, pollIntervalMs: 1 });
    worker.start();
    await allProvisioned.promise;
    await worker.stop();
    // Every claim had room for a batch of 4 (8 when nothing was held).
    expect(limits.filter((limit) => limit < 4)).toEqual([]);
    expect(h.panels[0]!.fake.calls.createClients).toBe(10);
  });

  it('keeps working in the background: one slow job does not hold back the next', async () => {
    const gate = deferred();
    const slowCalled = deferred();
    const h = await createHarness({ panels: 0 });
    const slow = await h.addPanel({ sleep: () => (slowCalled.resolve(), gate.promise), latencyMs: 1 });
    const fast = await h.addPanel();
    const onSlow = await h.addPlan({ placement: { preferredTargetIds: [slow.target.id], allowedLocations: [], requiredTargetTags: [] } });
    const onFast = await h.addPlan({ placement: { preferredTargetIds: [fast.target.id], allowedLocations: [], requiredTargetTags: [] } });
    const customerId = await h.customer(5000);
    const worker = h.kit.createWorker({ pollIntervalMs: 5, heartbeatIntervalMs: 3_600_000 });
    const provisioned = new Map<string, () => void>();
    h.kit.events.on('subscription:provisioned', (e) => provisioned.get(e.subscription.id)?.());
    const whenProvisioned = (id: string) => new Promise<void>((resolve) => provisioned.set(id, resolve));
    worker.start();
    const a = await h.kit.checkout({ customerId, items: [{ planId: onSlow.id }], idempotencyKey: 'a' });
    const aDone = whenProvisioned(a.subscriptions[0]!.id);
    await slowCalled.promise;
    const b = await h.kit.checkout({ customerId, items: [{ planId: onFast.id }], idempotencyKey: 'b' });
    await whenProvisioned(b.subscriptions[0]!.id);
    expect((await h.storage.subscriptions.get(a.subscriptions[0]!.id))!.status).toBe('pending');
    gate.resolve();
    await aDone;
    await worker.stop();
    expect((await h.storage.jobs.list({ state: 'succeeded' }, { limit: 5 })).items).toHaveLength(2);
  });
});

describe('worker: woken by queued jobs', () => {
  /** The storage as the engine sees it, counting claims and resolving `firstClaim` when the first one returns. */
  function countClaims(counter: { claims: number; firstClaim: { resolve: () => void } }) {
    return (storage: StoragePort): StoragePort => {
      const jobs: StoragePort['jobs'] = {
        ...storage.jobs,
        claim: async (request) => {
          counter.claims++;
          const claimed = await storage.jobs.claim(request);
          counter.firstClaim.resolve();
          return claimed;
        },
      };
      return new Proxy(storage, { get: (target, property) => (property === 'jobs' ? jobs : Reflect.get(target, property, target)) });
    };
  }

  it('claims a job as soon as it is queued, not on its next poll (an hour away here)', async () => {
    const counter = { claims: 0, firstClaim: deferred() };
    const h = await createHarness({ wrapStorage: countClaims(counter) });
    const worker = h.worker({ pollIntervalMs: 3_600_000 });
    worker.start();
    // Its first claim found nothing: it sleeps until the poll, or until the storage says jobs were queued.
    await counter.firstClaim.promise;
    const provisioned = deferred();
    h.kit.events.on('subscription:provisioned', () => provisioned.resolve());
    const { subscriptions } = await buy(h);
    await provisioned.promise;
    await worker.stop();
    expect((await sub(h, subscriptions[0]!.id)).status).toBe('active');
  });

  it('after a claim that found nothing more due, a settled job wakes no claim; one its key held back is claimed on the signal of the freed key', async () => {
    const counter = { claims: 0, firstClaim: deferred() };
    const h = await createHarness({ panels: 0, wrapStorage: countClaims(counter) });
    const ran: string[] = [];
    const gate = deferred();
    const plain = defineHostJob({
      type: 'test.plain',
      payload: z.object({ n: z.number() }),
      run: async ({ n }) => void ran.push(`test.plain ${n}`),
    });
    const keyed = defineHostJob({
      type: 'test.keyed',
      payload: z.object({ n: z.number() }),
      serialKey: () => 'one-key',
      run: async ({ n }) => {
        ran.push(`test.keyed ${n}`);
        if (n === 2) await gate.promise;
      },
    });
    const worker = h.kit.createWorker({ pollIntervalMs: 3_600_000, hostJobs: [plain, keyed], engineJobs: false });
    const turns = async () => {
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    worker.start();
    await counter.firstClaim.promise;
    // Its claim took fewer jobs than it asked for (nothing more was due), and nothing was queued since: no claim.
    let atSuccess = -1;
    const succeeded = new Promise<void>((resolve) =>
      h.kit.events.once('job:succeeded', () => {
        atSuccess = counter.claims;
        resolve();
      }),
    );
    await h.storage.transaction((tx) => enqueueHostJob(tx, plain, { n: 1 }));
    await succeeded;
    await turns();
    expect(counter.claims - atSuccess).toBe(0);
    // A keyed job runs; a second of its key, queued meanwhile, is skipped by the claim its commit wakes.
    await h.storage.transaction((tx) => enqueueHostJob(tx, keyed, { n: 2 }));
    while (!ran.includes('test.keyed 2')) await new Promise((resolve) => setImmediate(resolve));
    const skipping = counter.claims;
    await h.storage.transaction((tx) => enqueueHostJob(tx, keyed, { n: 3 }));
    while (counter.claims === skipping) await new Promise((resolve) => setImmediate(resolve));
    await turns();
    expect(ran).toEqual(['test.plain 1', 'test.keyed 2']);
    // The first settles: the storage tells of the freed key, and the worker (polling once an hour) claims the second.
    const bothDone = new Promise<void>((resolve) =>
      h.kit.events.on('job:succeeded', ({ job }) => void (job.type === 'test.keyed' && ran.length === 3 && resolve())),
    );
    gate.resolve();
    await bothDone;
    await worker.stop();
    expect(ran).toEqual(['test.plain 1', 'test.keyed 2', 'test.keyed 3']);
  });

  it('holding its fill, claims nothing more when told of queued jobs; claims them once jobs settle', async () => {
    const counter = { claims: 0, firstClaim: deferred() };
    const gate = deferred();
    const called = deferred();
    const h = await createHarness({ panels: 0, wrapStorage: countClaims(counter) });
    await h.addPanel({ sleep: () => (called.resolve(), gate.promise), latencyMs: 1, capabilities: { batchCreate: false } });
    const customerId = await h.customer(50_000);
    const order = (key: string) => h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: key });
    for (const key of ['a', 'b']) await order(key);
    const worker = h.worker({ claimLimit: 2, pollIntervalMs: 3_600_000 });
    worker.start();
    await counter.firstClaim.promise;
    await called.promise;
    const held = counter.claims;
    for (const key of ['c', 'd', 'e', 'f', 'g']) await order(key);
    // Every signal has been heard and the loop's wakes run (nothing here waits on I/O).
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(counter.claims).toBe(held);
    let provisioned = 0;
    const all = deferred();
    h.kit.events.on('subscription:provisioned', () => void (++provisioned === 7 && all.resolve()));
    gate.resolve();
    await all.promise;
    await worker.stop();
  });
});
