/**
 * bench/link-traffic: bytes moved through a sold link vs bytes counted. For each protocol v2ray
 * 4.34 runs, a subscription is bought through the SDK on the simulated 3x-ui panel driven by a real
 * v2ray; a second v2ray runs as a client of its share link, reached through a counting TCP relay,
 * and downloads bodies of several sizes from a local web server. Per download it prints:
 *
 * - body: the payload asked for;
 * - http: what the web server's sockets moved (request + response headers + body);
 * - core: what the core's StatsService counted for the user (read by the panel's traffic job);
 * - shop: how much the subscription's usage grew after a scheduler usage sync;
 * - wire: what crossed the relay between the client core and the server core (protocol overhead).
 *
 * Run: node --conditions=@panelkit/source --import tsx bench/link-traffic/main.ts [--sizes 1024,65536,1048576,16777216]
 * Needs /usr/bin/v2ray (scripts/ensure-v2ray.sh).
 */
import { createServer as createHttpServer, request } from 'node:http';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { createPanelkit } from '@panelkit/sdk';
// Not from `@panelkit/sdk/testing`: that entry also holds the vitest suites, which need the vitest runner.
import { ManualClock } from '../../packages/sdk/src/testing/manual-clock.js';
import { createXuiAdapter } from '../../packages/panel-adapters/src/index.js';
import {
  createXuiSimulator,
  freeLocalPort,
  serveOnLocalhost,
  startLinkClient,
  type XuiInboundSeed,
} from '../../packages/panel-adapters/src/testing.js';

const V2RAY = '/usr/bin/v2ray';
const argument = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
};
const SIZES = argument('sizes', '1024,65536,1048576,16777216').split(',').map(Number);
const PROTOCOLS: { label: string; seed: Omit<XuiInboundSeed, 'port'> }[] = [
  {
    label: 'vless+ws',
    seed: { remark: 'vl', protocol: 'vless', streamSettings: { network: 'ws', security: 'none', wsSettings: { path: '/vl' } } },
  },
  { label: 'vmess+tcp', seed: { remark: 'vm', protocol: 'vmess' } },
  { label: 'trojan+tcp', seed: { remark: 'tj', protocol: 'trojan' } },
  { label: 'ss aes-256-gcm', seed: { remark: 'ss', protocol: 'shadowsocks', settings: { method: 'aes-256-gcm', password: '' } } },
];

