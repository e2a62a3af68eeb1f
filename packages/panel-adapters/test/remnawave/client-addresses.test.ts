/** Remnawave's live connections: a job a node, polled; a failed node is silent; every node failed reads null. */
import { describe, expect, it } from 'vitest';
import { createRemnawaveAdapter } from '../../src/remnawave/index.js';
import { remnawaveReadings } from '../../src/remnawave/connections.js';
import { serveOnLocalhost } from '../../src/simulators/harness/index.js';
import { createRemnawaveSimulator } from '../../src/simulators/remnawave/index.js';
import { deriveRemoteIdentity } from '@panelkit/sdk';
import type { ClientSpec } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/testing';

const TOKEN = 'remnawave-addresses-api-token';
const ctx = () => ({ signal: AbortSignal.timeout(10_000), idempotencyKey: 'addresses' });
const AT = new Date('2026-01-01T00:00:00Z');

function spec(name: string, clock: ManualClock): ClientSpec {
  return {
    identity: deriveRemoteIdentity(name, 0, { secret: 'remnawave-addresses-secret' }),
    expiry: { type: 'at', at: new Date(clock.now().getTime() + 30 * 86_400_000) },
    trafficLimitBytes: null,
    deviceLimit: 2,
    enabled: true,
  };
}

describe('Remnawave client addresses', () => {
  it('reads the squad in one job a node: addresses from the answering node, the failed one named silent', async () => {
    const clock = new ManualClock(AT);
    const sim = createRemnawaveSimulator({ clock, apiToken: TOKEN });
    sim.connections.nodes.push({ uuid: '0c9e8d7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f', name: 'Helsinki', isDisabled: false, down: true });
    sim.connections.nodes.push({ uuid: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d', name: 'Retired', isDisabled: true, down: true });
    const server = await serveOnLocalhost(sim.handle);
    try {
      const adapter = createRemnawaveAdapter({ baseUrl: server.origin, auth: { token: TOKEN } });
      const target = (await adapter.listTargets(ctx())).find((t) => t.name === 'Default-Squad')!;
      const [a, b] = await adapter.createClients(target, [spec('rw-addr-a', clock), spec('rw-addr-b', clock)], ctx());
      await sim.setClientAddresses(a!.ref.username, ['198.51.100.7']);
      const readings = await adapter.listClientAddresses(target, ctx());
      const first = readings.find((r) => r.username === a!.ref.username)!;
      expect(first.addresses).toEqual([{ ip: '198.51.100.7', node: sim.connections.nodes[0]!.uuid, lastSeenAt: AT, connections: null }]);
      expect(first.silentNodes).toEqual(['0c9e8d7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f']);
      expect(readings.find((r) => r.username === b!.ref.username)!.addresses).toEqual([]);
    } finally {
      sim.releaseHangs();
      await server.close();
    }
  });

  it('reads null with no answering node, and [] for a user not on the panel', () => {
    const users = [
      { username: 'a', id: 1 },
      { username: 'ghost', id: null },
    ];
    const [a, ghost] = remnawaveReadings(users, [{ node: 'n1', users: null }], AT);
    expect(a!.addresses).toBeNull();
    expect(ghost!.addresses).toEqual([]);
    expect(remnawaveReadings(users, [], AT)[0]!.addresses).toBeNull();
  });
});
