import { describePanelAdapter } from '@panelkit/sdk/testing';
import { createMarzneshinAdapter } from '../../src/marzneshin/index.js';
import { serveOnLocalhost } from '../../src/simulators/harness/index.js';
import { createMarzneshinSimulator } from '../../src/simulators/marzneshin/index.js';

describePanelAdapter('marzneshin', async ({ clock, logger }) => {
  const sim = createMarzneshinSimulator({ clock, adminUsername: 'owner', adminPassword: 'marzneshin-admin-secret' });
  const server = await serveOnLocalhost(sim.handle);
  const adapter = createMarzneshinAdapter({
    baseUrl: server.origin,
    auth: { username: 'owner', password: 'marzneshin-admin-secret' },
    clock,
    logger,
    timeoutMs: 500,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
  });
  const [target] = await adapter.listTargets({ signal: new AbortController().signal, idempotencyKey: 'setup' });
  return {
    adapter,
    target: target!,
    controls: sim,
    secrets: ['marzneshin-admin-secret'],
    hasSubscriptionUrl: true,
    cleanup: async () => {
      sim.releaseHangs();
      await server.close();
    },
  };
});
