/** 3x-ui's recorded client IPs (v3.4.1+): two calls a panel, `null` where nothing was recorded, `[]` offline. */
import { PanelUnsupportedError } from '@panelkit/sdk';
import { describe, expect, it } from 'vitest';
import { ClientIpsSchema, xuiReadings } from '../../src/xui/client-addresses.js';
import { calls, ctx, rig, spec, useMsw } from './setup.js';

useMsw();

const AT = new Date('2026-01-01T00:00:00Z');

describe('3x-ui client addresses', () => {
  it('reads a whole inbound in two calls, with when each address was seen', async () => {
    const { sim, adapter, targets, clock } = rig({ version: '3.6.x' });
    const [a, b] = await adapter.createClients(targets.vless, [spec(), spec()], ctx());
    await sim.setClientAddresses(a!.ref.username, ['198.51.100.7', '203.0.113.40']);
    clock.advance(10_000);
    sim.resetRequestCounts();
    const readings = await adapter.listClientAddresses(targets.vless, ctx());
    expect(calls(sim, 'GET /panel/api/server/clientIps') + calls(sim, 'POST /panel/api/clients/onlines')).toBe(2);
    const first = readings.find((r) => r.username === a!.ref.username)!;
    expect(first.addresses!.map((x) => x.ip).sort()).toEqual(['198.51.100.7', '203.0.113.40']);
    expect(first.addresses![0]!.lastSeenAt).toEqual(new Date(Math.floor(clock.now().getTime() / 1000) * 1000));
    expect(readings.find((r) => r.username === b!.ref.username)!.addresses).toEqual([]);
  });

  it('reads null for an online client with no record (fail2ban off), and [] once it went offline', async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x' });
    const [a] = await adapter.createClients(targets.vless, [spec()], ctx());
    await sim.silenceClientAddresses(true);
    await sim.setClientAddresses(a!.ref.username, ['198.51.100.7']);
    expect((await adapter.listClientAddresses([a!.ref], ctx()))[0]!.addresses).toBeNull();
    await sim.setClientAddresses(a!.ref.username, []);
    expect((await adapter.listClientAddresses([a!.ref], ctx()))[0]!.addresses).toEqual([]);
  });

  it('withdraws the capability on a panel before v3.4.1, and refuses the read there', async () => {
    const { adapter, targets } = rig({ version: '3.4.0' });
    expect(adapter.capabilities.clientAddresses).toBeDefined();
    await expect(adapter.listClientAddresses(targets.vless, ctx())).rejects.toBeInstanceOf(PanelUnsupportedError);
    expect(adapter.capabilities.clientAddresses).toBeUndefined();
  });

  it('declares nothing on Gen A panels once probed', async () => {
    const { adapter, targets } = rig({ version: '2.8.x' });
    await adapter.listTargets(ctx());
    expect(adapter.capabilities.clientAddresses).toBeUndefined();
    await expect(adapter.listClientAddresses(targets.vless, ctx())).rejects.toBeInstanceOf(PanelUnsupportedError);
  });

  it('takes a row whose ips the panel gives as a string holding JSON, and one that is no JSON as empty', () => {
    const rows = ClientIpsSchema.parse([
      { clientEmail: 'Alice', ips: '[{"ip":"198.51.100.7","timestamp":1767225600}]' },
      { clientEmail: 'bob', ips: 'garbage' },
      { clientEmail: 'carol', ips: null },
    ]);
    const [alice, bob, carol, dave] = xuiReadings(['alice', 'bob', 'carol', 'dave'], rows, ['ALICE', 'bob', 'carol'], AT);
    expect(alice!.addresses).toEqual([{ ip: '198.51.100.7', node: null, lastSeenAt: new Date(1767225600_000), connections: null }]);
    expect(bob!.addresses).toBeNull();
    expect(carol!.addresses).toBeNull();
    expect(dave!.addresses).toEqual([]);
  });
});
