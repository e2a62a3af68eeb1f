/** health(): one real call after the probe; old panels' status route; failures reported, not thrown. */
import { describe, expect, it } from 'vitest';
import { calls, ctx, rig, useMsw } from './setup.js';

useMsw();

describe('3x-ui health', () => {
  it('reports ok and, on v3, the panel version', async () => {
    const { adapter } = rig({ version: '3.6.0' });
    expect(await adapter.health(ctx())).toMatchObject({ ok: true, version: '3.6.0', message: null });
  });

  it('falls back to POST server/status before v2.7', async () => {
    const { sim, adapter } = rig({ version: '2.4.0' });
    expect((await adapter.health(ctx())).ok).toBe(true);
    expect(calls(sim, 'POST /server/status')).toBe(1);
  });

  it('reports bad credentials instead of throwing, without the password', async () => {
    const { adapter } = rig({ adapter: { auth: { username: 'admin', password: 'definitely-wrong-pw' } } });
    const report = await adapter.health(ctx());
    expect(report.ok).toBe(false);
    expect(report.message).toMatch(/refused/);
    expect(JSON.stringify(report)).not.toContain('definitely-wrong-pw');
  });
});