/** A TCP relay on 127.0.0.1 to `port` that counts the bytes it carries both ways. */
async function countingRelay(port: number) {
  const moved = { bytes: 0 };
  const server = createServer((inbound: Socket) => {
    const outbound = connect({ host: '127.0.0.1', port });
    inbound.on('data', (chunk: Buffer) => (moved.bytes += chunk.length));
    outbound.on('data', (chunk: Buffer) => (moved.bytes += chunk.length));
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    moved,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `link` pointed at the relay's port instead of the inbound's. */
function viaRelay(link: string, inboundPort: number, relayPort: number): string {
  if (!link.startsWith('vmess://')) return link.replace(`:${inboundPort}`, `:${relayPort}`);
  const json = JSON.parse(Buffer.from(link.slice('vmess://'.length), 'base64').toString('utf8')) as Record<string, unknown>;
  return `vmess://${Buffer.from(JSON.stringify({ ...json, port: relayPort })).toString('base64')}`;
}

/** GET through the link client's HTTP proxy port (absolute-URI request); resolves with the body length. */
function fetchVia(proxyPort: number, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: proxyPort, path: url, headers: { host: new URL(url).host, connection: 'close' } },
      (res) => {
        let length = 0;
        res.on('data', (chunk: Buffer) => (length += chunk.length));
        res.on('end', () => resolve(length));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const sockets = new Set<Socket>();
const web = createHttpServer((req, res) => {
  const size = Number(/^\/bytes\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
  res.writeHead(200, { 'content-length': String(size), connection: 'close' });
  res.end(Buffer.alloc(size, 0x61));
});
web.on('connection', (socket) => sockets.add(socket));
await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', () => resolve()));
const webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
const httpMoved = () => [...sockets].reduce((sum, s) => sum + s.bytesRead + s.bytesWritten, 0);

const fmt = (n: number) => n.toLocaleString('en-US').replaceAll(',', ' ');
const pct = (part: number, whole: number) => `${((100 * (part - whole)) / whole).toFixed(2)} %`;
console.log('| protocol | body | http (server sockets) | core counted | shop shows | wire (relay) | core − http | wire overhead vs http |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');

for (const protocol of PROTOCOLS) {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const sim = createXuiSimulator({ clock, core: { binary: V2RAY } });
  sim.addInbound({ ...protocol.seed, port: await freeLocalPort() });
  await sim.core!.start();
  const panelServer = await serveOnLocalhost(sim.handle);
  const storage = createMemoryStorage({ clock });
  const adapter = createXuiAdapter({ baseUrl: `${panelServer.origin}/`, auth: { username: 'admin', password: 'admin' }, clock });
  const panel = await storage.panels.create({
    kind: '3x-ui',
    name: 'bench',
    baseUrl: `${panelServer.origin}/`,
    credentials: { type: 'password', username: 'admin', password: 'admin' },
    locationTags: [],
  });
  const [remote] = await adapter.listTargets({ signal: AbortSignal.timeout(5_000), idempotencyKey: 'targets' });
  await storage.targets.create({
    panelId: panel.id,
    remoteRef: remote!.remoteRef,
    name: remote!.name,
    protocol: remote!.protocol,
    remoteMeta: remote!.remoteMeta,
    capacity: 10,
    isDefault: true,
  });
  const plan = await storage.plans.create({
    name: 'bench',
    family: 'bench',
    price: { amount: 100, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
  });
  const kit = createPanelkit({
    storage,
    clock,
    panels: () => adapter,
    policy: { identity: { secret: 'bench-link-traffic-secret-0123456789', prefix: 'bn' }, tickIntervalMs: 60_000 },
  });
  const customer = await storage.customers.create({ email: 'bench@example.com' });
  await kit.topUp({ customerId: customer.id, amount: { amount: 100, currency: 'USD' }, idempotencyKey: 'topup' });
  const { subscriptions } = await kit.checkout({ customerId: customer.id, items: [{ planId: plan.id }], idempotencyKey: 'buy' });
  const worker = kit.createWorker();
  const scheduler = kit.createScheduler();
  await worker.drain();
  const sub = (await storage.subscriptions.get(subscriptions[0]!.id))!;
  const inboundPort = sim.state.inbounds.get(1)!.port;
  const relay = await countingRelay(inboundPort);
  // The buyer's app reaches the server through the relay, which counts what crosses the "network".
  const link = viaRelay(sub.shareLinks[0]!, inboundPort, relay.port);
  const client = await startLinkClient(V2RAY, link);
  let used = 0;
  for (const size of SIZES) {
    const http0 = httpMoved();
    const wire0 = relay.moved.bytes;
    const got = await fetchVia(client.httpPort, `${webUrl}/bytes/${size}`);
    if (got !== size) throw new Error(`asked ${size} bytes, got ${got}`);
    const http = httpMoved() - http0;
    const { bytes: core } = await sim.core!.trafficJob();
    clock.advance(60_000);
    await scheduler.tick();
    const now = (await storage.subscriptions.get(sub.id))!.usedBytes ?? 0;
    const shop = now - used;
    used = now;
    const wire = relay.moved.bytes - wire0;
    console.log(
      `| ${protocol.label} | ${fmt(size)} | ${fmt(http)} | ${fmt(core)} | ${fmt(shop)} | ${fmt(wire)} | ` +
        `${fmt(core - http)} | ${pct(wire, http)} |`,
    );
  }
  await client.stop();
  await relay.close();
  await worker.stop({ timeoutMs: 1_000 });
  await sim.core!.stop();
  await panelServer.close();
}
web.close();
