import { describe, expect, it } from 'vitest';
import type { ClientAddressesCapability } from '../../src/ports/panel.js';
import { createHarness, type Harness } from './harness.js';

const MINUTE = 60_000;
const ADMIN = { type: 'admin' as const, id: 'staff-1' };
const BULK: ClientAddressesCapability = { bulk: true, windowSeconds: 1800, liveCounts: false };

const app = (hwid: string | null) => ({ hwid, platform: 'android', userAgent: 'v2rayNG/1.9' });

async function readCycle(h: Harness): Promise<void> {
  h.clock.advance(10 * MINUTE);
  await h.kit.createScheduler({ usageSync: false }).tick();
  await h.worker().drain();
}

describe('the link under the guard', () => {
  it('refuses an extra device and an app without an id while the case is at limit, and serves both after a staff lift', async () => {
    // A plan without a device limit, serving apps without an id: the guard's limit gives it `limitDevices` (2).
    const h = await createHarness({ panel: { capabilities: { clientAddresses: BULK } }, policy: { guardReadIntervalMs: 10 * MINUTE } });
    const customerId = await h.customer(5000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
    await h.worker().drain();
    const sub = (await h.storage.subscriptions.get(subscriptions[0]!.id))!;
    await h.kit.guard.setPolicy({ enabled: true, limitDevices: 2, steps: [{ step: 'limit', graceHours: 24 }] }, ADMIN);
    expect(await h.kit.devices.touch(sub.id, app('phone'))).toMatchObject({ served: true, outcome: 'registered' });
    expect(await h.kit.devices.touch(sub.id, app('laptop'))).toMatchObject({ served: true, outcome: 'registered' });
    expect(await h.kit.devices.touch(sub.id, app(null))).toMatchObject({ served: true, outcome: 'uncounted' });

    h.panels[0]!.fake.setClientAddresses(
      sub.remote.username,
      Array.from({ length: 8 }, (_, i) => `10.0.${i}.1`),
    );
    for (let i = 0; i < 30 && (await h.kit.guard.cases({ step: 'limit' })).items.length === 0; i++) await readCycle(h);
    expect((await h.kit.guard.cases({ step: 'limit' })).items).toHaveLength(1);
    expect((await h.storage.subscriptions.get(sub.id))!.deviceLimit).toBe(2);
    expect(await h.kit.devices.touch(sub.id, app('tablet'))).toMatchObject({ served: false, reason: 'limit_reached' });
    expect(await h.kit.devices.touch(sub.id, app(null))).toMatchObject({ served: false, reason: 'hwid_required' });
    expect(await h.kit.devices.touch(sub.id, app('phone'))).toMatchObject({ served: true, outcome: 'refreshed' });

    expect(await h.kit.guard.lift({ subscriptionId: sub.id, actor: ADMIN, note: 'one household' })).toMatchObject({ lifted: true });
    await h.worker().drain();
    expect(await h.kit.devices.touch(sub.id, app('tablet'))).toMatchObject({ served: true, outcome: 'registered' });
    expect(await h.kit.devices.touch(sub.id, app(null))).toMatchObject({ served: true, outcome: 'uncounted' });
  });
});
