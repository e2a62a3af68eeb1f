import { describePanelAdapter } from '@panelkit/sdk/testing';
import { serveOnLocalhost } from '../../src/simulators/harness/index.js';
import { createSuiSimulator } from '../../src/simulators/sui/index.js';
import { createSuiAdapter } from '../../src/sui/index.js';

const TOKEN = 'sui-conformance-token-5f0c9d2ab4e1';

/**
 * The current panel (v1.5.1), v1.4.2 (list rows without `createdAt`, `addbulk` by the first
 * client's inbounds) and v1.3.6 (no start on first use: the version is configured, so the
 * capability says so and the suite skips those tests).
 */
for (const version of ['1.5.1', '1.4.2', '1.3.6']) {
  describePanelAdapter(`s-ui ${version}`, async ({ clock, logger }) => {
    const sim = createSuiSimulator({ clock, token: TOKEN, webPath: '/app/', version });
    const server = await serveOnLocalhost(sim.handle);
    const adapter = createSuiAdapter({
      baseUrl: `${server.origin}/app/`,
      auth: { token: TOKEN },
      ...(version === '1.3.6' ? { version } : {}),
      logger,
      timeoutMs: 500,
      retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
    });
    const targets = await adapter.listTargets({ signal: new AbortController().signal, idempotencyKey: 'setup' });
    const target = targets.find((t) => t.protocol === 'vless')!;
    return {
      adapter,
      target,
      controls: sim,
      secrets: [TOKEN],
      sessionKind: 'static-token',
      hasSubscriptionUrl: true,
      cleanup: async () => {
        sim.releaseHangs();
        await server.close();
      },
    };
  });
}
