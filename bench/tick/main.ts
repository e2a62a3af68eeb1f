/**
 * bench/tick: one scheduler tick over 1 000 000 subscriptions of which 1 000 are due, against one
 * over 1 000 subscriptions of which 1 000 are due (memory storage). The tick's cost should follow
 * what is due, not how much is stored. Seeding is timed separately.
 *
 *   node --max-old-space-size=6144 --conditions=@panelkit/source --import tsx bench/tick/main.ts [total]
 */
import { createMemoryStorage } from '@panelkit/storage-memory';
import { createPanelkit } from '@panelkit/sdk';
// Not from `@panelkit/sdk/testing`: that entry also holds the vitest suites, which need the vitest runner.
import { ManualClock } from '../../packages/sdk/src/testing/manual-clock.js';
import { PerformanceObserver } from 'node:perf_hooks';
import type { RemoteIdentity } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
// The fake's own module: `@panelkit/sdk/testing` also holds the vitest suites, which need the vitest runner.
import { FakePanelAdapter } from '../../packages/sdk/src/testing/fake-panel/index.js';

const LARGE = Number(process.argv[2] ?? 1_000_000);
const DUE = 1_000;
/** Ticks measured per size; group k of DUE subscriptions falls due in round k. */
const ROUNDS = 5;
const DAY = 86_400_000;

/** A valid identity with a unique username, without the cost of deriving one per row. */
function identity(i: number): RemoteIdentity {
  return {
    username: `pk_${i.toString(36).padStart(8, '0')}`,
    uuid: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
    password: 'bench-password-0123456789',
    subId: 'abcdefghij234567',
    ssKey: 'YmVuY2gta2V5LWJlbmNoLWtleS1iZW5jaC1rZXktMTI=',
    generation: 0,
  };
}

async function seed(total: number, due: number) {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const storage = createMemoryStorage({ clock });
  const fake = new FakePanelAdapter({ clock });
  const panel = await storage.panels.create({
    kind: 'fake',
    name: 'p',
    baseUrl: 'https://p.example.com/',
    credentials: { type: 'token', token: 't' },
  });
  const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless' });
  const plan = await storage.plans.create({
    name: 'm',
    family: 'm',
    price: { amount: 100, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
  });
  const customer = await storage.customers.create({});
  const now = clock.now().getTime();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    // Group k (the first ROUNDS·due rows) falls due in round k; the rest expire 4 to 34 days
    // out, outside every renewal and warning window.
    const group = Math.floor(i / due);
    const expiresAt = new Date(group < ROUNDS ? now + group * 3_600_000 - 60_000 : now + 4 * DAY + (i % (30 * 24)) * 3_600_000);
    await storage.subscriptions.create({
      id: `sub_${i}`,
      customerId: customer.id,
      orderId: null,
      planId: plan.id,
      panelId: panel.id,
      targetId: target.id,
      status: 'active',
      remote: identity(i),
      trafficLimitBytes: null,
      expiresAt,
      activatedAt: new Date(now - DAY),
      durationDays: 30,
      startOnFirstUse: false,
    });
  }
  return { storage, clock, fake, seedMs: performance.now() - started };
}

/** Counts storage calls (transactions' calls included): the engine's work, independent of timing. */
function counting(storage: StoragePort): { storage: StoragePort; calls: () => number } {
  let calls = 0;
  const wrapRepos = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, prop, receiver) {
        const value = Reflect.get(t, prop, receiver);
        if (typeof value === 'object' && value !== null && prop !== 'capabilities') {
          return new Proxy(value, {
            get(r, name, rr) {
              const fn = Reflect.get(r, name, rr);
              return typeof fn === 'function' ? (...args: unknown[]) => (calls++, fn.apply(r, args)) : fn;
            },
          });
        }
        if (prop === 'transaction') {
          const port = t as unknown as StoragePort;
          return (fn: (tx: object) => Promise<unknown>) => (calls++, port.transaction((tx) => fn(wrapRepos(tx))));
        }
        return value;
      },
    });
  return { storage: wrapRepos(storage), calls: () => calls };
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

async function measure(total: number) {
  const seeded = await seed(total, DUE);
  const { storage: counted, calls } = counting(seeded.storage);
  const kit = createPanelkit({
    storage: counted,
    clock: seeded.clock,
    panels: () => seeded.fake,
    policy: { identity: { secret: 'bench-secret-0123456789abcdef' } },
  });
  const scheduler = kit.createScheduler();
  await new Promise((r) => setTimeout(r, 200)); // let seeding's GC entries arrive before counting
  const ticks: { ms: number; gc: number; calls: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0) seeded.clock.advance(3_600_000);
    const [c0, g0, t0] = [calls(), gcMs, performance.now()];
    const report = await scheduler.tick();
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 20)); // GC entries are delivered asynchronously
    if (report.expired !== DUE) throw new Error(`round ${round}: expected ${DUE} expired, got ${report.expired}`);
    ticks.push({ ms, gc: gcMs - g0, calls: calls() - c0 });
  }
  seeded.clock.advance(60_000);
  const t1 = performance.now();
  const idle = await scheduler.tick();
  const idleMs = performance.now() - t1;
  if (idle.expired !== 0) throw new Error('the idle tick found work');
  await seeded.storage.close();
  const median = <T>(xs: T[], key: (x: T) => number) => xs.map(key).sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    total,
    seedMs: seeded.seedMs,
    tickMs: median(ticks, (t) => t.ms),
    gcMs: median(ticks, (t) => t.gc),
    calls: median(ticks, (t) => t.calls),
    idleMs,
    all: ticks.map((t) => `${t.ms.toFixed(0)}/${t.gc.toFixed(0)}`).join(', '),
  };
}

console.log(`bench/tick: one tick with ${DUE} subscriptions due (expiry), memory storage`);
await measure(DUE * ROUNDS); // warm-up: JIT and first-use costs, discarded
const small = await measure(DUE * ROUNDS);
const large = await measure(LARGE);
const fmt = (r: typeof small) =>
  `${String(r.total).padStart(9)} stored: tick ${r.tickMs.toFixed(0).padStart(5)} ms median of ${ROUNDS} [ms/GC ms: ${r.all}] (${DUE} due; ${r.gcMs.toFixed(0)} ms of it GC; ${r.calls} storage calls), idle tick ${r.idleMs.toFixed(1)} ms; seeding ${(r.seedMs / 1000).toFixed(1)} s`;
console.log(fmt(small));
console.log(fmt(large));
console.log(
  `\nratio tick(${LARGE} stored) ÷ tick(${DUE * ROUNDS} stored), same ${DUE} due: ${(large.tickMs / small.tickMs).toFixed(2)}× wall, ${((large.tickMs - large.gcMs) / (small.tickMs - small.gcMs)).toFixed(2)}× without GC pauses, ${(large.calls / small.calls).toFixed(2)}× storage calls`,
);
console.log(`heap used after: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
