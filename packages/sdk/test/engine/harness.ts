import { createMemoryStorage } from '@panelkit/storage-memory';
import { createPanelkit } from '../../src/index.js';
import type { EnginePolicy, NewPlan, Panel, Panelkit, PanelkitOptions, Plan, Target, WorkerOptions } from '../../src/index.js';
import type { StoragePort } from '../../src/storage.js';
import { FakePanelAdapter, ManualClock } from '../../src/testing/index.js';
import type { FakePanelOptions } from '../../src/testing/index.js';

export const GiB = 1024 ** 3;
export const IDENTITY = { secret: 'engine-test-secret-0123456789', prefix: 'pk' };

export interface PanelSetup {
  panel: Panel;
  target: Target;
  fake: FakePanelAdapter;
}

export interface Harness {
  clock: ManualClock;
  storage: StoragePort;
  kit: Panelkit;
  panels: PanelSetup[];
  fakes: Map<string, FakePanelAdapter>;
  plan: Plan;
  addPanel(options?: FakePanelOptions & { capacity?: number | null; locationTags?: string[]; isDefault?: boolean }): Promise<PanelSetup>;
  addPlan(overrides?: Partial<NewPlan>): Promise<Plan>;
  customer(balance?: number): Promise<string>;
  balance(customerId: string): Promise<number>;
  worker(options?: WorkerOptions): ReturnType<Panelkit['createWorker']>;
}

export interface HarnessOptions {
  policy?: Partial<EnginePolicy>;
  panels?: number;
  panel?: FakePanelOptions & { capacity?: number | null };
  plan?: Partial<NewPlan>;
  /** Jitter; default 0.5 for reproducible retry times. */
  random?: () => number;
  /** The storage as the engine sees it (e.g. one that fails on cue); the harness itself uses the real one. */
  wrapStorage?: (storage: StoragePort) => StoragePort;
  /** Passed to `createPanelkit`. */
  storageRetry?: PanelkitOptions['storageRetry'];
  /** Passed to `createPanelkit`. */
  links?: PanelkitOptions['links'];
  /** The storage under test (e.g. PostgreSQL on PGlite, from `storage-postgres`'s tests); memory by default. */
  storage?: StorageFactory;
}

/** Makes a fresh, empty storage on the harness's clock. */
export type StorageFactory = (clock: ManualClock) => StoragePort | Promise<StoragePort>;

let counter = 0;

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const storage = options.storage === undefined ? createMemoryStorage({ clock }) : await options.storage(clock);
  const fakes = new Map<string, FakePanelAdapter>();
  const kit = createPanelkit({
    storage: options.wrapStorage?.(storage) ?? storage,
    clock,
    ...(options.storageRetry === undefined ? {} : { storageRetry: options.storageRetry }),
    ...(options.links === undefined ? {} : { links: options.links }),
    panels: (panel) => {
      const fake = fakes.get(panel.id);
      if (fake === undefined) throw new Error(`no fake for ${panel.id}`);
      return fake;
    },
    // The engine's own panel reads retry within one call on real time (the manual clock does not move them): the same
    // attempts as the SDK's default, 1 ms apart instead of a backoff from 250 ms. A test's own `panelReadRetry` wins.
    policy: { identity: IDENTITY, panelReadRetry: { baseDelayMs: 1, maxDelayMs: 1 }, ...options.policy },
    random: options.random ?? (() => 0.5),
  });
  const panels: PanelSetup[] = [];
  const harness: Harness = {
    clock,
    storage,
    kit,
    panels,
    fakes,
    plan: undefined as unknown as Plan,
    async addPanel(o = {}) {
      const n = ++counter;
      const panel = await storage.panels.create({
        kind: 'fake',
        name: `panel ${n}`,
        baseUrl: `https://panel${n}.example.com/`,
        credentials: { type: 'token', token: 't' },
        locationTags: o.locationTags ?? ['de'],
      });
      const fake = new FakePanelAdapter({ clock, ...options.panel, ...o });
      fakes.set(panel.id, fake);
      const target = await storage.targets.create({
        panelId: panel.id,
        remoteRef: '1',
        name: 'vless',
        protocol: 'vless',
        capacity: o.capacity === undefined ? (options.panel?.capacity ?? null) : o.capacity,
        isDefault: o.isDefault ?? false,
      });
      const setup = { panel, target, fake };
      panels.push(setup);
      return setup;
    },
    addPlan(overrides = {}) {
      return storage.plans.create({
        name: `plan ${++counter}`,
        family: 'standard',
        price: { amount: 1000, currency: 'USD' },
        durationDays: 30,
        trafficBytes: 50 * GiB,
        ...overrides,
      });
    },
    async customer(balance = 0) {
      const c = await storage.customers.create({ email: `c${++counter}@example.com` });
      if (balance > 0) await kit.topUp({ customerId: c.id, amount: { amount: balance, currency: 'USD' }, idempotencyKey: `seed-${c.id}` });
      return c.id;
    },
    balance: (customerId) => storage.ledger.balance(customerId, 'USD'),
    worker: (o) => kit.createWorker({ heartbeatIntervalMs: 3_600_000, ...o }),
  };
  for (let i = 0; i < (options.panels ?? 1); i++) await harness.addPanel();
  harness.plan = await harness.addPlan(options.plan);
  return harness;
}

/** A promise and its resolver (the storage conformance suite's own). */
export { deferred } from '../../src/testing/storage/support.js';
