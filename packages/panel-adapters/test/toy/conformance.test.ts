import { describePanelAdapter } from '@panelkit/sdk/testing';
import { serveOnLocalhost } from '../../src/simulators/harness/index.js';
import { createToyAdapter } from './toy-adapter.js';
import { ToyPanel } from './toy-panel.js';

const PASSWORD = 'toy-panel-admin-password-7c1e';

/** An adapter that is nothing but a panel's calls, on `defineHttpPanelAdapter`, passes the whole conformance suite. */
describePanelAdapter('toy panel (defineHttpPanelAdapter)', async ({ clock, logger }) => {
  const panel = new ToyPanel(clock, PASSWORD);
  const server = await serveOnLocalhost(panel.handle);
  const adapter = createToyAdapter({
    baseUrl: server.origin,
    password: PASSWORD,
    logger,
    timeoutMs: 500,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
  });
  const targets = await adapter.listTargets({ signal: new AbortController().signal, idempotencyKey: 'setup' });
  return {
    adapter,
    target: targets.find((target) => target.protocol === 'vless')!,
    controls: panel,
    secrets: [PASSWORD],
    hasSubscriptionUrl: true,
    cleanup: async () => {
      panel.releaseHangs();
      await server.close();
    },
  };
});
