/**
 * A WireGuard config sold through the engine carries real traffic, and the subscription's life decides it: a buyer
 * checks out a WireGuard plan placed on a simulated PasarGuard (over HTTP) with a `wg` core, fetches the `.conf` from
 * the link's config files, and brings up a real userspace tunnel to a server configured as the panel configures its
 * node (`sim.wireGuardPeers`). Expiry takes the peer off the node and cuts the tunnel; an extension in place puts it
 * back with the same `.conf`. Runs where the machine allows (root, /dev/net/tun, wireguard-go and wg); skips saying
 * why elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createPasarGuardAdapter } from '@panelkit/panel-adapters';
import { createPasarGuardSimulator, type PasarGuardSimulator, serveOnLocalhost } from '@panelkit/panel-adapters/testing';
import { createPanelkit, type Subscription } from '@panelkit/sdk';
import { wireGuardKeyPairOf } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { serveConfigFiles } from './support/config-files-server.js';
import { DAY, IDENTITY, PANEL_READ_RETRY, TICK_MS } from './support/shop.js';
import { openTunnelLab, tunnelSupport, type TunnelLab, type WireGuardPeer } from './support/wireguard-tunnel.js';

const support = tunnelSupport();

const CORE = 'wg0';
const SERVER_TUNNEL_IP = '10.13.13.1';
const LISTEN_PORT = 51820;
const ECHO_PORT = 7000;
const PASSWORD = 'tunnel-test-panel-password-7c2e';

/** The node's peers as the harness takes them: what the panel sends the node for `CORE` now. */
function nodePeers(sim: PasarGuardSimulator): WireGuardPeer[] {
  const node = sim.wireGuardPeers(CORE);
  return node.peers.map((peer) => ({
    publicKey: peer.publicKey,
    allowedIps: peer.allowedIps,
    ...(node.preSharedKey === null ? {} : { presharedKey: node.preSharedKey }),
  }));
}

