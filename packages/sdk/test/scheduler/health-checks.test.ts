import { describe, expect, it } from 'vitest';
import { createHarness } from '../engine/harness.js';

const MINUTE = 60_000;

describe('scheduler: panel health', () => {
  it('checks every panel every 5 minutes, and a failing or unhealthy one every minute, so outage and recovery are seen within minutes', async () => {
    // A failed check is retried within the call on real time (4 attempts under the default policy, all counted below);
    // the default 250 ms backoff spent 8 s of this test waiting.
    const h = await createHarness({ panels: 2, policy: { panelReadRetry: { baseDelayMs: 1, maxDelayMs: 1 } } });
    const [sick, well] = h.panels as [(typeof h.panels)[0], (typeof h.panels)[0]];
    const schedulers = [h.kit.createScheduler(), h.kit.createScheduler()];
    // Replicas tick every 20 s: each 1-minute slot has one winner.
    const tickFor = async (ms: number) => {
      for (let t = 0; t < ms; t += 20_000) {
        h.clock.advance(20_000);
        await Promise.all(schedulers.map((s) => s.tick()));
      }
    };
    const status = async (id: string) => (await h.storage.panels.get(id))!.health.status;
    await tickFor(5 * MINUTE);
    expect(await status(sick.panel.id)).toBe('healthy');
    const wellChecks = well.fake.calls.health;

    sick.fake.setDown(true);
    const downAt = h.clock.now().getTime();
    let unhealthyAt: number | undefined;
    h.kit.events.on('panel:unhealthy', (e) => void (unhealthyAt = e.at.getTime()));
    await tickFor(10 * MINUTE);
    // The next full check sees the first failure (within 5 minutes); the next minute's check the second.
    expect(unhealthyAt).toBeDefined();
    expect(unhealthyAt! - downAt).toBeLessThanOrEqual(6 * MINUTE);
    // The unhealthy panel is checked every minute; the healthy one only on the 5-minute slot.
    expect(sick.fake.calls.health - wellChecks).toBeGreaterThanOrEqual(5);
    expect(well.fake.calls.health - wellChecks).toBe(2);

    sick.fake.setDown(false);
    const upAt = h.clock.now().getTime();
    let recoveredAt: number | undefined;
    h.kit.events.on('panel:recovered', (e) => void (recoveredAt = e.at.getTime()));
    await tickFor(2 * MINUTE);
    expect(recoveredAt).toBeDefined();
    expect(recoveredAt! - upAt).toBeLessThanOrEqual(MINUTE);
  });
});
