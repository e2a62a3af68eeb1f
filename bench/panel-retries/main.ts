/**
 * bench/panel-retries: what a panel that is down sees, and how soon the orders go through once it is back.
 * ORDERS orders on one simulated Marzban over real HTTP (concurrency 4); every API request answers 503 for
 * OUTAGE_MS, then the panel is well again. Two runs in one process on the same code:
 *
 * - "engine only" (this release): the adapter makes one attempt per call; the job's retries are the worker's.
 * - "adapter retries inside": every adapter method wrapped in the SDK's retry policy (4 attempts, backoff from
 *   250 ms), as `PanelHttp.retrying` did before: retries inside job retries, sleeping while holding a slot.
 *
 * It prints the requests the panel answered while down, the job attempts that failed (`job:retried`), their
 * ratio (the requests a panel sees per call the engine admitted; 1 is the floor), the most in flight at once,
 * and the time from the panel's recovery to the last order active, beside the same run with no outage.
 */
import { loadavg } from 'node:os';
import { createMarzbanAdapter } from '../../packages/panel-adapters/src/index.js';
import { createMarzbanSimulator, serveOnLocalhost } from '../../packages/panel-adapters/src/testing.js';
import { createMemoryStorage } from '../../packages/storage-memory/src/index.js';
import { createPanelkit, systemClock } from '../../packages/sdk/src/index.js';
import { DEFAULT_RETRY_POLICY, withRetry, type CallContext, type PanelAdapter } from '../../packages/sdk/src/adapter.js';
import { ManualClock } from '../../packages/sdk/src/testing/manual-clock.js';

const ORDERS = Number(process.argv[2] ?? 200);
const OUTAGE_MS = Number(process.argv[3] ?? 3000);
const PASSWORD = 'bench-password-0123456789';

/** Every adapter method as one attempt under the SDK's retry policy, the way adapters retried before. */
function retryingInside(adapter: PanelAdapter): PanelAdapter {
  return new Proxy(adapter, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || key === 'constructor') return value;
      return (...args: unknown[]) => {
        const ctx = args[args.length - 1] as CallContext;
        return withRetry((attempt) => value.apply(target, [...args.slice(0, -1), { ...ctx, attempt }]), {
          policy: DEFAULT_RETRY_POLICY,
          signal: ctx.signal,
        });
      };
    },
  });
}

async function run(label: string, wrap: (a: PanelAdapter) => PanelAdapter, outageMs: number) {
  const simClock = new ManualClock();
  const sim = createMarzbanSimulator({ clock: simClock, adminUsername: 'owner', adminPassword: PASSWORD });
  let down = false;
  let downRequests = 0;
  let requests = 0;
  let inFlight = 0;
  let peak = 0;
  const server = await serveOnLocalhost(async (request) => {
    requests++;
    peak = Math.max(peak, ++inFlight);
    try {
      if (down && !new URL(request.url).pathname.endsWith('/api/admin/token')) {
        downRequests++;
        return new Response('Service Unavailable', { status: 503 });
      }
      return await sim.handle(request);
    } finally {
      inFlight--;
    }
  });
  const storage = createMemoryStorage({ clock: systemClock });
  const adapter = wrap(createMarzbanAdapter({ baseUrl: server.origin, auth: { username: 'owner', password: PASSWORD }, clock: simClock }));
  const kit = createPanelkit({
    storage,
    clock: systemClock,
    panels: () => adapter,
    policy: { identity: { secret: 'bench-secret-0123456789abcdef' } },
  });
  const panel = await storage.panels.create({
    kind: 'marzban',
    name: 'm',
    baseUrl: server.origin,
    credentials: { type: 'token', token: 't' },
  });
  await kit.targets.sync(panel.id, { select: (targets) => targets.filter((t) => t.remoteRef === 'VLESS TCP REALITY') });
  const plan = await storage.plans.create({
    name: 'm',
    family: 'm',
    price: { amount: 1, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
  });
  const customer = await storage.customers.create({});
  await kit.topUp({ customerId: customer.id, amount: { amount: ORDERS, currency: 'USD' }, idempotencyKey: 'bench' });
  const subs: string[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const { subscriptions } = await kit.checkout({ customerId: customer.id, items: [{ planId: plan.id }], idempotencyKey: `o${i}` });
    subs.push(subscriptions[0]!.id);
  }
  requests = 0;
  peak = 0;
  let failedAttempts = 0;
  kit.events.on('job:retried', () => void failedAttempts++);
  down = outageMs > 0;
  const worker = kit.createWorker({ pollIntervalMs: 20 });
  const started = performance.now();
  worker.start();
  await new Promise((resolve) => setTimeout(resolve, outageMs));
  down = false;
  const upAt = performance.now();
  for (;;) {
    const active = (await Promise.all(subs.map((id) => storage.subscriptions.get(id)))).filter((s) => s?.status === 'active').length;
    if (active === ORDERS) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const recoveredMs = performance.now() - upAt;
  const totalMs = performance.now() - started;
  await worker.stop();
  await server.close();
  return { label, downRequests, failedAttempts, requests, peak, recoveredMs, totalMs };
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`bench/panel-retries: ${ORDERS} orders, one Marzban (concurrency 4), outage ${OUTAGE_MS} ms; load ${load()}`);
await run('warm-up', (a) => a, 0);
const floor = await run('no outage (the floor)', (a) => a, 0);
const rows = [floor];
for (const [label, wrap] of [
  ['engine only (this release)', (a: PanelAdapter) => a],
  ['adapter retries inside (before)', retryingInside],
  ['engine only (this release), again', (a: PanelAdapter) => a],
  ['adapter retries inside (before), again', retryingInside],
] as const) {
  rows.push(await run(label, wrap, OUTAGE_MS));
}
console.log(`load after ${load()}`);
console.table(
  rows.map((r) => ({
    run: r.label,
    'requests while down': r.downRequests,
    'failed job attempts': r.failedAttempts,
    'requests per job attempt': r.failedAttempts === 0 ? '—' : (r.downRequests / r.failedAttempts).toFixed(2),
    'requests in all': r.requests,
    'peak in flight': r.peak,
    'recovery ms': Math.round(r.recoveredMs),
    '÷ floor': (r.recoveredMs / floor.recoveredMs).toFixed(2),
  })),
);
