/** Which 3x-ui panels need their client writes per inbound serialised across replicas (`serialTargetWrites`). */
import { describe, expect, it } from 'vitest';
import { ctx, rig, useMsw } from './setup.js';

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
});
