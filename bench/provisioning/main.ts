/**
 * bench/provisioning: 2000 orders over 4 fake panels with 25 ms latency per call and concurrency
 * 4 per panel, run by a started worker (`worker.start()`, as a replica runs it) until every job
 * succeeded. The panels return each client's links with the create (as Marzban's answer does), so an
 * order costs no `links` call. Reports each wall time against its floor: the calls it made,
 * ⌈calls/(panels·concurrency)⌉·latency, or the same run's CPU at zero latency where that is longer;
 * and against one-at-a-time workers measured in the same run (with and without links in the create).
 *
 *   node --conditions=@panelkit/source --import tsx bench/provisioning/main.ts [orders]
 */
import { loadavg } from 'node:os';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { createPanelkit } from '@panelkit/sdk';
// Not from `@panelkit/sdk/testing`: that entry also holds the vitest suites, which need the vitest runner.
import { ManualClock } from '../../packages/sdk/src/testing/manual-clock.js';
import type { Panelkit } from '@panelkit/sdk';
// The fake's own module: `@panelkit/sdk/testing` also holds the vitest suites, which need the vitest runner.
import { FakePanelAdapter } from '../../packages/sdk/src/testing/fake-panel/index.js';
import { seedOrdersOnFakePanels } from '../support/fake-panel-orders.js';

const ORDERS = Number(process.argv[2] ?? 2000);
const PANELS = 4;
const CONCURRENCY = 4;
const LATENCY_MS = 25;

interface Setup {
  kit: Panelkit;
  fakes: FakePanelAdapter[];
}

async function setup(
  batchCreate: boolean,
  orders: number,
  concurrency: number,
  latencyMs: number,
  linksWithCreate: boolean,
): Promise<Setup> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const storage = createMemoryStorage({ clock });
  const fakes = new Map<string, FakePanelAdapter>();
  const kit = createPanelkit({
    storage,
    clock,
    panels: (panel) => fakes.get(panel.id)!,
    policy: { identity: { secret: 'bench-secret-0123456789abcdef' } },
  });
  await seedOrdersOnFakePanels(kit, storage, fakes, {
    panels: PANELS,
    orders,
    adapterFor: () =>
      new FakePanelAdapter({ clock, latencyMs, linksWithCreate, capabilities: { batchCreate, maxConcurrency: concurrency } }),
  });
  return { kit, fakes: [...fakes.values()] };
}

async function run(
  label: string,
  batchCreate: boolean,
  orders: number,
  workerOptions: { claimLimit?: number },
  concurrencyOverride?: number,
  latencyMs = LATENCY_MS,
  linksWithCreate = true,
) {
  const s = await setup(batchCreate, orders, concurrencyOverride ?? CONCURRENCY, latencyMs, linksWithCreate);
  const worker = s.kit.createWorker({ ...workerOptions, heartbeatIntervalMs: 3_600_000, pollIntervalMs: 50 });
  // As a replica runs: `start()` claims more while a claim's last jobs finish; done when every job is.
  let settled = 0;
  const allDone = new Promise<void>((resolve) =>
    s.kit.events.on('job:succeeded', () => {
      if (++settled === orders) resolve();
    }),
  );
  const started = performance.now();
  worker.start();
  await allDone;
  const ms = performance.now() - started;
  await worker.stop();
  const claimed = settled;
  const calls = s.fakes.reduce((n, f) => n + f.calls.createClients + f.calls.links, 0);
  const created = s.fakes.reduce((n, f) => n + f.created, 0);
  if (claimed !== orders || created !== orders) throw new Error(`${label}: ${claimed} jobs, ${created} clients for ${orders} orders`);
  return { label, ms, calls, peak: Math.max(...s.fakes.map((f) => f.peakConcurrency)) };
}

const slotsMs = (calls: number) => Math.ceil(calls / (PANELS * CONCURRENCY)) * LATENCY_MS;
console.log(
  `bench/provisioning: ${ORDERS} orders, ${PANELS} panels, ${LATENCY_MS} ms per panel call, concurrency ${CONCURRENCY} per panel; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`,
);

const concurrent = await run('engine worker, one create call per order', false, ORDERS, { claimLimit: 1000 });
const batched = await run('engine worker, batch create (≤50 per call)', true, ORDERS, { claimLimit: 1000 });
// The CPU floor: the same runs with no latency (the engine and the memory storage, one thread).
const cpu = await run('engine worker, zero latency', false, ORDERS, { claimLimit: 1000 }, undefined, 0);
const cpuBatched = await run('engine worker, batch create, zero latency', true, ORDERS, { claimLimit: 1000 }, undefined, 0);
// The baselines: one job at a time, one call at a time, over a sample, scaled to N (linear by construction).
const SAMPLE = Math.min(ORDERS, 200);
const serial = await run('one-at-a-time worker', false, SAMPLE, { claimLimit: 1 }, 1);
const serialLinks = await run('one-at-a-time worker, links asked apart', false, SAMPLE, { claimLimit: 1 }, 1, LATENCY_MS, false);
const scaled = (ms: number) => (ms * ORDERS) / SAMPLE;

const floorOf = (r: { calls: number }, cpuMs: number) => Math.max(slotsMs(r.calls), cpuMs);
const row = (r: { label: string; ms: number; calls: number; peak: number }, floor: number) =>
  `${r.label.padEnd(46)} ${r.ms.toFixed(0).padStart(7)} ms  ${(r.ms / floor).toFixed(2).padStart(5)}× its floor ${floor.toFixed(0)} ms  ${r.calls} panel calls  peak ${r.peak}/panel`;
console.log(row(concurrent, floorOf(concurrent, cpu.ms)));
console.log(row(batched, floorOf(batched, cpuBatched.ms)));
for (const r of [cpu, cpuBatched])
  console.log(
    `${r.label.padEnd(46)} ${r.ms.toFixed(0).padStart(7)} ms  (${((r.ms / ORDERS) * 1000).toFixed(0)} µs per order, single-threaded)`,
  );
for (const r of [serial, serialLinks])
  console.log(
    `${r.label.padEnd(46)} ${scaled(r.ms).toFixed(0).padStart(7)} ms  (measured ${SAMPLE} orders in ${r.ms.toFixed(0)} ms, ${r.calls} calls, scaled ×${ORDERS / SAMPLE})`,
  );
console.log(
  `\nbatched vs one-at-a-time: ${(scaled(serial.ms) / batched.ms).toFixed(1)}× (links in the create), ${(scaled(serialLinks.ms) / batched.ms).toFixed(1)}× (links asked apart, the old worker)`,
);
