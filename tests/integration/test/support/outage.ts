/**
 * Panel outages on the manual clock: a panel that can be switched off (every request a 503 while it is
 * down), and a driver that walks replicas through an outage minute by minute and reports what the
 * engine did: when it noticed, how many attempts it spent while the panel was known to be down, and
 * how soon after the panel came back every order was live.
 */
import { JOB_TYPES } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import type { ManualClock } from '@panelkit/sdk/testing';
import type { FetchHandler } from '@panelkit/panel-adapters/testing';

/** A simulator's handler behind a switch. */
export interface SwitchablePanel {
  readonly handle: FetchHandler;
  setDown(down: boolean): void;
}

export function switchablePanel(inner: FetchHandler): SwitchablePanel {
  let down = false;
  return {
    handle: (request) => (down ? Promise.resolve(new Response('service unavailable', { status: 503 })) : inner(request)),
    setDown(value) {
      down = value;
    },
  };
}

/** One replica as the driver sees it: in this process or another one. */
export interface OutageReplica {
  setClock(iso: string): Promise<unknown>;
  tick(): Promise<unknown>;
  drain(): Promise<unknown>;
}

export interface OutageOptions {
  clock: ManualClock;
  /** The test's own view of the shared storage. */
  storage: StoragePort;
  replicas: readonly OutageReplica[];
  panel: SwitchablePanel;
  panelId: string;
  subscriptionIds: readonly string[];
  outageMs: number;
  /** How far the clock moves between rounds (every replica ticks, then drains). Default 1 minute. */
  stepMs?: number;
  /** The step once the panel is known to be down and its jobs are parked, until it comes back. Default 5 minutes. */
  parkedStepMs?: number;
}

export interface OutageReport {
  /** From the outage's start until the panel was stored as unhealthy. */
  noticedAfterMs: number;
  /** Attempts of the provisioning jobs, summed, when the panel was marked unhealthy and when it came back. */
  attemptsWhenNoticed: number;
  attemptsAtRecovery: number;
  /** Whether every provisioning job was parked on the panel just before it came back. */
  allParkedAtRecovery: boolean;
  /** From the panel coming back until every subscription was active (`null`: not within 30 minutes). */
  liveAfterMs: number | null;
}

async function provisioningJobs(storage: StoragePort, subscriptionIds: readonly string[]) {
  return Promise.all(
    subscriptionIds.map(async (id) => (await storage.jobs.list({ dedupeKey: `${JOB_TYPES.provision}:${id}` }, { limit: 1 })).items[0]!),
  );
}

async function round(options: OutageOptions, stepMs = options.stepMs ?? 60_000): Promise<void> {
  const { clock, replicas } = options;
  clock.advance(stepMs);
  const now = clock.now().toISOString();
  await Promise.all(replicas.map((r) => r.setClock(now)));
  await Promise.all(replicas.map((r) => r.tick()));
  await Promise.all(replicas.map((r) => r.drain()));
}

/**
 * Takes the panel down for `outageMs` (the orders are expected to be placed already), then brings it
 * back, and runs rounds until every subscription is active or 30 minutes have passed.
 */
export async function rideOutOutage(options: OutageOptions): Promise<OutageReport> {
  const { clock, storage, panel, panelId, subscriptionIds } = options;
  const start = clock.now().getTime();
  panel.setDown(true);
  let noticedAfterMs = Number.NaN;
  let attemptsWhenNoticed = Number.NaN;
  while (clock.now().getTime() - start < options.outageMs) {
    const left = options.outageMs - (clock.now().getTime() - start);
    await round(options, Math.min(left, Number.isNaN(noticedAfterMs) ? (options.stepMs ?? 60_000) : (options.parkedStepMs ?? 5 * 60_000)));
    if (Number.isNaN(noticedAfterMs) && (await storage.panels.get(panelId))!.health.status === 'unhealthy') {
      noticedAfterMs = clock.now().getTime() - start;
      attemptsWhenNoticed = (await provisioningJobs(storage, subscriptionIds)).reduce((sum, j) => sum + j.attempts, 0);
    }
  }
  const parked = await provisioningJobs(storage, subscriptionIds);
  const attemptsAtRecovery = parked.reduce((sum, j) => sum + j.attempts, 0);
  const allParkedAtRecovery = parked.every((j) => j.state === 'queued' && j.parkedOn === panelId);
  panel.setDown(false);
  const upAt = clock.now().getTime();
  let liveAfterMs: number | null = null;
  while (clock.now().getTime() - upAt < 30 * 60_000) {
    await round(options);
    const subs = await Promise.all(subscriptionIds.map((id) => storage.subscriptions.get(id)));
    if (subs.every((s) => s?.status === 'active')) {
      liveAfterMs = clock.now().getTime() - upAt;
      break;
    }
  }
  return { noticedAfterMs, attemptsWhenNoticed, attemptsAtRecovery, allParkedAtRecovery, liveAfterMs };
}
