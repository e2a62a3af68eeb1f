/**
 * bench/scale/adapter-call-cpu: the CPU an adapter's process spends per panel call, for each API generation
 * bench/scale runs (3x-ui v2.8, 3x-ui v3.6, S-UI, Marzban, Marzneshin). The simulators run in another OS process
 * (`panel-host.ts`, no added latency), so only the adapter's side is counted: its HTTP client, JSON, validation,
 * mapping and links. Calls go one at a time, as bench/scale's engine makes them:
 *
 * - `create+links`: `createClients` of one client, then `links` when the create did not bring them (the
 *   provisioning handler's path);
 * - `get`, `update` (extend: a new expiry), `delete`;
 * - `list page`: `listClients` pages of 500 over the whole panel (the usage sync's walk), per page.
 *
 * Beside each row, the floor from the same run: the same number of bare `fetch` round trips (Node's undici, kept
 * alive), each sending and reading as many bytes as the adapter's requests did on average and parsing the answer
 * as JSON, to a bare Node HTTP server in a third process (`floor-host.ts`); and one empty round trip.
 *
 *   node --conditions=@panelkit/source --import tsx bench/scale/adapter-call-cpu.ts [--clients 1000] [--calls 200]
 *     [--rounds 2] [--kinds xui-gen-a,xui-gen-b,sui,marzban,marzneshin] [--compare <dir of another packages/panel-adapters/src>] [--json]
 *
 * `--compare` measures a second copy of the adapters (e.g. the base commit's `src`, extracted inside
 * `packages/panel-adapters/` so its imports resolve) against the same simulators, interleaved round by round with
 * this tree's: before and after from one run. `BENCH_PROFILE=<file>` writes this process's CPU profile.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { Panel } from '../../packages/sdk/src/index.js';
import { deriveRemoteIdentity, silentLogger, systemClock } from '../../packages/sdk/src/index.js';
import type { CallContext, ClientRef, PanelAdapter, TargetRef } from '../../packages/sdk/src/adapter.js';
import type { BenchKind, HostedPanel, ServedPanel } from './panel-kinds.js';
import { BENCH_KINDS, panelRow } from './panel-kinds.js';
import type { PanelCalls } from './report.js';
import { start } from './processes.js';
import { socketBytes } from './socket-bytes.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    calls: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '2' },
    compare: { type: 'string' },
    kinds: { type: 'string', default: BENCH_KINDS.join(',') },
    json: { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(values.clients);
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);
const PAGE = 500;
const DAY = 86_400_000;

type CreateAdapter = (panel: Panel, options: { clock: typeof systemClock; logger: typeof silentLogger }) => PanelAdapter;

/** One build of the adapters: this tree's, or `--compare`'s. */
interface Build {
  label: string;
  create: CreateAdapter;
}

/** What one operation cost, per call, summed over rounds. */
interface Measured {
  calls: number;
  cpuUs: number;
  wallMs: number;
  requests: number;
  bytesOut: number;
  bytesIn: number;
}

const OPS = ['create+links', 'get', 'update', 'delete', 'list page'] as const;
type Op = (typeof OPS)[number];

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

let idempotency = 0;
/** A fresh context per call, as the engine gives each call its own signal. */
const ctx = (): CallContext => ({ signal: new AbortController().signal, idempotencyKey: `bench:${++idempotency}` });

async function loadBuild(label: string, dir: string): Promise<Build> {
  const module = (await import(pathToFileURL(resolve(dir, 'registry.ts')).href)) as { createPanelAdapter: CreateAdapter };
  return { label, create: module.createPanelAdapter };
}

function panelOf(served: ServedPanel): Panel {
  const row = panelRow(served);
  const now = new Date();
  return {
    id: `pnl_bench_${served.index}`,
    kind: row.kind,
    name: row.name,
    baseUrl: row.baseUrl,
    credentials: row.credentials,
    locationTags: [],
    options: {},
    enabled: true,
    health: { status: 'unknown', checkedAt: null, latencyMs: null, consecutiveFailures: 0, lastError: null, version: null },
    createdAt: now,
    updatedAt: now,
  } as Panel;
}

const KINDS = values.kinds.split(',') as BenchKind[];
const host = start('./panel-host.ts', [
  JSON.stringify(KINDS.map((kind, index): HostedPanel => ({ index, kind, clients: CLIENTS, latencyMs: 0 }))),
]);
const floor = start('./floor-host.ts', []);
// Both first lines are awaited at once: a line printed before its listener is attached is lost.
const [hostLine, floorLine] = await Promise.all([host.firstLine(), floor.firstLine()]);
const served = (JSON.parse(hostLine) as { served: ServedPanel[] }).served.sort((a, b) => a.index - b.index);
const floorOrigin = (JSON.parse(floorLine) as { origin: string }).origin;

