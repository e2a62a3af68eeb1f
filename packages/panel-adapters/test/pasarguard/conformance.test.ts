import { describePanelAdapter } from '@panelkit/sdk/testing';
import { createPasarGuardAdapter } from '../../src/pasarguard/index.js';
import { serveOnLocalhost } from '../../src/simulators/harness/index.js';
import { createPasarGuardSimulator } from '../../src/simulators/pasarguard/index.js';
import { wireGuardOptions } from './wireguard-setup.js';

const ctx = () => ({ signal: new AbortController().signal, idempotencyKey: 'setup' });

describePanelAdapter('pasarguard', async ({ clock, logger }) => {
  const sim = createPasarGuardSimulator({ clock, adminUsername: 'owner', adminPassword: 'pasarguard-admin-secret', ...wireGuardOptions() });
  const server = await serveOnLocalhost(sim.handle);
  const adapter = createPasarGuardAdapter({
    baseUrl: server.origin,
    auth: { username: 'owner', password: 'pasarguard-admin-secret' },
    clock,
    logger,
    timeoutMs: 500,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
  });
  const targets = await adapter.listTargets(ctx());
  return {
    adapter,
    target: targets.find((t) => t.name === 'All inbounds')!,
    targets: { wireguard: targets.find((t) => t.name === 'WireGuard')! },
    controls: sim,
    secrets: ['pasarguard-admin-secret'],
    hasSubscriptionUrl: true,
    cleanup: async () => {
      sim.releaseHangs();
      await server.close();
    },
  };
});

const API_KEY = 'pg_key_6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

describePanelAdapter('pasarguard (API key)', async ({ clock, logger }) => {
  const sim = createPasarGuardSimulator({
    clock,
    adminUsername: 'owner',
    adminPassword: 'pasarguard-admin-secret',
    apiKeys: [API_KEY],
    ...wireGuardOptions(),
  });
  const server = await serveOnLocalhost(sim.handle);
  const adapter = createPasarGuardAdapter({
    baseUrl: server.origin,
    auth: { apiKey: API_KEY },
    clock,
    logger,
    timeoutMs: 500,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
  });
  const wireguard = (await adapter.listTargets(ctx())).find((t) => t.name === 'WireGuard')!;
  return {
    adapter,
    target: { remoteRef: '1', protocol: 'mixed', remoteMeta: { groupId: 1 } },
    targets: { wireguard },
    controls: sim,
    secrets: [API_KEY],
    sessionKind: 'static-token',
    hasSubscriptionUrl: true,
    cleanup: async () => {
      sim.releaseHangs();
      await server.close();
    },
  };
});
