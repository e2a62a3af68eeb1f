import { describePanelAdapter, type PanelFactoryContext, type PanelUnderTest } from '@panelkit/sdk/testing';
import { createRemnawaveAdapter } from '../../src/remnawave/index.js';
import { serveOnLocalhost } from '../../src/simulators/harness/index.js';
import { createRemnawaveSimulator } from '../../src/simulators/remnawave/index.js';

const TOKEN = 'remnawave-conformance-api-token';

/** A production-mode Remnawave (proxy check on) reached over plain HTTP, as a shop on its Docker network does. */
async function remnawave({ clock, logger }: PanelFactoryContext): Promise<PanelUnderTest> {
  const sim = createRemnawaveSimulator({ clock, apiToken: TOKEN });
  const server = await serveOnLocalhost(sim.handle);
  const adapter = createRemnawaveAdapter({
    baseUrl: server.origin,
    auth: { token: TOKEN },
    logger,
    timeoutMs: 500,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
  });
  const targets = await adapter.listTargets({ signal: new AbortController().signal, idempotencyKey: 'setup' });
  const target = targets.find((candidate) => candidate.name === 'Default-Squad')!;
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
}

describePanelAdapter('remnawave', remnawave);
