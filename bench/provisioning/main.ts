/**
 * bench/provisioning: 2000 orders over 4 fake panels with 25 ms latency per call and concurrency
 * 4 per panel, run by a started worker (`worker.start()`, as a replica runs it) until every job succeeded. Reports the wall time against the ideal ⌈N/(panels·concurrency)⌉·latency and
 * against a one-at-a-time worker measured in the same run.
 *
 *   node --conditions=@panelkit/source --import tsx bench/provisioning/main.ts [orders]
 */
import { createMemoryStorage } from '@panelkit/storage-memory';
import { createPanelkit } from '@panelkit/sdk';
// Not from `@panelkit/sdk/testing`: that entry also holds the vitest suites, which need the vitest runner.
import { ManualClock } from '../../packages/sdk/src/testing/manual-clock.js';
import type { Panelkit } from '@panelkit/sdk';
// The fake's own module: `@panelkit/sdk/testing` also holds the vitest suites, which need the vitest runner.
import { FakePanelAdapter } from '../../packages/sdk/src/testing/fake-panel/index.js';

const ORDERS = Number(process.argv[2] ?? 2000);
const PANELS = 4;
const CONCURRENCY = 4;
const LATENCY_MS = 25;

interface Setup {
  kit: Panelkit;
  fakes: FakePanelAdapter[];
}

async function setup(batchCreate: boolean, orders: number, concurrency: number, latencyMs = LATENCY_MS): Promise<Setup> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const storage = createMemoryStorage({ clock });
  const fakes = new Map<string, FakePanelAdapter>();
  const kit = createPanelkit({
    storage,
    clock,
    panels: (panel) => fakes.get(panel.id)!,
    policy: { identity: { secret: 'bench-secret-0123456789abcdef' } },
  });
  for (let i = 0; i < PANELS; i++) {
    const panel = await storage.panels.create({
      kind: 'fake',
      name: `p${i}`,
      baseUrl: `https://p${i}.example.com/`,
      credentials: { type: 'token', token: 't' },
    });
    fakes.set(panel.id, new FakePanelAdapter({ clock, latencyMs, capabilities: { batchCreate, maxConcurrency: concurrency } }));
    await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity: null });
  }
  const plan = await storage.plans.create({
    name: 'm',
    family: 'm',
    price: { amount: 100, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
  });
  const customer = await storage.customers.create({});
  await kit.topUp({ customerId: customer.id, amount: { amount: 100 * orders, currency: 'USD' }, idempotencyKey: 'bench' });
  for (let i = 0; i < orders; i++) {
    await kit.checkout({ customerId: customer.id, items: [{ planId: plan.id }], idempotencyKey: `o${i}` });
  }
  return { kit, fakes: [...fakes.values()] };
}

async function run(
  label: string,
  batchCreate: boolean,
  orders: number,
  workerOptions: { claimLimit?: number },
  concurrencyOverride?: number,
  latencyMs = LATENCY_MS,
) {
  const s = await setup(batchCreate, orders, concurrencyOverride ?? CONCURRENCY, latencyMs);
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

const ideal = Math.ceil(ORDERS / (PANELS * CONCURRENCY)) * LATENCY_MS;
console.log(
  `bench/provisioning: ${ORDERS} orders, ${PANELS} panels, ${LATENCY_MS} ms per panel call, concurrency ${CONCURRENCY} per panel`,
);
console.log(`ideal ⌈N/(panels·concurrency)⌉·latency = ${ideal} ms (one call per order)\n`);

const concurrent = await run('engine worker, one create call per order', false, ORDERS, { claimLimit: 1000 });
const batched = await run('engine worker, batch create (≤50 per call)', true, ORDERS, { claimLimit: 1000 });
// The baseline: one job at a time, one call at a time, over a sample, scaled to N (it is linear by construction).
const SAMPLE = Math.min(ORDERS, 200);
const serial = await run('one-at-a-time worker (sample)', false, SAMPLE, { claimLimit: 1 }, 1);
const serialMs = (serial.ms * ORDERS) / SAMPLE;

// The same run with no latency: what the engine and the memory storage cost in CPU per order.
const cpu = await run('engine worker, zero latency (CPU only)', false, ORDERS, { claimLimit: 1000 }, undefined, 0);

const row = (r: { label: string; ms: number; calls: number; peak: number }) =>
  `${r.label.padEnd(46)} ${r.ms.toFixed(0).padStart(7)} ms  ${(r.ms / ideal).toFixed(2).padStart(5)}× ideal  ${r.calls} panel calls  peak ${r.peak}/panel`;
console.log(row(concurrent));
console.log(row(batched));
console.log(
  `${cpu.label.padEnd(46)} ${cpu.ms.toFixed(0).padStart(7)} ms  (${((cpu.ms / ORDERS) * 1000).toFixed(0)} µs per order, single-threaded)`,
);
console.log(
  `${'one-at-a-time worker'.padEnd(46)} ${serialMs.toFixed(0).padStart(7)} ms  (measured ${SAMPLE} orders in ${serial.ms.toFixed(0)} ms, scaled ×${ORDERS / SAMPLE})`,
);
console.log(
  `\nspeed-up over one-at-a-time: ${(serialMs / concurrent.ms).toFixed(1)}× (one call per order), ${(serialMs / batched.ms).toFixed(1)}× (batched)`,
);
console.log(
  `each order costs 2 panel calls here (create, then links), so the call-bound floor is 2× the ideal: ${(concurrent.ms / (2 * ideal)).toFixed(2)}× of it`,
);
