import { describePanelAdapter, type PanelFactoryContext, type PanelUnderTest } from '@panelkit/sdk/testing';
import { serveOnLocalhost } from '../../src/simulators/harness/index.js';
import { createXuiSimulator } from '../../src/simulators/xui/index.js';
import { createXuiAdapter } from '../../src/xui/index.js';

const PASSWORD = 'xui-conformance-password-7d1e';
const TOKEN = 'xui-conformance-token-0b5a93f1c2';
const BASE_PATH = '/Xk3vR9pQ2mW7aB4c/';

function factory(version: string, auth: 'password' | 'token', generation: 'auto' | 'A' = 'auto') {
  return async ({ clock, logger }: PanelFactoryContext): Promise<PanelUnderTest> => {
    const sim = createXuiSimulator({
      version,
      clock,
      basePath: BASE_PATH,
      credentials: { username: 'admin', password: PASSWORD },
      apiTokens: [TOKEN],
    });
    const [vless] = sim.seedDemo();
    // WireGuard clients from v3.4.2, per-client MTProto secrets from v3.5: one inbound of each where the version has them.
    const wg = sim.traits.wireguardClients
      ? sim.addInbound({
          remark: 'WG',
          protocol: 'wireguard',
          port: 51820,
          settings: { secretKey: Buffer.alloc(32, 5).toString('base64') },
        })
      : undefined;
    const tg = sim.traits.mtprotoClientSecrets
      ? sim.addInbound({ remark: 'TG', protocol: 'mtproto', port: 8443, settings: { fakeTlsDomain: 'cdn.example.org' } })
      : undefined;
    const server = await serveOnLocalhost(sim.handle);
    const adapter = createXuiAdapter({
      baseUrl: `${server.origin}${BASE_PATH}`,
      auth: auth === 'token' ? { token: TOKEN } : { username: 'admin', password: PASSWORD },
      clock,
      logger,
      generation,
      timeoutMs: 500,
      retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
    });
    // The adapter declares its kinds by the panel's version once a call has read it.
    await adapter.listTargets({ signal: AbortSignal.timeout(5_000), idempotencyKey: 'warm-up', logger });
    const targetOf = (inbound: { id: number; protocol: string }) => ({
      remoteRef: String(inbound.id),
      protocol: inbound.protocol,
      remoteMeta: { inboundId: inbound.id },
    });
    return {
      adapter,
      target: { remoteRef: String(vless!.id), protocol: 'vless', remoteMeta: { inboundId: vless!.id } },
      targets: { ...(wg ? { wireguard: targetOf(wg) } : {}), ...(tg ? { mtproto: targetOf(tg) } : {}) },
      honoursPreferredAddresses: true,
      controls: sim,
      secrets: [PASSWORD, TOKEN, BASE_PATH.replaceAll('/', '')],
      sessionKind: auth === 'token' ? 'static-token' : 'login',
      // v3.0 – v3.2 show their subscription settings only to a password login.
      hasSubscriptionUrl: !(auth === 'token' && version.startsWith('3.0')),
      cleanup: async () => {
        sim.releaseHangs();
        await server.close();
      },
    };
  };
}

// Configured as Gen A, the adapter promises stable share links, and the suite holds it to that.
describePanelAdapter('3x-ui v2.8 (Gen A, cookie session, generation configured)', factory('2.8.x', 'password', 'A'));
describePanelAdapter('3x-ui v3.0 (Gen A, CSRF)', factory('3.0.2', 'password'));
describePanelAdapter('3x-ui v3.0 (Gen A, Bearer token)', factory('3.0.2', 'token'));
describePanelAdapter('3x-ui v3.6 (Gen B, CSRF)', factory('3.6.x', 'password'));
describePanelAdapter('3x-ui v3.6 (Gen B, Bearer token)', factory('3.6.x', 'token'));
describePanelAdapter('3x-ui v3.5.0 (Gen B: WireGuard and MTProto clients, a /24 pool)', factory('3.5.0', 'password'));
describePanelAdapter('3x-ui v3.4.2 (Gen B: WireGuard clients, one MTProto secret per inbound)', factory('3.4.2', 'token'));
