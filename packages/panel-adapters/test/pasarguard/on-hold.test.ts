import { describe, expect, it } from 'vitest';
import { DAY } from '../support/msw.js';
import { ALL_GROUP, ctx, setup, spec, useMsw } from './setup.js';

useMsw();

const WAIT = { type: 'after_first_use', durationMs: 30 * DAY } as const;

async function onHoldClient(name: string) {
  const { adapter, sim, clock } = setup();
  const [client] = await adapter.createClients(ALL_GROUP, [spec(name, clock, { expiry: WAIT })], ctx());
  expect(sim.user(client!.ref.username)!.status).toBe('on_hold');
  return { adapter, sim, ref: client!.ref };
}

describe('pasarguard: a client waiting for its first use keeps waiting', () => {
  it('a traffic limit change leaves it on hold with its wait, never active without an expiry', async () => {
    const { adapter, sim, ref } = await onHoldClient('pg-hold-traffic');
    const after = await adapter.updateClient(ref, { trafficLimitBytes: 20 * 2 ** 30 }, ctx());
    expect(after).toMatchObject({ panelStatus: 'on_hold', expiry: WAIT, trafficLimitBytes: 20 * 2 ** 30 });
    expect(sim.user(ref.username)).toMatchObject({ status: 'on_hold', expire: null, onHoldExpireDuration: 30 * 86_400 });
  });

  it('a device limit change leaves it on hold', async () => {
    const { adapter, sim, ref } = await onHoldClient('pg-hold-devices');
    const after = await adapter.updateClient(ref, { deviceLimit: 2 }, ctx());
    expect(after).toMatchObject({ panelStatus: 'on_hold', expiry: WAIT, deviceLimit: 2 });
    expect(sim.user(ref.username)).toMatchObject({ status: 'on_hold', expire: null, hwidLimit: 2 });
  });

  it('disabled then enabled, it goes back on hold with its wait', async () => {
    const { adapter, sim, ref } = await onHoldClient('pg-hold-toggle');
    const off = await adapter.updateClient(ref, { enabled: false }, ctx());
    expect(off).toMatchObject({ enabled: false, panelStatus: 'disabled', expiry: WAIT });
    const on = await adapter.updateClient(ref, { enabled: true }, ctx());
    expect(on).toMatchObject({ enabled: true, panelStatus: 'on_hold', expiry: WAIT });
    expect(sim.user(ref.username)).toMatchObject({ status: 'on_hold', expire: null, onHoldExpireDuration: 30 * 86_400 });
  });

  it('enabled with a limit change in the same patch, it still goes back on hold', async () => {
    const { adapter, sim, ref } = await onHoldClient('pg-hold-both');
    await adapter.updateClient(ref, { enabled: false }, ctx());
    const on = await adapter.updateClient(ref, { enabled: true, trafficLimitBytes: 2 ** 30 }, ctx());
    expect(on).toMatchObject({ panelStatus: 'on_hold', expiry: WAIT });
    expect(sim.user(ref.username)!.status).toBe('on_hold');
  });
});

describe('pasarguard: a reset keeps the admin’s next plan', () => {
  it('the panel’s reset deletes next_plan; the adapter puts it back', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(ALL_GROUP, [spec('pg-reset-plan', clock)], ctx());
    const plan = { user_template_id: null, data_limit: 5 * 2 ** 30, expire: 86_400, add_remaining_traffic: true };
    sim.user(client!.ref.username)!.nextPlan = plan;
    await sim.addTraffic(client!.ref.username, 10, 20);
    await adapter.resetUsage(client!.ref, ctx());
    expect(sim.user(client!.ref.username)).toMatchObject({ usedTraffic: 0, nextPlan: plan });
  });
});
