import { describe, expect, it } from 'vitest';
import type { UnreadableClient } from '../../src/adapter.js';
import { createHarness } from '../engine/harness.js';

describe('usage sync: a client the panel cannot return', () => {
  it('is reported to the admins as usage:client_unreadable, and the rest of the panel syncs', async () => {
    const h = await createHarness({});
    const customerId = await h.customer(5000);
    await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'b1' });
    await h.worker().drain();
    const fake = h.panels[0]!.fake;
    const poisoned: UnreadableClient = { username: null, position: 1, after: 'alice', before: null, message: 'panel failed with 500' };
    const list = fake.listClients.bind(fake);
    fake.listClients = async (request, ctx) => ({ ...(await list(request, ctx)), unreadable: [poisoned] });
    const seen: unknown[] = [];
    h.kit.events.on('usage:client_unreadable', (e) => void seen.push(e));
    h.clock.advance(60_000);
    const report = await h.kit.createScheduler().tick();
    expect(report.usage).toMatchObject({ panels: 1, clients: 1, failedPanels: [] });
    expect(seen).toEqual([{ panelId: h.panels[0]!.panel.id, client: poisoned, at: expect.any(Date) }]);
  });
});
