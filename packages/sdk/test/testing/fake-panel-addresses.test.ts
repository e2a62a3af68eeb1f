import { describe, expect, it } from 'vitest';
import { PanelUnsupportedError } from '../../src/errors.js';
import { FakePanelAdapter, describePanelAdapter } from '../../src/testing/index.js';

const ctx = () => ({ signal: new AbortController().signal, idempotencyKey: 'addresses' });
const TARGET = { remoteRef: '1', protocol: 'vless', remoteMeta: {} };
const BULK = { bulk: true, windowSeconds: 20, liveCounts: false } as const;

// The fake with client addresses declared passes the same cases the real adapters do (bulk, like 3x-ui and Remnawave).
describePanelAdapter('FakePanelAdapter with client addresses', async ({ clock }) => {
  const adapter = new FakePanelAdapter({ clock, timeoutMs: 200, capabilities: { clientAddresses: BULK } });
  return { adapter, target: TARGET, controls: adapter.controls, sessionKind: 'static-token', hasSubscriptionUrl: true };
});

describe('FakePanelAdapter client addresses', () => {
  async function withClient(options: ConstructorParameters<typeof FakePanelAdapter>[0]) {
    const adapter = new FakePanelAdapter(options);
    const [client] = await adapter.createClients(
      TARGET,
      [
        {
          identity: {
            username: 'pkt_a',
            uuid: '6f1c3a52-1f7e-4c1b-9d55-0c2b8f3e1a01',
            password: 'p',
            subId: 's',
            ssKey: 'k',
            generation: 0,
          },
          expiry: { type: 'never' },
          trafficLimitBytes: null,
          deviceLimit: 2,
          enabled: true,
        },
      ],
      ctx(),
    );
    return { adapter, ref: client!.ref };
  }

  it('refuses to read where it declares no client addresses, and a target where it reads one client a call', async () => {
    const plain = await withClient({});
    await expect(plain.adapter.listClientAddresses([plain.ref], ctx())).rejects.toBeInstanceOf(PanelUnsupportedError);
    const perClient = await withClient({ capabilities: { clientAddresses: { ...BULK, bulk: false, liveCounts: true } } });
    await expect(perClient.adapter.listClientAddresses(TARGET, ctx())).rejects.toBeInstanceOf(PanelUnsupportedError);
    perClient.adapter.setClientAddresses('pkt_a', ['198.51.100.7']);
    const [reading] = await perClient.adapter.listClientAddresses([perClient.ref], ctx());
    expect(reading!.addresses).toEqual([{ ip: '198.51.100.7', node: null, lastSeenAt: reading!.at, connections: 1 }]);
    expect(perClient.adapter.calls.listClientAddresses).toBe(2);
  });

  it('forgets a deleted client’s addresses: created again, it reads none', async () => {
    const { adapter, ref } = await withClient({ capabilities: { clientAddresses: BULK } });
    adapter.setClientAddresses('pkt_a', ['198.51.100.7', '203.0.113.40']);
    await adapter.deleteClient(ref, ctx());
    expect((await adapter.listClientAddresses([ref], ctx()))[0]!.addresses).toEqual([]);
    expect(await adapter.listClientAddresses(TARGET, ctx())).toEqual([]);
  });
});
