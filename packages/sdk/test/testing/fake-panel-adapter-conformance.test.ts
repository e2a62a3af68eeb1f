import { describePanelAdapter } from '../../src/testing/index.js';
import { FakePanelAdapter } from '../../src/testing/index.js';

// The fake the engine's tests run on passes the same panel conformance suite as the real adapters.
describePanelAdapter('FakePanelAdapter', async ({ clock }) => {
  const adapter = new FakePanelAdapter({
    clock,
    timeoutMs: 200,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
  });
  return {
    adapter,
    target: { remoteRef: '1', protocol: 'vless', remoteMeta: {} },
    controls: adapter.controls,
    sessionKind: 'static-token',
    hasSubscriptionUrl: true,
  };
});
