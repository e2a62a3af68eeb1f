/**
 * bench/usage-sync: how a usage sync reads a big panel. For each panel kind, a simulator with
 * 20 000 clients is served on 127.0.0.1 and the adapter reads every client's usage twice:
 *
 * - the bulk walk: `listClients` page after page with the adapter's default page size; its API
 *   calls (counted at the simulator) against the minimum, ceil(clients / rows the panel's list API
 *   returns per call);
 * - the baseline: one `getClient` per client, in a loop. Running it for all 20 000 clients would
 *   take minutes on some kinds, so it runs on an evenly spread sample within a time budget and is
 *   scaled to the full panel (the per-call cost does not depend on which client is read).
 *
 * Run: node --conditions=@panelkit/source --import tsx bench/usage-sync/main.ts
 *      [--clients 20000] [--sample 200] [--budget-ms 20000] [--kinds xui-gen-a,xui-gen-b,sui,marzban,marzneshin,remnawave]
 */
import type { CallContext, RemoteClient } from '../../packages/sdk/src/adapter.js';
import { KINDS } from './kinds.js';
import type { BenchPanel } from './kinds.js';

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
}

const CLIENTS = Number(argument('clients', '20000'));
const SAMPLE = Number(argument('sample', '200'));
const BUDGET_MS = Number(argument('budget-ms', '20000'));
const SELECTED = argument('kinds', Object.keys(KINDS).join(',')).split(',');

let sequence = 0;
const ctx = (): CallContext => ({ signal: new AbortController().signal, idempotencyKey: `bench-${++sequence}` });

interface WalkResult {
  items: RemoteClient[];
  pages: number;
  calls: number;
  ms: number;
}

async function walk(panel: BenchPanel): Promise<WalkResult> {
  panel.resetRequestCounts();
  const started = performance.now();
  const items: RemoteClient[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const page = await panel.adapter.listClients({ cursor }, ctx());
    items.push(...page.items);
    pages++;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return { items, pages, calls: panel.requests.total, ms: performance.now() - started };
}

interface LoopResult {
  sampled: number;
  calls: number;
  ms: number;
}

async function perClientLoop(panel: BenchPanel, clients: readonly RemoteClient[]): Promise<LoopResult> {
  const step = Math.max(1, Math.floor(clients.length / SAMPLE));
  panel.resetRequestCounts();
  const started = performance.now();
  let sampled = 0;
  for (let i = 0; i < clients.length && sampled < SAMPLE; i += step) {
    const client = await panel.adapter.getClient(clients[i]!.ref, ctx());
    if (client === null) throw new Error(`getClient lost ${clients[i]!.ref.username}`);
    if (client.usedBytes !== clients[i]!.usedBytes) throw new Error(`usage differs for ${client.ref.username}`);
    sampled++;
    if (performance.now() - started > BUDGET_MS) break;
  }
  return { sampled, calls: panel.requests.total, ms: performance.now() - started };
}

const fmt = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);

async function benchOne(name: string): Promise<string> {
  const make = KINDS[name];
  if (make === undefined) throw new Error(`unknown kind ${name}; known: ${Object.keys(KINDS).join(', ')}`);
  const panel = await make(CLIENTS);
  try {
    const health = await panel.adapter.health(ctx()); // logs in and probes, so neither is counted below
    if (!health.ok) throw new Error(`${name}: the panel is not healthy: ${health.message ?? ''}`);

    const bulk = await walk(panel);
    const usernames = new Set(bulk.items.map((item) => item.ref.username));
    if (usernames.size !== bulk.items.length) throw new Error(`${name}: the walk listed a client twice`);
    if (bulk.items.length < CLIENTS) throw new Error(`${name}: the walk listed ${bulk.items.length} of ${CLIENTS} clients`);
    const pagesNeeded = Number.isFinite(panel.panelRowsPerCall) ? Math.ceil(bulk.items.length / panel.panelRowsPerCall) : 1;
    const minimum = pagesNeeded + (panel.extraCalls?.count ?? 0);

    const loop = await perClientLoop(panel, bulk.items);
    const perClientMs = loop.ms / loop.sampled;
    const callsPerClient = loop.calls / loop.sampled;
    const projectedMs = perClientMs * bulk.items.length;

    console.log(`\n${panel.kind}: ${bulk.items.length} clients (seeded in ${fmt(panel.seedMs)})`);
    console.log(`  bulk walk      : ${bulk.calls} API calls (minimum ${minimum}; ${bulk.pages} pages), ${fmt(bulk.ms)}`);
    console.log(`                   rows per call: ${panel.rowsPerCallSource}`);
    if (panel.extraCalls) console.log(`                   plus ${panel.extraCalls.count}: ${panel.extraCalls.why}`);
    console.log(
      `  getClient loop : ${callsPerClient.toFixed(2)} calls/client, ${perClientMs.toFixed(2)} ms/client on ${loop.sampled} clients` +
        ` → ${Math.round(callsPerClient * bulk.items.length)} calls, ${fmt(projectedMs)} for all (${(projectedMs / bulk.ms).toFixed(0)}× the walk)`,
    );
    return `| ${panel.kind} | ${bulk.items.length} | ${fmt(panel.seedMs)} | ${bulk.calls} | ${minimum} | ${fmt(bulk.ms)} | ${Math.round(callsPerClient * bulk.items.length)} | ${fmt(projectedMs)} (${loop.sampled} measured) | ${(projectedMs / bulk.ms).toFixed(0)}× |`;
  } finally {
    await panel.close();
  }
}

const rows: string[] = [];
for (const name of SELECTED) {
  try {
    rows.push(await benchOne(name));
  } catch (error) {
    console.error(`\n${name}: FAILED: ${error instanceof Error ? error.message : String(error)}`);
    rows.push(`| ${name} | failed: ${error instanceof Error ? error.message.replace(/\|/g, '/') : String(error)} ||||||||`);
  }
}
console.log('\n| Panel | Clients | Seed | Walk calls | Minimum | Walk time | Loop calls | Loop time (projected) | Loop / walk |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
console.log(`\nNode ${process.version}, ${new Date().toISOString()}`);
