import { describePanelAdapter, type PanelFactoryContext, type PanelUnderTest } from '@panelkit/sdk/testing';
import { createMarzneshinAdapter } from '../../src/marzneshin/index.js';
import { serveOnLocalhost } from '../../src/simulators/harness/index.js';
import { createMarzneshinSimulator, type MarzneshinSimAdmin } from '../../src/simulators/marzneshin/index.js';

/** A Marzneshin logged into as `adminAccess`, with users of another admin beside the adapter's. */
function marzneshin(adminAccess: MarzneshinSimAdmin): (ctx: PanelFactoryContext) => Promise<PanelUnderTest> {
  return async ({ clock, logger }) => {
    const sim = createMarzneshinSimulator({ clock, adminUsername: 'owner', adminPassword: 'marzneshin-admin-secret', adminAccess });
    sim.addForeignUser('someone_elses');
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
  };
}

describePanelAdapter('marzneshin (sudo admin)', marzneshin({ isSudo: true }));
// Ownership is checked before existence: every missing user is a 403 to this admin (notes §10.1).
describePanelAdapter(
  'marzneshin (limited admin: not sudo, one service)',
  marzneshin({ isSudo: false, modifyUsersAccess: true, serviceIds: [3] }),
);
