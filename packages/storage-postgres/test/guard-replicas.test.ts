import { afterAll, describe, expect, it } from 'vitest';
import { createPanelkit } from '@panelkit/sdk';
import type { Clock, Panelkit } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage } from '../src/index.js';
import { SKIP_REAL_SERVER, fromPgPool, newPool, storageInFreshSchema } from './helpers.js';

const HOUR = 3_600_000;
const ADMIN = { type: 'admin' as const, id: 'staff-1' };

/**
 * Two kits on one PostgreSQL schema, each with its own connection pool (as two replicas of a shop; in one OS process):
 * both evaluate the same readings at once, and each step is taken once, with one audit event and one `guard.act` job.
 */
describe.skipIf(SKIP_REAL_SERVER)('guard across replicas (PostgreSQL server)', () => {
  const pools = [newPool(4), newPool(4)];
  afterAll(async () => {
    for (const pool of pools) await pool.end();
  });

  it('warn, limit and lift happen once per step when two kits evaluate the same readings', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const first = await storageInFreshSchema(fromPgPool(pools[0]!), clock);
    const second = createPostgresStorage({ client: fromPgPool(pools[1]!), schema: first.schema, clock });
    const fakes = new Map<string, FakePanelAdapter>();
    const kitOn = (storage: StoragePort): Panelkit =>
      createPanelkit({
        storage,
        clock: clock as Clock,
        panels: (panel) => fakes.get(panel.id)!,
        policy: { identity: { secret: 'guard-replicas-secret-0123456789', prefix: 'pk' } },
        random: () => 0.5,
      });
    const kits = [kitOn(first.storage), kitOn(second)];
    try {
      const storage = first.storage;
      const panel = await storage.panels.create({
        kind: 'fake',
        name: 'p',
        baseUrl: 'https://p.example.com/',
        credentials: { type: 'token', token: 't' },
        locationTags: ['de'],
      });
      fakes.set(panel.id, new FakePanelAdapter({ clock }));
      await storage.targets.create({
        panelId: panel.id,
        remoteRef: '1',
        name: 'vless',
        protocol: 'vless',
        capacity: null,
        isDefault: true,
      });
      const plan = await storage.plans.create({
        name: 'plan',
        family: 'standard',
        price: { amount: 1000, currency: 'USD' },
        durationDays: 30,
        trafficBytes: 2 ** 30,
      });
      const customer = await storage.customers.create({ email: 'g@example.com' });
      await kits[0]!.topUp({ customerId: customer.id, amount: { amount: 5000, currency: 'USD' }, idempotencyKey: 'seed' });
      const { subscriptions } = await kits[0]!.checkout({ customerId: customer.id, items: [{ planId: plan.id }], idempotencyKey: 'buy' });
      await kits[0]!.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain();
      const id = subscriptions[0]!.id;
      expect(
        await kits[1]!.guard.setPolicy(
          {
            enabled: true,
            steps: [
              { step: 'warn', graceHours: 1 },
              { step: 'limit', graceHours: 24 },
            ],
          },
          ADMIN,
        ),
      ).toMatchObject({ saved: true });

      const readHourly = async (hours: number) => {
        for (let i = 0; i < hours; i++) {
          clock.advance(HOUR);
          await storage.guard.recordReadings([{ subscriptionId: id, at: clock.now(), prefixes: 9, over: true }], 24);
        }
      };
      const bothEvaluate = async () => {
        const reports = await Promise.all(kits.map((k) => k.guard.evaluateNow()));
        return reports.reduce((n, r) => n + r.stepped + r.lifted, 0);
      };
      await readHourly(4);
      expect(await bothEvaluate()).toBe(1);
      await readHourly(4);
      expect(await bothEvaluate()).toBe(1);
      const lifts = await Promise.all(kits.map((k) => k.guard.lift({ subscriptionId: id, actor: ADMIN, note: 'family' })));
      expect(lifts.filter((l) => l.lifted)).toHaveLength(1);
      await Promise.all(kits.map((k) => k.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain()));

      const events = (await storage.audit.list({ subjectType: 'subscription', subjectId: id }, { limit: 100 })).items.map((e) => e.action);
      expect(events.filter((a) => a.startsWith('guard.')).sort()).toEqual(['guard.lifted', 'guard.limited', 'guard.warned']);
      const acts = (await storage.jobs.list({ type: 'guard.act' }, { limit: 20 })).items;
      expect(acts.map((j) => [j.dedupeKey, j.state]).sort()).toEqual([
        [`guard:${id}:1`, 'succeeded'],
        [`guard:${id}:2`, 'succeeded'],
        [`guard:${id}:3`, 'succeeded'],
      ]);
      expect((await storage.subscriptions.get(id))!.deviceLimit).toBeNull();
    } finally {
      await second.close();
      await first.cleanup();
    }
  });
});
