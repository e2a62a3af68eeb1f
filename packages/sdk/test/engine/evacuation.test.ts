import { describe, expect, it } from 'vitest';
import { JOB_TYPES, NotFoundError, PanelRejectedError, ValidationError } from '../../src/index.js';
import { createHarness } from './harness.js';

async function setup() {
  const h = await createHarness({ panels: 2 });
  const [home, away] = h.panels as [(typeof h.panels)[number], (typeof h.panels)[number]];
  const plan = await h.addPlan({ placement: { preferredTargetIds: [home.target.id] } });
  const customerId = await h.customer(10_000);
  const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: plan.id, quantity: 2 }], idempotencyKey: 'buy' });
  await h.worker().drain();
  return { h, home, away, plan, ids: subscriptions.map((s) => s.id) };
}

describe('kit.evacuate', () => {
  it('a move that fails for good gives the new slot back and takes the old one again; a later evacuation moves it', async () => {
    const { h, home, away, ids } = await setup();
    const [first] = ids as [string, string];
    const before = (await h.storage.subscriptions.get(first))!;
    away.fake.failNext('createClients', () => new PanelRejectedError('no', { panelKind: 'fake' }), 1);
    expect((await h.kit.evacuate({ panelId: home.panel.id })).counts).toMatchObject({ queued: 2 });
    expect(await h.storage.targets.get(home.target.id)).toMatchObject({ allocated: 0 });
    expect(await h.storage.targets.get(away.target.id)).toMatchObject({ allocated: 2 });
    await h.worker().drain();
    // One move died: its subscription stays home, with its client and its slot; the other moved.
    const moved = await Promise.all(ids.map(async (id) => (await h.storage.subscriptions.get(id))!));
    const stayed = moved.filter((s) => s.targetId === home.target.id);
    expect(stayed).toHaveLength(1);
    expect(stayed[0]).toMatchObject({ status: 'active', remote: { generation: 0 } });
    expect(home.fake.client(stayed[0]!.remote.username)).toBeDefined();
    expect(await h.storage.targets.get(home.target.id)).toMatchObject({ allocated: 1 });
    expect(await h.storage.targets.get(away.target.id)).toMatchObject({ allocated: 1 });
    expect(await h.kit.evacuationProgress(home.panel.id)).toEqual({ remaining: 1, moving: 0, staying: 0 });
    // Run again: only the one left is queued, and it moves.
    expect((await h.kit.evacuate({ panelId: home.panel.id })).counts).toMatchObject({ queued: 1 });
    await h.worker().drain();
    await h.worker().drain();
    for (const id of ids) {
      const sub = (await h.storage.subscriptions.get(id))!;
      expect(sub.targetId).toBe(away.target.id);
      expect(sub.expiresAt?.getTime()).toBe(before.expiresAt?.getTime());
      expect(away.fake.client(sub.remote.username)).toBeDefined();
      expect(home.fake.client(sub.remote.username)).toBeUndefined();
    }
    expect(await h.storage.targets.get(home.target.id)).toMatchObject({ allocated: 0 });
    expect(await h.storage.targets.get(away.target.id)).toMatchObject({ allocated: 2 });
  });

  it('leaves suspended subscriptions where they are, and refuses a target of another panel or an unknown panel', async () => {
    const { h, home, away, ids } = await setup();
    await h.kit.suspend({ subscriptionId: ids[0]!, reason: 'test' });
    const dry = await h.kit.evacuate({ panelId: home.panel.id, dryRun: true });
    expect(dry.items.map((i) => i.outcome).sort()).toEqual(['not_movable', 'would_move']);
    expect(dry.items.find((i) => i.outcome === 'would_move')?.toTargetId).toBe(away.target.id);
    await expect(h.kit.evacuate({ panelId: home.panel.id, targetId: away.target.id })).rejects.toBeInstanceOf(ValidationError);
    await expect(h.kit.evacuate({ panelId: 'pnl_nope' })).rejects.toBeInstanceOf(NotFoundError);
    expect((await h.storage.jobs.list({ state: 'queued', type: JOB_TYPES.update }, { limit: 10 })).items).toHaveLength(0);
  });
});
