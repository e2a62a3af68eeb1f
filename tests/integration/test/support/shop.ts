/**
 * A shop as a host wires it: one storage, the engine over one simulated panel served on
 * 127.0.0.1, a plan, a customer with money, a worker and a scheduler, all on one `ManualClock`
 * that the simulator shares.
 */
import {
  createPanelkit,
  type EnginePolicy,
  type HostJobDefinition,
  type Panel,
  type Panelkit,
  type Plan,
  type Target,
} from '@panelkit/sdk';
import type { PanelAdapter } from '@panelkit/sdk/adapter';
import type { StoragePort } from '@panelkit/sdk/storage';
import type { ManualClock } from '@panelkit/sdk/testing';
import { serveOnLocalhost, type RunningSimulator } from '@panelkit/panel-adapters/testing';
import type { PanelKindRig } from './kinds.js';

export const GiB = 1024 ** 3;
export const DAY = 86_400_000;
export const IDENTITY = { secret: 'integration-identity-secret-51f0a7', prefix: 'it' };
/** The scheduler's slot; each tick in a test moves the clock by at least this. */
export const TICK_MS = 60_000;
/**
 * The engine's own panel reads (a health check, a usage page) retry within one call on real time, not on the manual
 * clock: the SDK's default backoff (4 attempts from 250 ms) spent 0.9 s of every tick on a panel that is down (an
 * outage's six hours: 64 s of waiting). The same attempts, 5-20 ms apart, as the adapters' own retries.
 */
export const PANEL_READ_RETRY = { baseDelayMs: 5, maxDelayMs: 20 } as const;

export interface Shop {
  clock: ManualClock;
  storage: StoragePort;
  rig: PanelKindRig;
  adapter: PanelAdapter;
  server: RunningSimulator;
  kit: Panelkit;
  panel: Panel;
  target: Target;
  plan: Plan;
  worker: ReturnType<Panelkit['createWorker']>;
  scheduler: ReturnType<Panelkit['createScheduler']>;
  customer(balance: number): Promise<string>;
  balance(customerId: string): Promise<number>;
  /** Moves time by `ms` and runs one scheduler tick (which the moved clock lets it win). */
  tick(ms?: number): Promise<Awaited<ReturnType<ReturnType<Panelkit['createScheduler']>['tick']>>>;
  close(): Promise<void>;
}

export interface ShopOptions {
  clock: ManualClock;
  storage: StoragePort;
  rig: PanelKindRig;
  /** Serve on this simulator instead of starting one (replicas share one panel). */
  server?: RunningSimulator;
  /** Use this stored panel, target and plan instead of creating them (replicas share one database). */
  existing?: { panel: Panel; target: Target; plan: Plan };
  workerId?: string;
  /** Most jobs the worker claims at once (default the worker's). */
  claimLimit?: number;
  /** Overrides of the test engine's policy (e.g. `jobRetry: {}` for the SDK's default retries). */
  policy?: Partial<EnginePolicy>;
}

/** The engine as every integration test wires it; replica processes (`replicas/`) wire it the same way. */
export function createTestEngine(options: {
  storage: StoragePort;
  clock: ManualClock;
  adapter: PanelAdapter;
  workerId?: string | undefined;
  claimLimit?: number | undefined;
  policy?: Partial<EnginePolicy>;
  /** The host's job types the worker runs beside the engine's (`defineHostJob`). */
  hostJobs?: readonly HostJobDefinition[];
}) {
  const { storage, clock, adapter } = options;
  const kit = createPanelkit({
    storage,
    clock,
    panels: () => adapter,
    // Engine retries run on the manual clock: a test moves time past `retryAt` to run them.
    policy: {
      identity: IDENTITY,
      tickIntervalMs: TICK_MS,
      jobRetry: { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 10_000 },
      panelReadRetry: PANEL_READ_RETRY,
      ...options.policy,
    },
    random: () => 0.5,
  });
  const worker = kit.createWorker({
    heartbeatIntervalMs: 3_600_000,
    ...(options.workerId === undefined ? {} : { id: options.workerId }),
    ...(options.claimLimit === undefined ? {} : { claimLimit: options.claimLimit }),
    ...(options.hostJobs === undefined ? {} : { hostJobs: options.hostJobs }),
  });
  return { kit, worker, scheduler: kit.createScheduler() };
}

let customers = 0;

export async function openShop(options: ShopOptions): Promise<Shop> {
  const { clock, storage, rig } = options;
  const server = options.server ?? (await serveOnLocalhost(rig.sim.handle));
  const adapter = rig.adapter(server.origin, clock);
  const { kit, worker, scheduler } = createTestEngine({
    storage,
    clock,
    adapter,
    workerId: options.workerId,
    claimLimit: options.claimLimit,
    ...(options.policy === undefined ? {} : { policy: options.policy }),
  });
  let { panel, target, plan } = options.existing ?? {};
  if (panel === undefined || target === undefined || plan === undefined) {
    panel = await kit.panels.add({
      kind: adapter.kind,
      name: rig.label,
      baseUrl: `${server.origin}/`,
      credentials: { type: 'password', username: 'admin', password: 'kept-by-the-adapter' },
      locationTags: ['de'],
    });
    // One target, the one the rig's assertions read, as the panel's default.
    const synced = await kit.targets.sync(panel.id, { capacity: 100, select: (remote) => [rig.pickTarget(remote)] });
    const [only] = synced.added;
    if (only === undefined || synced.added.length !== 1 || !only.isDefault) throw new Error('the sync stored no single default target');
    target = only;
    plan = await kit.plans.create({
      name: 'monthly 10 GiB',
      family: 'standard',
      price: { amount: 1_000, currency: 'USD' },
      durationDays: 30,
      trafficBytes: 10 * GiB,
      deviceLimit: 2,
    });
  }
  const ownServer = options.server === undefined;
  return {
    clock,
    storage,
    rig,
    adapter,
    server,
    kit,
    panel,
    target,
    plan,
    worker,
    scheduler,
    async customer(balance) {
      const c = await kit.customers.create({ email: `buyer${++customers}@example.com` });
      if (balance > 0) await kit.topUp({ customerId: c.id, amount: { amount: balance, currency: 'USD' }, idempotencyKey: `seed-${c.id}` });
      return c.id;
    },
    balance: (customerId) => storage.ledger.balance(customerId, 'USD'),
    async tick(ms = TICK_MS) {
      clock.advance(ms);
      return scheduler.tick();
    },
    async close() {
      await worker.stop({ timeoutMs: 1_000 });
      rig.sim.releaseHangs();
      if (ownServer) await server.close();
    },
  };
}
