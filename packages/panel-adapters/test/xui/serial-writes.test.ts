/** Which 3x-ui panels need their client writes per inbound serialised across replicas (`serialTargetWrites`). */
import { createXuiAdapter } from '@panelkit/panel-adapters';
import { describe, expect, it } from 'vitest';
import { BASE_PATH, ORIGIN, PASSWORD, ctx, rig, spec, useMsw } from './setup.js';

useMsw();

describe('3x-ui serialTargetWrites', () => {
  it('Gen A (rewrites the inbound on every client write) declares it, before and after the probe', async () => {
    const { adapter } = rig({ version: '2.8.x' });
    expect(adapter.capabilities.serialTargetWrites).toBe(true);
    expect(await adapter.generation(ctx())).toBe('A');
    expect(adapter.capabilities.serialTargetWrites).toBe(true);
  });

  it('Gen B (a client table) drops it once the probe has told the generation; a forced Gen B never has it', async () => {
    const probed = rig({ version: '3.6.x' }).adapter;
    // Not known yet: assumed Gen A, the safe side.
    expect(probed.capabilities.serialTargetWrites).toBe(true);
    expect(await probed.generation(ctx())).toBe('B');
    expect(probed.capabilities.serialTargetWrites).toBe(false);
    expect(rig({ version: '3.6.x', adapter: { generation: 'B' } }).adapter.capabilities.serialTargetWrites).toBe(false);
    expect(rig({ version: '2.8.x', adapter: { generation: 'A' } }).adapter.capabilities.serialTargetWrites).toBe(true);
  });

  it('the simulator’s quirks option makes it clobber: two adapters (two locks) writing to one inbound lose a client', async () => {
    const { sim, targets } = rig({ sim: { quirks: { clobberConcurrentWrites: true, writeDelayMs: 30 } } });
    expect(sim.quirks).toMatchObject({ clobberConcurrentWrites: true, writeDelayMs: 30, emptyBodyOnWrite: false });
    const adapter = () =>
      createXuiAdapter({
        baseUrl: `${ORIGIN}${BASE_PATH}`,
        auth: { username: 'admin', password: PASSWORD },
        retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
      });
    const [a, b] = [adapter(), adapter()];
    await Promise.all([a.health(ctx()), b.health(ctx())]);
    const [one, two] = [spec(), spec()];
    await Promise.allSettled([a.createClients(targets.vmess, [one], ctx()), b.createClients(targets.vmess, [two], ctx())]);
    expect([one, two].filter((s) => sim.client(s.identity.username) !== undefined)).toHaveLength(1);
  });
});