/** Things to stop after the test, last made first. */
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!support.ok)(
  `a WireGuard config bought through the engine, through a real tunnel${support.ok ? '' : ` (skipped: ${support.why})`}`,
  () => {
    it('carries traffic once provisioned, stops when the subscription expires, and carries it again with the same .conf once extended', async () => {
      // The panel: PasarGuard with one wg core and a group reaching only it, over HTTP, on the shop's clock.
      const clock = new ManualClock('2026-03-01T00:00:00.000Z');
      const serverKeys = wireGuardKeyPairOf(randomBytes(32));
      const sim = createPasarGuardSimulator({
        clock,
        adminUsername: 'owner',
        adminPassword: PASSWORD,
        groups: [{ name: 'WireGuard', inboundTags: [CORE], isDisabled: false }],
        wireGuardCores: [
          {
            name: CORE,
            config: {
              interface_name: CORE,
              private_key: serverKeys.privateKey,
              pre_shared_key: randomBytes(32).toString('base64'),
              listen_port: LISTEN_PORT,
              address: [`${SERVER_TUNNEL_IP}/24`],
            },
          },
        ],
      });
      const panelServer = await serveOnLocalhost(sim.handle);
      cleanups.push(() => panelServer.close());
      const adapter = createPasarGuardAdapter({
        baseUrl: panelServer.origin,
        auth: { username: 'owner', password: PASSWORD },
        clock,
        timeoutMs: 5_000,
      });

      // The shop: memory storage, the panel's WireGuard group synced as a target, a WireGuard plan, a buyer.
      const storage = createMemoryStorage({ clock });
      const kit = createPanelkit({
        storage,
        clock,
        panels: () => adapter,
        policy: { identity: IDENTITY, tickIntervalMs: TICK_MS, panelReadRetry: PANEL_READ_RETRY },
        links: { secret: 'tunnel-test-link-secret-5b8e0d' },
        random: () => 0.5,
      });
      const worker = kit.createWorker({ heartbeatIntervalMs: 3_600_000 });
      const scheduler = kit.createScheduler();
      cleanups.push(() => worker.stop({ timeoutMs: 1_000 }));
      const panel = await kit.panels.add({
        kind: adapter.kind,
        name: 'PasarGuard WireGuard',
        baseUrl: `${panelServer.origin}/`,
        credentials: { type: 'password', username: 'owner', password: PASSWORD },
        locationTags: ['de'],
      });
      const synced = await kit.targets.sync(panel.id, { capacity: 10 });
      expect(synced.added.map((target) => target.kinds)).toEqual([['wireguard']]);
      const plan = await kit.plans.create({
        name: 'Router monthly',
        family: 'wg',
        price: { amount: 500, currency: 'USD' },
        durationDays: 30,
        trafficBytes: null,
        deviceLimit: null,
        kinds: ['wireguard'],
      });
      const customer = await kit.customers.create({ email: 'router@example.com' });
      await kit.topUp({ customerId: customer.id, amount: { amount: 2_000, currency: 'USD' }, idempotencyKey: 'seed' });

      // The buyer checks out; the worker provisions the peer on the panel.
      const { subscriptions } = await kit.checkout({ customerId: customer.id, items: [{ planId: plan.id }], idempotencyKey: 'buy' });
      const [bought] = subscriptions;
      expect(bought).toMatchObject({ kind: 'wireguard', status: 'pending' });
      await worker.drain();
      const read = async (): Promise<Subscription> => (await storage.subscriptions.get(bought!.id))!;
      const active = await read();
      expect(active.status).toBe('active');
      expect(nodePeers(sim).map((peer) => peer.publicKey)).toEqual([active.remote.wireguard?.publicKey]);

      // The buyer's .conf, as the link's config file gives it.
      const files = await serveConfigFiles(kit);
      cleanups.push(() => files.close());
      const confUrl = `${files.origin}/s/${encodeURIComponent(await kit.links.tokenFor(customer.id))}/config/${active.id}.conf`;
      const fetchConf = () => fetch(confUrl);
      const first = await fetchConf();
      expect(first.status).toBe(200);
      const conf = await first.text();
      expect(conf).toContain(`PrivateKey = ${active.remote.wireguard?.privateKey}`);
      // The panel's public host, not the lab's: the harness points the client at the lab's server.
      expect(conf).toMatch(/^Endpoint = \S+:51820$/m);

      // The node serves the core as the panel configures it; the buyer's device brings the tunnel up from the .conf.
      const lab: TunnelLab = await openTunnelLab();
      cleanups.push(async () => {
        await lab.close();
        expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(lab.server.namespace);
      });
      const node = sim.wireGuardPeers(CORE);
      const server = await lab.startServer({
        privateKey: node.privateKey,
        listenPort: node.listenPort,
        addresses: node.addresses,
        peers: nodePeers(sim),
      });
      expect(server.publicKey).toBe(serverKeys.publicKey);
      const client = await lab.bringUpClient(conf, { endpoint: server.endpoint });
      await lab.startEcho(lab.server.namespace, SERVER_TUNNEL_IP, ECHO_PORT);
      expect(await lab.canReach(lab.client.namespace, SERVER_TUNNEL_IP, ECHO_PORT)).toBe(true);

      // The period ends. PasarGuard expires users itself, so the engine leaves that to the panel's review job (on the
      // same clock) and records it; the node, re-reading its peers, drops the peer.
      clock.set(active.expiresAt!.getTime() + 1_000);
      sim.enforce();
      expect((await scheduler.tick()).expired).toBe(1);
      await worker.drain();
      expect((await read()).status).toBe('expired');
      await server.setPeers(nodePeers(sim));
      expect(await server.peers()).toEqual([]);
      expect(await lab.canReach(lab.client.namespace, SERVER_TUNNEL_IP, ECHO_PORT)).toBe(false);
      // An expired part has no config at the link.
      expect((await fetchConf()).status).toBe(404);

      // An extension in place revives the same peer: the node takes it back and the buyer's tunnel, turned off and
      // on, carries traffic again with the .conf it had.
      await kit.extend({ subscriptionId: active.id, idempotencyKey: 'extend' });
      await worker.drain();
      const extended = await read();
      expect(extended.status).toBe('active');
      expect(extended.expiresAt!.getTime()).toBeGreaterThanOrEqual(clock.now().getTime() + 30 * DAY - 1_000);
      await server.setPeers(nodePeers(sim));
      expect(await server.peers()).toEqual([active.remote.wireguard?.publicKey]);
      await client.reconnect();
      expect(await lab.canReach(lab.client.namespace, SERVER_TUNNEL_IP, ECHO_PORT)).toBe(true);
      const again = await fetchConf();
      expect(again.status).toBe(200);
      expect(await again.text()).toBe(conf);
    });
  },
);
