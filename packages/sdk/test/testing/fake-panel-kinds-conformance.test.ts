import type { EntitlementKind } from '../../src/kinds.js';
import type { TargetRef } from '../../src/adapter.js';
import { FakePanelAdapter, describePanelAdapter } from '../../src/testing/index.js';

// The fake with every kind on passes the suite's per-kind cases (and the Xray ones on its VLESS target), so the
// engine's tests of WireGuard and Telegram plans can run on it.
describePanelAdapter('FakePanelAdapter (every kind)', async ({ clock }) => {
  const adapter = new FakePanelAdapter({
    clock,
    timeoutMs: 200,
    kinds: ['xray', 'wireguard', 'amneziawg', 'mtproto'],
    targets: [
      { remoteRef: '1' },
      { remoteRef: 'wg', kinds: ['wireguard'], pool: '10.8.0.0/29' },
      { remoteRef: 'awg', kinds: ['amneziawg'], pool: '10.9.0.0/28', endpoint: '203.0.113.7:51821' },
      { remoteRef: 'mt', kinds: ['mtproto'], fakeTlsDomain: 'cdn.example.org' },
    ],
  });
  const listed = await adapter.listTargets({ signal: new AbortController().signal, idempotencyKey: 'setup' });
  const ref = (remoteRef: string): TargetRef => {
    const { protocol, remoteMeta } = listed.find((t) => t.remoteRef === remoteRef)!;
    return { remoteRef, protocol, remoteMeta };
  };
  const targets: Partial<Record<EntitlementKind, TargetRef>> = { wireguard: ref('wg'), amneziawg: ref('awg'), mtproto: ref('mt') };
  return {
    adapter,
    target: ref('1'),
    targets,
    controls: adapter.controls,
    sessionKind: 'static-token',
    hasSubscriptionUrl: true,
    honoursPreferredAddresses: true,
  };
});
