/** PasarGuard's live IPs per user (v5.0+): one call a user, per node with connection counts, `null` when no node reports. */
import { PanelUnsupportedError } from '@panelkit/sdk';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { pasarGuardReading } from '../../src/pasarguard/client-addresses.js';
import { PasarGuardOnlineIps } from '../../src/simulators/pasarguard/online-ips.js';
import { server } from '../support/msw.js';
import { ALL_GROUP, ORIGIN, ctx, setup, spec, useMsw } from './setup.js';

useMsw();

const AT = new Date('2026-01-01T00:00:00Z');

describe('PasarGuard client addresses', () => {
  it('reads each node that reports the user, with its connection counts, one call a user', async () => {
    const { sim, adapter, clock } = setup();
    const [a] = await adapter.createClients(ALL_GROUP, [spec('pg-addr-a', clock)], ctx());
    sim.onlineIps.connect(Number(a!.ref.remoteClientId), ['198.51.100.7']);
    const [reading] = await adapter.listClientAddresses([a!.ref], ctx());
    expect(reading!.addresses).toEqual([{ ip: '198.51.100.7', node: '1', lastSeenAt: null, connections: 1 }]);
  });

  it('answers as the panel does: down nodes and nodes without the user are left out', () => {
    const ips = new PasarGuardOnlineIps([1, 2]);
    ips.connect(7, ['198.51.100.7', '203.0.113.40'], 1);
    ips.connect(7, ['2001:db8::1'], 2);
    ips.setNodeDown(2, true);
    expect(ips.answer(7)).toEqual({ nodes: { '1': { ips: { '198.51.100.7': 1, '203.0.113.40': 1 } } } });
    expect(ips.answer(8)).toEqual({ nodes: {} });
  });

  it('names a node that answered null as silent, and reads null when no node reports the user', () => {
    const partial = pasarGuardReading('a', { nodes: { '1': { ips: { '198.51.100.7': 3 } }, '2': null } }, AT);
    expect(partial).toEqual({
      username: 'a',
      at: AT,
      addresses: [{ ip: '198.51.100.7', node: '1', lastSeenAt: null, connections: 3 }],
      silentNodes: ['2'],
    });
    expect(pasarGuardReading('a', { nodes: { '2': null } }, AT).addresses).toBeNull();
    expect(pasarGuardReading('a', { nodes: {} }, AT).addresses).toBeNull();
  });

  it('withdraws the capability on a panel without the route (before v5.0)', async () => {
    const { adapter, clock } = setup();
    const [a] = await adapter.createClients(ALL_GROUP, [spec('pg-addr-b', clock)], ctx());
    server.use(http.get(`${ORIGIN}/api/node/online_stats/:id/ip`, () => HttpResponse.json({ detail: 'Not Found' }, { status: 404 })));
    await expect(adapter.listClientAddresses([a!.ref], ctx())).rejects.toBeInstanceOf(PanelUnsupportedError);
    expect(adapter.capabilities.clientAddresses).toBeUndefined();
  });
});
