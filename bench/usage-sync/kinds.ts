/**
 * One simulated panel per kind, served on 127.0.0.1, with the adapter pointed at it. Each entry
 * says how many client rows the panel's own API hands out per call at most (`panelRowsPerCall`),
 * which gives the minimum number of calls a bulk walk can make.
 */
import type { PanelAdapter } from '../../packages/sdk/src/adapter.js';
import { createMarzbanAdapter } from '../../packages/panel-adapters/src/marzban/index.js';
import { createMarzneshinAdapter } from '../../packages/panel-adapters/src/marzneshin/index.js';
import { createRemnawaveAdapter } from '../../packages/panel-adapters/src/remnawave/index.js';
import { serveOnLocalhost } from '../../packages/panel-adapters/src/simulators/harness/index.js';
import type { RequestCounts, RunningSimulator } from '../../packages/panel-adapters/src/simulators/harness/index.js';
import { createMarzbanSimulator } from '../../packages/panel-adapters/src/simulators/marzban/index.js';
import { createMarzneshinSimulator } from '../../packages/panel-adapters/src/simulators/marzneshin/index.js';
import { createRemnawaveSimulator } from '../../packages/panel-adapters/src/simulators/remnawave/index.js';
import { createSuiSimulator } from '../../packages/panel-adapters/src/simulators/sui/index.js';
import { createXuiSimulator } from '../../packages/panel-adapters/src/simulators/xui/index.js';
import { createSuiAdapter } from '../../packages/panel-adapters/src/sui/index.js';
import { createXuiAdapter } from '../../packages/panel-adapters/src/xui/index.js';

export interface BenchPanel {
  readonly kind: string;
  readonly adapter: PanelAdapter;
  /** Request counters of the simulator (every HTTP request it answered). */
  readonly requests: RequestCounts;
  resetRequestCounts(): void;
  /** Most client rows one call of the panel's list API returns (Infinity: the whole panel in one call). */
  readonly panelRowsPerCall: number;
  /** Where `panelRowsPerCall` comes from. */
  readonly rowsPerCallSource: string;
  /** Calls a walk needs besides the pages (e.g. the inbound list the refs are built from). */
  readonly extraCalls?: { count: number; why: string };
  /** Wall time of seeding the clients into the simulator, ms. */
  readonly seedMs: number;
  close(): Promise<void>;
}

type Seed = () => void;

async function timedSeed(seed: Seed): Promise<number> {
  const started = performance.now();
  seed();
  return performance.now() - started;
}

async function serve(handle: (request: Request) => Promise<Response>): Promise<RunningSimulator> {
  return serveOnLocalhost(handle);
}

const PASSWORD = 'bench-admin-password';

