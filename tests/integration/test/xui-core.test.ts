/**
 * The simulated 3x-ui panel's real core on its own: client changes through the panel API restart
 * it (and only changes that alter its config do), counters the core holds are credited before a
 * restart drops them, and a core that cannot start does not fail the panel API call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deriveRemoteIdentity } from '@panelkit/sdk';
import type { ClientSpec } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/testing';
import { createXuiAdapter } from '@panelkit/panel-adapters';
import { createXuiSimulator, freeLocalPort, serveOnLocalhost, startLinkClient } from '@panelkit/panel-adapters/testing';
import { fetchThrough, SKIP_CORE, startCountingWebServer, V2RAY } from './support/core.js';

const ctx = () => ({ signal: AbortSignal.timeout(10_000), idempotencyKey: `core-${Math.random()}` });
const spec = (name: string): ClientSpec => ({
  identity: deriveRemoteIdentity(name, 0, { secret: 'xui-core-test-secret-0123456789abcdef' }),
  expiry: { type: 'never' },
  trafficLimitBytes: null,
  deviceLimit: null,
  enabled: true,
});

describe.skipIf(SKIP_CORE !== false)(`the 3x-ui simulator's core${SKIP_CORE === false ? '' : ` (skipped: ${SKIP_CORE})`}`, () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function panel(version = '2.8.x') {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const sim = createXuiSimulator({ version, clock, core: { binary: V2RAY } });
    cleanup.push(() => sim.core!.stop());
    const inbound = sim.addInbound({ remark: 'vl', protocol: 'vless', port: await freeLocalPort() });
    await sim.core!.start();
    const server = await serveOnLocalhost(sim.handle);
    cleanup.push(() => server.close());
    const adapter = createXuiAdapter({ baseUrl: `${server.origin}/`, auth: { username: 'admin', password: 'admin' }, clock });
    const target = { remoteRef: String(inbound.id), protocol: 'vless', remoteMeta: { inboundId: inbound.id } };
    return { sim, adapter, target, core: sim.core! };
  }

  it.each(['2.8.x', '3.6.x'])(
    '%s: restarts on a client change that alters its config, credits what the old core counted, and skips changes that do not',
    async (version) => {
      const { adapter, target, core } = await panel(version);
      const web = await startCountingWebServer();
      cleanup.push(() => web.close());
      expect(core.restarts).toBe(1);
      const [first] = await adapter.createClients(target, [spec('first')], ctx());
      expect(core.restarts).toBe(2);
      const client = await startLinkClient(V2RAY, (await adapter.links(first!.ref, ctx())).shareLinks[0]!);
      cleanup.push(() => client.stop());
      const before = web.moved();
      await fetchThrough(client.socksPort, `${web.url}/bytes/5000`);
      const after = web.moved();
      const moved = after.read - before.read + (after.written - before.written);

      // A second buyer: the config changes, the core restarts, and the first buyer's bytes are kept.
      const pid = core.pid;
      await adapter.createClients(target, [spec('second')], ctx());
      expect(core.restarts).toBe(3);
      expect(core.pid).not.toBe(pid);
      expect((await adapter.getClient(first!.ref, ctx()))?.usedBytes).toBe(moved);
      expect((await core.trafficJob()).bytes).toBe(0);

      // Resetting a counter changes nothing the core runs: no restart.
      await adapter.resetUsage(first!.ref, ctx());
      expect(core.restarts).toBe(3);
      expect(await fetchThrough(client.socksPort, `${web.url}/bytes/10`)).toBe(10);
    },
  );

  it('a core that cannot start leaves the API answering and says why in lastError', async () => {
    const { sim, adapter, target, core } = await panel();
    const taken = await import('node:net').then(({ createServer }) => createServer());
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    cleanup.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as { port: number }).port;
    sim.addInbound({ remark: 'clash', protocol: 'vmess', port });
    const [created] = await adapter.createClients(target, [spec('third')], ctx());
    expect(created?.ref.username).toBeDefined();
    expect(core.lastError?.message).toContain(`127.0.0.1:${port}: the port is taken`);
  });

  it('once stopped, API writes and traffic jobs leave the core stopped (no stray process)', async () => {
    const { adapter, target, core } = await panel();
    expect(core.pid).toBeDefined();
    await core.stop();
    expect(core.pid).toBeUndefined();
    await adapter.createClients(target, [spec('after-stop')], ctx());
    await core.trafficJob();
    expect(core.pid).toBeUndefined();
    expect(core.restarts).toBe(1);
  });
});
