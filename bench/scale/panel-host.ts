/**
 * One OS process serving some of bench/scale's simulated panels on 127.0.0.1, each with its own
 * latency (added before the simulator answers) and `clients` seeded clients named `s<panel>_<n>`.
 * Started by main.ts with the panels as JSON in argv[2]; prints one JSON line with their origins,
 * then answers `{ cmd: 'counts' }` messages with the requests each panel answered and the most it
 * answered at once since the last such message.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { serveOnLocalhost } from '../../packages/panel-adapters/src/simulators/harness/index.js';
import type { RequestCounts, RunningSimulator } from '../../packages/panel-adapters/src/simulators/harness/index.js';
import { createMarzbanSimulator } from '../../packages/panel-adapters/src/simulators/marzban/index.js';
import { createMarzneshinSimulator } from '../../packages/panel-adapters/src/simulators/marzneshin/index.js';
import { createSuiSimulator } from '../../packages/panel-adapters/src/simulators/sui/index.js';
import { createXuiSimulator } from '../../packages/panel-adapters/src/simulators/xui/index.js';
import type { HostedPanel, ServedPanel } from './panel-kinds.js';
import { PANEL_PASSWORD, PANEL_USER, SUI_TOKEN, clientName } from './panel-kinds.js';

type Handle = (request: Request) => Promise<Response>;

interface Simulated {
  handle: Handle;
  requests: RequestCounts;
  path: string;
}

function simulate(panel: HostedPanel): Simulated {
  const prefix = clientName(panel.index, '');
  const credentials = { username: PANEL_USER, password: PANEL_PASSWORD };
  switch (panel.kind) {
    case 'xui-gen-a':
    case 'xui-gen-b': {
      const sim = createXuiSimulator({ version: panel.kind === 'xui-gen-a' ? '2.8.x' : '3.6.0', basePath: '/x/', credentials });
      const [inbound] = sim.seedDemo();
      sim.seedClients(inbound!.id, panel.clients, (i) => ({ email: `${prefix}${i}` }));
      return { handle: sim.handle, requests: sim.requests, path: '/x/' };
    }
    case 'sui': {
      const sim = createSuiSimulator({ token: SUI_TOKEN, webPath: '/app/' });
      sim.seedClients(panel.clients, { prefix });
      return { handle: sim.handle, requests: sim.requests, path: '/app/' };
    }
    case 'marzban': {
      const sim = createMarzbanSimulator({ adminUsername: PANEL_USER, adminPassword: PANEL_PASSWORD });
      sim.seedUsers(panel.clients, prefix);
      return { handle: sim.handle, requests: sim.requests, path: '' };
    }
    case 'marzneshin': {
      const sim = createMarzneshinSimulator({ adminUsername: PANEL_USER, adminPassword: PANEL_PASSWORD });
      sim.seedUsers(panel.clients, prefix);
      return { handle: sim.handle, requests: sim.requests, path: '' };
    }
  }
}

const panels = JSON.parse(process.argv[2]!) as HostedPanel[];
const running: { panel: HostedPanel; sim: Simulated; server: RunningSimulator; load: { now: number; peak: number } }[] = [];
for (const panel of panels) {
  const sim = simulate(panel);
  const load = { now: 0, peak: 0 };
  const handle: Handle = async (request) => {
    load.peak = Math.max(load.peak, ++load.now);
    try {
      await sleep(panel.latencyMs);
      return await sim.handle(request);
    } finally {
      load.now--;
    }
  };
  running.push({ panel, sim, load, server: await serveOnLocalhost(handle) });
}
const served: ServedPanel[] = running.map(({ panel, sim, server }) => ({ ...panel, baseUrl: `${server.origin}${sim.path}` }));
process.stdout.write(`${JSON.stringify({ served, rssBytes: process.memoryUsage().rss })}\n`);

/** Requests answered so far and the most answered at once since the last call, per panel. */
process.on('message', (message: { cmd: string }) => {
  if (message.cmd !== 'counts') return;
  process.send!({
    counts: running.map(({ panel, sim, load }) => ({
      index: panel.index,
      total: sim.requests.total,
      peak: load.peak,
      byRoute: Object.fromEntries(sim.requests.byRoute),
    })),
  });
  for (const { load } of running) load.peak = load.now;
});
process.on('disconnect', () => process.exit(0));