async function requestsSoFar(index: number): Promise<number> {
  const { counts } = await host.ask<{ counts: (PanelCalls & { index: number })[] }>({ cmd: 'counts' });
  return counts.find((c) => c.index === index)?.total ?? 0;
}

/** Runs `body` `n` times (or once for `list page`, which counts its pages) and measures this process. */
async function measure(index: number, into: Measured, body: () => Promise<number>): Promise<void> {
  const requestsBefore = await requestsSoFar(index);
  const bytesBefore = socketBytes();
  const started = performance.now();
  const cpu = cpuUs();
  const calls = await body();
  into.cpuUs += cpuUs() - cpu;
  into.wallMs += performance.now() - started;
  const bytes = socketBytes();
  into.bytesOut += bytes.out - bytesBefore.out;
  into.bytesIn += bytes.in - bytesBefore.in;
  into.requests += (await requestsSoFar(index)) - requestsBefore;
  into.calls += calls;
}

const fresh = (): Measured => ({ calls: 0, cpuUs: 0, wallMs: 0, requests: 0, bytesOut: 0, bytesIn: 0 });

/** One round of every operation on one panel with one build; `tag` keeps each round's clients apart. */
async function round(build: Build, adapter: PanelAdapter, panel: ServedPanel, target: TargetRef, tag: string, into: Record<Op, Measured>) {
  const refs: ClientRef[] = [];
  const expiresAt = Date.now() + 30 * DAY;
  // The engine derives identities before the call: not the adapter's CPU.
  const identities = Array.from({ length: CALLS }, (_, i) =>
    deriveRemoteIdentity(`sub_${tag}_${i}`, 0, { secret: 'bench-adapter-cpu-secret-0123456789' }),
  );
  await measure(panel.index, into['create+links'], async () => {
    for (const identity of identities) {
      const [client] = await adapter.createClients(
        target,
        [{ identity, expiry: { type: 'at', at: new Date(expiresAt) }, trafficLimitBytes: 100 * 2 ** 30, deviceLimit: null, enabled: true }],
        ctx(),
      );
      if (client === undefined) throw new Error(`${build.label} ${panel.kind}: no client created`);
      if (client.links === undefined) await adapter.links(client.ref, ctx());
      refs.push(client.ref);
    }
    return CALLS;
  });
  await measure(panel.index, into.get, async () => {
    for (const ref of refs) if ((await adapter.getClient(ref, ctx())) === null) throw new Error(`${panel.kind}: ${ref.username} not found`);
    return refs.length;
  });
  await measure(panel.index, into.update, async () => {
    for (const ref of refs) await adapter.updateClient(ref, { expiry: { type: 'at', at: new Date(expiresAt + 30 * DAY) } }, ctx());
    return refs.length;
  });
  await measure(panel.index, into['list page'], async () => {
    let pages = 0;
    let clients = 0;
    for (let cursor: string | null = null; ; ) {
      const page = await adapter.listClients({ cursor, limit: PAGE }, ctx());
      pages++;
      clients += page.items.length;
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    if (clients < CLIENTS) throw new Error(`${build.label} ${panel.kind}: listed ${clients} of ${CLIENTS + refs.length}`);
    return pages;
  });
  await measure(panel.index, into.delete, async () => {
    for (const ref of refs) await adapter.deleteClient(ref, ctx());
    return refs.length;
  });
}

/** Bare keep-alive `fetch` round trips sending `out` and reading `in` bytes each, the answer parsed as JSON; CPU µs each. */
async function bareRoundTrips(count: number, out: number, bytesIn: number): Promise<number> {
  const url = `${floorOrigin}/?bytes=${Math.max(2, Math.round(bytesIn))}`;
  const payload = out > 0 ? JSON.stringify({ p: 'x'.repeat(Math.max(0, Math.round(out) - 8)) }) : undefined;
  const cpu = cpuUs();
  for (let i = 0; i < count; i++) {
    const response = await fetch(
      url,
      payload === undefined ? {} : { method: 'POST', body: payload, headers: { 'content-type': 'application/json' } },
    );
    JSON.parse(await response.text());
  }
  return (cpuUs() - cpu) / count;
}

const builds: Build[] = [await loadBuild('this tree', resolve(import.meta.dirname, '../../packages/panel-adapters/src'))];
if (values.compare !== undefined) builds.unshift(await loadBuild(`--compare`, values.compare));

const results = new Map<string, Record<Op, Measured>>();
const key = (build: Build, kind: BenchKind) => `${build.label}\u0000${kind}`;
const adapters = new Map<string, { adapter: PanelAdapter; target: TargetRef }>();
for (const build of builds) {
  for (const panel of served) {
    const adapter = build.create(panelOf(panel), { clock: systemClock, logger: silentLogger });
    const [target] = await adapter.listTargets(ctx());
    if (target === undefined) throw new Error(`${panel.kind}: no target`);
    adapters.set(key(build, panel.kind), { adapter, target });
    results.set(key(build, panel.kind), Object.fromEntries(OPS.map((op) => [op, fresh()])) as Record<Op, Measured>);
  }
}

console.log(
  `bench/scale adapter-call-cpu: ${CLIENTS} clients a panel, ${CALLS} calls an operation, ${ROUNDS} measured rounds (+1 warm-up), ` +
    `${new Date().toISOString()}, Node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
const profile = process.env['BENCH_PROFILE'];
const session = profile === undefined ? undefined : new Session();
for (let r = 0; r <= ROUNDS; r++) {
  if (r === 1 && session !== undefined) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  for (const panel of served) {
    // Builds take turns within a round, so a busy moment of the machine falls on both.
    for (const build of r % 2 === 0 ? builds : [...builds].reverse()) {
      const { adapter, target } = adapters.get(key(build, panel.kind))!;
      const into =
        r === 0 ? (Object.fromEntries(OPS.map((op) => [op, fresh()])) as Record<Op, Measured>) : results.get(key(build, panel.kind))!;
      await round(build, adapter, panel, target, `${build.label === 'this tree' ? 'a' : 'b'}${r}`, into);
    }
  }
}
if (session !== undefined) {
  const { profile: taken } = await session.post('Profiler.stop');
  writeFileSync(profile!, JSON.stringify(taken));
  session.disconnect();
}

const emptyUs = await bareRoundTrips(2000, 0, 2);
const rows: string[][] = [];
const json: object[] = [];
for (const panel of served) {
  for (const op of OPS) {
    const cells: string[] = [panel.kind, op];
    let floorUs = 0;
    for (const build of builds) {
      const m = results.get(key(build, panel.kind))![op];
      const perCall = m.cpuUs / m.calls;
      const requests = m.requests / m.calls;
      if (build === builds[builds.length - 1]) {
        floorUs = (await bareRoundTrips(m.requests, m.bytesOut / m.requests, m.bytesIn / m.requests)) * requests;
        cells.push(requests.toFixed(2), `${Math.round(m.bytesOut / m.requests)} / ${Math.round(m.bytesIn / m.requests)}`);
      }
      cells.push(`${Math.round(perCall)}`);
      json.push({ build: build.label, kind: panel.kind, op, cpuUsPerCall: perCall, requestsPerCall: requests, ...m });
    }
    const last = results.get(key(builds[builds.length - 1]!, panel.kind))![op];
    cells.push(`${Math.round(floorUs)}`, `${(last.cpuUs / last.calls / floorUs).toFixed(1)}×`, `${(last.wallMs / last.calls).toFixed(2)}`);
    rows.push(cells);
  }
}
const header = [
  'kind',
  'call',
  ...(builds.length > 1 ? ['CPU µs / call (--compare)'] : []),
  'requests / call',
  'bytes out / in a request',
  'CPU µs / call',
  'floor µs / call (bare fetch, same requests and bytes)',
  '÷ floor',
  'wall ms / call',
];
const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
console.log([line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n'));
const creates = served.map((panel) => results.get(key(builds[builds.length - 1]!, panel.kind))!['create+links']);
const createFloors = rows.filter((cells) => cells[1] === 'create+links').map((cells) => Number(cells[cells.length - 3]));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(
  `\nan order's adapter CPU (create+links, the mean over the ${creates.length} kinds, as bench/scale spreads orders): ` +
    `${Math.round(mean(creates.map((m) => m.cpuUs / m.calls)))} µs, floor ${Math.round(mean(createFloors))} µs`,
);
console.log(`empty round trip (bare fetch, '{}' answered): ${Math.round(emptyUs)} µs CPU; load ${loadavg()[0]!.toFixed(2)}`);
if (values.json) console.log(JSON.stringify(json));
host.stop();
floor.stop();
