import { describe, expect, it } from 'vitest';
import type { UnreadableClient } from '../../src/adapter.js';
import { createPanelkit } from '../../src/index.js';
import type { StoragePort } from '../../src/storage.js';
import { createHarness, IDENTITY, type Harness } from '../engine/harness.js';

const poisoned: UnreadableClient = { username: null, position: 1, after: 'alice', before: null, message: 'panel failed with 500' };

/** A harness with one sold subscription, whose panel answers `unreadable()` in every listing. */
async function poisonedPanel(): Promise<{ h: Harness; unreadable: { now: UnreadableClient[] } }> {
  const h = await createHarness({});
  const customerId = await h.customer(5000);
  await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'b1' });
  await h.worker().drain();
  const fake = h.panels[0]!.fake;
  const unreadable = { now: [poisoned] };
  const list = fake.listClients.bind(fake);
  fake.listClients = async (request, ctx) => ({ ...(await list(request, ctx)), unreadable: unreadable.now });
  return { h, unreadable };
}

async function auditOf(h: Harness) {
  const page = await h.storage.audit.list({ subjectType: 'unreadable_clients' }, { limit: 100 });
  return page.items.map((e) => e.action).reverse();
}

describe('usage sync: a client the panel cannot return', () => {
  it('is reported to the admins as usage:client_unreadable, and the rest of the panel syncs', async () => {
    const { h } = await poisonedPanel();
    const seen: unknown[] = [];
    h.kit.events.on('usage:client_unreadable', (e) => void seen.push(e));
    h.clock.advance(60_000);
    const report = await h.kit.createScheduler().tick();
    expect(report.usage).toMatchObject({ panels: 1, clients: 1, failedPanels: [] });
    expect(seen).toEqual([{ panelId: h.panels[0]!.panel.id, client: poisoned, at: expect.any(Date) }]);
    expect(await auditOf(h)).toEqual(['panel.client_unreadable']);
  });

  it('is announced once until it is readable again, however many ticks see it', async () => {
    const { h, unreadable } = await poisonedPanel();
    const seen: unknown[] = [];
    h.kit.events.on('usage:client_unreadable', (e) => void seen.push(e));
    const scheduler = h.kit.createScheduler();
    for (let i = 0; i < 3; i++) {
      h.clock.advance(60_000);
      await scheduler.tick();
    }
    expect(seen).toHaveLength(1);
    expect(await auditOf(h)).toEqual(['panel.client_unreadable']);

    // Repaired on the panel: recorded as readable, then poisoned again: announced again, once.
    unreadable.now = [];
    h.clock.advance(60_000);
    await scheduler.tick();
    expect(await auditOf(h)).toEqual(['panel.client_unreadable', 'panel.clients_readable']);
    unreadable.now = [poisoned];
    for (let i = 0; i < 2; i++) {
      h.clock.advance(60_000);
      await scheduler.tick();
    }
    expect(seen).toHaveLength(2);
    expect(await auditOf(h)).toEqual(['panel.client_unreadable', 'panel.clients_readable', 'panel.client_unreadable']);
  });

  it('is announced once across replicas: a second kit on the same storage stays quiet', async () => {
    const { h } = await poisonedPanel();
    const other = createPanelkit({
      storage: h.storage,
      clock: h.clock,
      panels: (panel) => h.fakes.get(panel.id)!,
      policy: { identity: IDENTITY },
    });
    const seen: string[] = [];
    h.kit.events.on('usage:client_unreadable', () => void seen.push('first'));
    other.events.on('usage:client_unreadable', () => void seen.push('second'));
    h.clock.advance(60_000);
    await h.kit.createScheduler().tick();
    h.clock.advance(60_000);
    await other.createScheduler().tick();
    expect(seen).toEqual(['first']);
    expect(await auditOf(h)).toEqual(['panel.client_unreadable']);
  });

  it('is announced once when two replicas read the same earlier state (the second one loses the transition)', async () => {
    const { h } = await poisonedPanel();
    // A replica whose read of the recorded state is stale, as one running beside the first can be before it commits.
    const stale: StoragePort = {
      ...h.storage,
      transaction: (fn) =>
        h.storage.transaction((tx) => fn({ ...tx, audit: { ...tx.audit, list: async () => ({ items: [], nextCursor: null }) } })),
    };
    const other = createPanelkit({
      storage: stale,
      clock: h.clock,
      panels: (panel) => h.fakes.get(panel.id)!,
      policy: { identity: IDENTITY },
    });
    const seen: string[] = [];
    h.kit.events.on('usage:client_unreadable', () => void seen.push('first'));
    other.events.on('usage:client_unreadable', () => void seen.push('second'));
    h.clock.advance(60_000);
    await h.kit.createScheduler().tick();
    h.clock.advance(60_000);
    await other.createScheduler().tick();
    expect(seen).toEqual(['first']);
    expect(await auditOf(h)).toEqual(['panel.client_unreadable']);
  });

  it('announces a second poisoned client on its own, and nothing for the first again', async () => {
    const { h, unreadable } = await poisonedPanel();
    const scheduler = h.kit.createScheduler();
    h.clock.advance(60_000);
    await scheduler.tick();
    const second: UnreadableClient = { username: 'bob', position: 4, after: 'carol', before: 'dave', message: 'panel failed with 500' };
    unreadable.now = [poisoned, second];
    const seen: UnreadableClient[] = [];
    h.kit.events.on('usage:client_unreadable', ({ client }) => void seen.push(client));
    h.clock.advance(60_000);
    await scheduler.tick();
    expect(seen).toEqual([second]);
  });
});
