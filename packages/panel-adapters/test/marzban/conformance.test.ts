import { describePanelAdapter } from '@panelkit/sdk/testing';
import { createMarzbanAdapter } from '../../src/marzban/index.js';
import { serveOnLocalhost } from '../../src/simulators/harness/index.js';
import { createMarzbanSimulator } from '../../src/simulators/marzban/index.js';

describePanelAdapter('marzban', async ({ clock, logger }) => {
  const sim = createMarzbanSimulator({ clock, adminUsername: 'owner', adminPassword: 'marzban-admin-secret' });
  const server = await serveOnLocalhost(sim.handle);
  const adapter = createMarzbanAdapter({
    baseUrl: server.origin,
    auth: { username: 'owner', password: 'marzban-admin-secret' },
    clock,
    logger,
    timeoutMs: 500,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
  });
  const targets = await adapter.listTargets({ signal: new AbortController().signal, idempotencyKey: 'setup' });
  const target = targets.find((t) => t.remoteRef === 'VLESS TCP REALITY')!;
  return {
    adapter,
    target,
    controls: sim,
    secrets: ['marzban-admin-secret'],
    hasSubscriptionUrl: true,
    cleanup: async () => {
      sim.releaseHangs();
      await server.close();
    },
  };
});
