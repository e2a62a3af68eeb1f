/**
 * A shop selling kinds on one simulated panel served on 127.0.0.1: the engine as every integration test wires it, the
 * panel's targets synced (so they carry the kinds the adapter reports), a plan per list of kinds made on first use,
 * all on one `ManualClock` that the simulator shares.
 */
import type { Panel, Panelkit, Plan, Subscription, Target } from '@panelkit/sdk';
import type { EntitlementKind } from '@panelkit/sdk/kinds';
import type { PanelAdapter } from '@panelkit/sdk/adapter';
import type { StoragePort } from '@panelkit/sdk/storage';
import type { ManualClock } from '@panelkit/sdk/testing';
import { serveOnLocalhost, type RunningSimulator } from '@panelkit/panel-adapters/testing';
import type { KindPanelRig } from './kind-rigs.js';
import { createTestEngine, GiB, TICK_MS } from './shop.js';

/** What one unit of a single-kind plan costs; a bundle costs `BUNDLE_PRICE`, split over its parts. */
export const KIND_PRICE = 900;
export const BUNDLE_PRICE = 1_000;

export interface KindShop {
  clock: ManualClock;
  storage: StoragePort;
  rig: KindPanelRig;
  adapter: PanelAdapter;
  kit: Panelkit;
  panel: Panel;
  worker: ReturnType<Panelkit['createWorker']>;
  scheduler: ReturnType<Panelkit['createScheduler']>;
  /** The stored target serving `kind` (the only one the shop has for it). */
  targetOf(kind: EntitlementKind): Target;
  /** The plan selling exactly `kinds` (made on first use: 30 days, 10 GiB). */
  planOf(kinds: readonly EntitlementKind[]): Promise<Plan>;
  customer(balance: number): Promise<string>;
  balance(customerId: string): Promise<number>;
  sub(id: string): Promise<Subscription>;
  /** Moves time by `ms` and runs one scheduler tick. */
  tick(ms?: number): Promise<Awaited<ReturnType<ReturnType<Panelkit['createScheduler']>['tick']>>>;
  close(): Promise<void>;
}

let customers = 0;

/** Starts the rig's simulator on 127.0.0.1 and a shop over `storage` selling its kinds. */
export async function openKindShop(options: { clock: ManualClock; storage: StoragePort; rig: KindPanelRig }): Promise<KindShop> {
  const { clock, storage, rig } = options;
  const server: RunningSimulator = await serveOnLocalhost(rig.sim.handle);
  const adapter = rig.adapter(server.origin, clock);
  const { kit, worker, scheduler } = createTestEngine({ storage, clock, adapter });
  const panel = await kit.panels.add({
    kind: adapter.kind,
    name: rig.label,
    baseUrl: `${server.origin}/`,
    credentials: { type: 'password', username: 'admin', password: 'kept-by-the-adapter' },
    locationTags: ['de'],
  });
  const synced = await kit.targets.sync(panel.id, { capacity: 100, select: (remote) => rig.selectTargets(remote) });
  const targets = new Map<EntitlementKind, Target>();
  for (const target of synced.added) for (const kind of target.kinds) targets.set(kind, target);
  const plans = new Map<string, Plan>();
  return {
    clock,
    storage,
    rig,
    adapter,
    kit,
    panel,
    worker,
    scheduler,
    targetOf(kind) {
      const target = targets.get(kind);
      if (target === undefined) throw new Error(`no stored target serves ${kind}`);
      return target;
    },
    async planOf(kinds) {
      const name = kinds.join('+');
      let plan = plans.get(name);
      if (plan === undefined) {
        plan = await kit.plans.create({
          name,
          family: name,
          price: { amount: kinds.length > 1 ? BUNDLE_PRICE : KIND_PRICE, currency: 'USD' },
          durationDays: 30,
          trafficBytes: 10 * GiB,
          deviceLimit: 2,
          kinds: [...kinds],
        });
        plans.set(name, plan);
      }
      return plan;
    },
    async customer(balance) {
      const c = await kit.customers.create({ email: `kinds-buyer${++customers}@example.com` });
      await kit.topUp({ customerId: c.id, amount: { amount: balance, currency: 'USD' }, idempotencyKey: `seed-${c.id}` });
      return c.id;
    },
    balance: (customerId) => storage.ledger.balance(customerId, 'USD'),
    async sub(id) {
      const found = await storage.subscriptions.get(id);
      if (found === null) throw new Error(`subscription ${id} is gone`);
      return found;
    },
    async tick(ms = TICK_MS) {
      clock.advance(ms);
      return scheduler.tick();
    },
    async close() {
      await worker.stop({ timeoutMs: 1_000 });
      rig.sim.releaseHangs();
      await server.close();
    },
  };
}
