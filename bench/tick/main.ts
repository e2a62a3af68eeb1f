/**
 * bench/tick: one scheduler tick over 1 000 000 subscriptions of which 1 000 are due, against one
 * over 1 000 subscriptions of which 1 000 are due (memory storage). The tick's cost should follow
 * what is due, not how much is stored. Seeding is timed separately.
 *
 *   node --max-old-space-size=6144 --conditions=@panelkit/source --import tsx bench/tick/main.ts [total]
 */
import { createMemoryStorage } from '@panelkit/storage-memory';
import { ManualClock, createPanelkit } from '@panelkit/sdk';
import type { RemoteIdentity, StoragePort } from '@panelkit/sdk';
// The fake's own module: `@panelkit/sdk/testing` also holds the vitest suites, which need the vitest runner.
import { FakePanelAdapter } from '../../packages/sdk/src/testing/fake-panel/index.js';

const LARGE = Number(process.argv[2] ?? 1_000_000);
const DUE = 1_000;
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
  const kit = createPanelkit({ storage, clock, panels: () => fake, policy: { identity: { secret: 'bench-secret-0123456789abcdef' } } });
  const panel = await storage.panels.create({ kind: 'fake', name: 'p', baseUrl: 'https://p.example.com/', credentials: { type: 'token', token: 't' } });
  const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless' });
  const plan = await storage.plans.create({ name: 'm', family: 'm', price: { amount: 100, currency: 'USD' }, durationDays: 30, trafficBytes: null });
  const customer = await storage.customers.create({});
  const now = clock.now().getTime();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    // The due ones expired a minute ago; the rest expire 4 to 34 days out (outside every window).
    const expiresAt = new Date(i < due ? now - 60_000 : now + 4 * DAY + (i % (30 * 24)) * 3_600_000);
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
  return { kit, storage, clock, seedMs: performance.now() - started };
}

async function measure(total: number) {
  const { kit, storage, clock, seedMs } = await seed(total, DUE);
  const scheduler = kit.createScheduler();
  const t0 = performance.now();
  const report = await scheduler.tick();
  const tickMs = performance.now() - t0;
  if (report.expired !== DUE) throw new Error(`expected ${DUE} expired, got ${report.expired}`);
  clock.advance(60_000);
  const t1 = performance.now();
  const idle = await scheduler.tick();
  const idleMs = performance.now() - t1;
  if (idle.expired !== 0) throw new Error('the second tick found work');
  await settle(storage);
  return { total, seedMs, tickMs, idleMs };
}

async function settle(storage: StoragePort) {
  await storage.close();
}

console.log(`bench/tick: one tick with ${DUE} subscriptions due (expiry), memory storage`);
await measure(DUE); // warm-up: JIT and first-use costs, discarded
const small = await measure(DUE);
const large = await measure(LARGE);
const fmt = (r: typeof small) =>
  `${String(r.total).padStart(9)} stored: tick ${r.tickMs.toFixed(0).padStart(6)} ms (${DUE} due), next tick ${r.idleMs.toFixed(1).padStart(6)} ms (0 due); seeding ${(r.seedMs / 1000).toFixed(1)} s`;
console.log(fmt(small));
console.log(fmt(large));
console.log(`\nratio tick(${LARGE} stored) ÷ tick(${DUE} stored), same ${DUE} due: ${(large.tickMs / small.tickMs).toFixed(2)}×`);
console.log(`heap used after: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