export const KINDS: Record<string, (clients: number) => Promise<BenchPanel>> = {
  async 'xui-gen-a'(clients) {
    const sim = createXuiSimulator({ version: '2.8.x', basePath: '/bench/', credentials: { username: 'admin', password: PASSWORD } });
    const [inbound] = sim.seedDemo();
    const seedMs = await timedSeed(() => sim.seedClients(inbound!.id, clients));
    const server = await serve(sim.handle);
    const adapter = createXuiAdapter({
      baseUrl: `${server.origin}/bench/`,
      auth: { username: 'admin', password: PASSWORD },
      timeoutMs: 120_000,
    });
    return {
      kind: '3x-ui v2.8 (Gen A)',
      adapter,
      requests: sim.requests,
      resetRequestCounts: () => sim.resetRequestCounts(),
      panelRowsPerCall: Number.POSITIVE_INFINITY,
      rowsPerCallSource: '`GET panel/api/inbounds/list` returns every inbound with all its clients and traffic rows',
      seedMs,
      close: () => server.close(),
    };
  },

  async 'xui-gen-b'(clients) {
    const sim = createXuiSimulator({ version: '3.6.0', basePath: '/bench/', credentials: { username: 'admin', password: PASSWORD } });
    const [inbound] = sim.seedDemo();
    const seedMs = await timedSeed(() => sim.seedClients(inbound!.id, clients));
    const server = await serve(sim.handle);
    const adapter = createXuiAdapter({
      baseUrl: `${server.origin}/bench/`,
      auth: { username: 'admin', password: PASSWORD },
      timeoutMs: 120_000,
    });
    return {
      kind: '3x-ui v3.6 (Gen B)',
      adapter,
      requests: sim.requests,
      resetRequestCounts: () => sim.resetRequestCounts(),
      panelRowsPerCall: 200,
      rowsPerCallSource: '`GET panel/api/clients/list/paged` takes `pageSize` ≤ 200',
      // Paged rows carry inbound ids only; a ref's target needs the inbound's protocol.
      extraCalls: { count: 1, why: '`GET panel/api/inbounds/options` once, for the targets of the refs' },
      seedMs,
      close: () => server.close(),
    };
  },

  async sui(clients) {
    const token = 'bench-sui-api-token-0123456789';
    const sim = createSuiSimulator({ token, webPath: '/app/' });
    const seedMs = await timedSeed(() => sim.seedClients(clients));
    const server = await serve(sim.handle);
    const adapter = createSuiAdapter({ baseUrl: `${server.origin}/app/`, auth: { token }, timeoutMs: 120_000 });
    return {
      kind: 'S-UI 1.5',
      adapter,
      requests: sim.requests,
      resetRequestCounts: () => sim.resetRequestCounts(),
      panelRowsPerCall: Number.POSITIVE_INFINITY,
      rowsPerCallSource: '`GET apiv2/clients` returns every client',
      seedMs,
      close: () => server.close(),
    };
  },

  async marzban(clients) {
    const sim = createMarzbanSimulator({ adminUsername: 'owner', adminPassword: PASSWORD });
    const seedMs = await timedSeed(() => sim.seedUsers(clients));
    const server = await serve(sim.handle);
    const adapter = createMarzbanAdapter({ baseUrl: server.origin, auth: { username: 'owner', password: PASSWORD }, timeoutMs: 120_000 });
    return {
      kind: 'Marzban 0.8',
      adapter,
      requests: sim.requests,
      resetRequestCounts: () => sim.resetRequestCounts(),
      panelRowsPerCall: 500,
      rowsPerCallSource:
        '`GET /api/users` has no cap (no `limit` = every user in one response); the adapter pages at its default `pageSize` 500 (contract notes §6: limit 100..500), so the minimum is counted at 500',
      seedMs,
      close: () => server.close(),
    };
  },

  async marzneshin(clients) {
    const sim = createMarzneshinSimulator({ adminUsername: 'owner', adminPassword: PASSWORD });
    const seedMs = await timedSeed(() => sim.seedUsers(clients));
    const server = await serve(sim.handle);
    const adapter = createMarzneshinAdapter({
      baseUrl: server.origin,
      auth: { username: 'owner', password: PASSWORD },
      timeoutMs: 120_000,
    });
    return {
      kind: 'Marzneshin',
      adapter,
      requests: sim.requests,
      resetRequestCounts: () => sim.resetRequestCounts(),
      panelRowsPerCall: 100,
      rowsPerCallSource: '`GET /api/users` takes `size` ≤ 100 (422 above)',
      seedMs,
      close: () => server.close(),
    };
  },

  async remnawave(clients) {
    const token = 'bench-remnawave-api-token';
    const sim = createRemnawaveSimulator({ apiToken: token });
    const seedMs = await timedSeed(() => sim.seedUsers(clients));
    const server = await serve(sim.handle);
    const adapter = createRemnawaveAdapter({ baseUrl: server.origin, auth: { token }, timeoutMs: 120_000 });
    return {
      kind: 'Remnawave 3',
      adapter,
      requests: sim.requests,
      resetRequestCounts: () => sim.resetRequestCounts(),
      panelRowsPerCall: 1000,
      rowsPerCallSource: '`GET /api/users/stream` takes `size` ≤ 1000 (400 above)',
      seedMs,
      close: () => server.close(),
    };
  },
};
