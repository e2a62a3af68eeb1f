import { afterAll, describe, expect, it } from 'vitest';
import { createId, deriveRemoteIdentity } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import type { UsageReading } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { sharedPGlite, storageInFreshSchema } from './helpers.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

async function seedSubscriptions(storage: StoragePort, ids: readonly string[]): Promise<void> {
  const panel = await storage.panels.create({
    id: 'pnl_1',
    kind: 'marzban',
    name: 'p',
    baseUrl: 'https://p.example.com',
    credentials: { type: 'token', token: 't' },
  });
  const target = await storage.targets.create({ id: 'tgt_1', panelId: panel.id, remoteRef: '1', name: 't', protocol: 'vless' });
  const plan = await storage.plans.create({
    id: 'pln_1',
    name: 'plan',
    family: 'f',
    price: { amount: 1, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
  });
  const customer = await storage.customers.create({ id: 'cus_1', email: 'c@example.com' });
  for (const id of ids) {
    await storage.subscriptions.create({
      id,
      customerId: customer.id,
      orderId: null,
      planId: plan.id,
      panelId: panel.id,
      targetId: target.id,
      remote: deriveRemoteIdentity(id, 0, { secret: 'usage-bulk-secret-0123' }),
      trafficLimitBytes: null,
      expiresAt: null,
      durationDays: 30,
      startOnFirstUse: false,
    });
  }
}

/** A small deterministic generator, so a failure replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('recordUsage in bulk', () => {
  it('gives the same results as the memory storage, reading by reading, on pages with repeats, stale and unknown readings', async () => {
    const clock = new ManualClock();
    const memory = createMemoryStorage({ clock });
    const { storage: postgres, cleanup } = await storageInFreshSchema(await pglite.client(), clock);
    const ids = Array.from({ length: 12 }, () => createId('sub'));
    await seedSubscriptions(memory, ids);
    await seedSubscriptions(postgres, ids);
    const next = random(7);
    const base = clock.now().getTime();
    for (let page = 0; page < 15; page++) {
      // Times repeat and go backwards within a page; some ids are unknown.
      const readings: UsageReading[] = Array.from({ length: 30 }, () => ({
        subscriptionId: next() < 0.1 ? 'sub_unknown' : ids[Math.floor(next() * ids.length)]!,
        usedBytes: Math.floor(next() * 1e9),
        observedAt: new Date(base + Math.floor(next() * 40) * 1000 + page * 15_000),
      }));
      expect(await postgres.subscriptions.recordUsage(readings)).toEqual(await memory.subscriptions.recordUsage(readings));
    }
    for (const id of ids) {
      const [m, p] = [await memory.subscriptions.get(id), await postgres.subscriptions.get(id)];
      expect({ usedBytes: p?.usedBytes, at: p?.usageObservedAt, revision: p?.revision }).toEqual({
        usedBytes: m?.usedBytes,
        at: m?.usageObservedAt,
        revision: m?.revision,
      });
    }
    await cleanup();
  });
});
