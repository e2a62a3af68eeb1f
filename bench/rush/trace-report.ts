/**
 * The bench's half of bench/rush's stage trace (`BENCH_TRACE=1`): each rush buyer's purchase laid out as the points
 * it passed, from the buy tap to the link message at the fake Bot API, put together from the replicas' traces
 * (`trace-replica.ts`) and the bench's own times; printed as the time between each point and the next at p50, p90
 * and p99 over the buyers, and as the mean of each for the slowest 1% (by the whole tap → link).
 */
import type { JobTrace, ReplicaTrace } from './trace-replica.js';

/** A rush buyer as the bench saw them: the buy tap posted, its answer, the link message's arrival (`clockMs`). */
export interface BuyerTimes {
  user: number;
  tapped: number;
  answered: number;
  link: number;
}

/** What ties the replicas' jobs to buyers: subscription id → user, notification delivery id → user. */
export interface TraceOwners {
  subscriptionUser: Map<string, number>;
  deliveryUser: Map<string, number>;
}

/** A panel request as the bench's simulated panel saw it (`clockMs`). */
export interface PanelRequest {
  in: number;
  out: number;
  path: string;
}

/** The points a purchase passes, in order; a buyer missing one is left out of that stage. */
const POINTS = [
  'buy tap posted',
  'webhook took the tap',
  'provisioning job enqueued (checkout)',
  'provisioning job claimed',
  'routed by the worker',
  'panel answered',
  'event job enqueued (provisioned written)',
  'event job claimed',
  'event job run starts',
  'send job enqueued',
  'send job claimed',
  'send job run starts',
  'link at the fake Bot API',
] as const;

type Point = (typeof POINTS)[number];

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');

function record(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found = (value as Record<string, unknown>)[key];
  return typeof found === 'string' ? found : undefined;
}

/** Prints the stage breakdown, the replicas' loop delay and pool waits, and who claimed what. */
export function printTrace(
  buyers: readonly BuyerTimes[],
  replicas: readonly ReplicaTrace[],
  owners: TraceOwners,
  panelRequests: readonly PanelRequest[] = [],
): void {
  const byUser = new Map<number, { provision?: JobTrace; events: JobTrace[]; send?: JobTrace; replicaOf: Map<JobTrace, number> }>();
  const slot = (user: number) => {
    let s = byUser.get(user);
    if (s === undefined) byUser.set(user, (s = { events: [], replicaOf: new Map() }));
    return s;
  };
  const tapIn = new Map<number, number>();
  const tapReplica = new Map<number, number>();
  for (const [r, replica] of replicas.entries()) {
    for (const tap of replica.taps) {
      tapIn.set(tap.user, tap.in);
      tapReplica.set(tap.user, r);
    }
    for (const job of replica.jobs) {
      const subscription = record(job.payload, 'subscriptionId');
      const delivery = record(job.payload, 'deliveryId');
      const subject = record(job.payload, 'subjectId');
      if (job.type === 'shop.notification.event' && subject !== undefined) {
        const user = owners.subscriptionUser.get(subject);
        if (user !== undefined) {
          const s = slot(user);
          s.events.push(job);
          s.replicaOf.set(job, r);
        }
      } else if (delivery !== undefined) {
        const user = owners.deliveryUser.get(delivery);
        if (user !== undefined) {
          const s = slot(user);
          s.send = job;
          s.replicaOf.set(job, r);
        }
      } else if (subscription !== undefined && job.type.includes('provision')) {
        const user = owners.subscriptionUser.get(subscription);
        if (user !== undefined) {
          const s = slot(user);
          s.provision = job;
          s.replicaOf.set(job, r);
        }
      }
    }
  }

  const rows: Array<{ user: number; total: number; at: Partial<Record<Point, number>>; crossReplica: boolean }> = [];
  for (const buyer of buyers) {
    const s = byUser.get(buyer.user);
    const p = s?.provision;
    const send = s?.send;
    // The event job that wrote the link's notice: the last one enqueued before its send job.
    const event = s?.events.filter((e) => send === undefined || e.createdAt <= send.createdAt).sort((a, b) => b.createdAt - a.createdAt)[0];
    const at: Partial<Record<Point, number>> = {
      'buy tap posted': buyer.tapped,
      'webhook took the tap': tapIn.get(buyer.user),
      'provisioning job enqueued (checkout)': p?.createdAt,
      'provisioning job claimed': p?.claimAnswered,
      'routed by the worker': p?.routed,
      'panel answered': p?.panelCalled,
      'event job enqueued (provisioned written)': event?.createdAt,
      'event job claimed': event?.claimAnswered,
      'event job run starts': event?.runStart,
      'send job enqueued': send?.createdAt,
      'send job claimed': send?.claimAnswered,
      'send job run starts': send?.runStart,
      'link at the fake Bot API': buyer.link,
    };
    const replicasSeen = new Set([p, event, send].filter((j) => j !== undefined).map((j) => s!.replicaOf.get(j!)));
    const tapR = tapReplica.get(buyer.user);
    if (tapR !== undefined) replicasSeen.add(tapR);
    rows.push({ user: buyer.user, total: buyer.link - buyer.tapped, at, crossReplica: replicasSeen.size > 1 });
  }
  rows.sort((a, b) => a.total - b.total);
  const slowest = rows.slice(Math.floor(rows.length * 0.99));
  const traced = rows.filter((r) => POINTS.every((p) => r.at[p] !== undefined)).length;
  console.log(`\ntrace (BENCH_TRACE=1): ${rows.length} rush buyers, ${traced} with every point; ms from each point to the next`);
  console.log(`${'stage'.padEnd(78)} ${'p50'.padStart(7)} ${'p90'.padStart(7)} ${'p99'.padStart(7)} ${'slowest 1%'.padStart(11)}`);
  const line = (label: string, deltas: (r: (typeof rows)[number]) => number | undefined) => {
    const all = rows
      .map(deltas)
      .filter((d): d is number => d !== undefined && Number.isFinite(d))
      .sort((a, b) => a - b);
    const slow = slowest.map(deltas).filter((d): d is number => d !== undefined && Number.isFinite(d));
    const mean = slow.reduce((a, b) => a + b, 0) / Math.max(1, slow.length);
    console.log(
      `${label.padEnd(78)} ${f(pct(all, 50)).padStart(7)} ${f(pct(all, 90)).padStart(7)} ${f(pct(all, 99)).padStart(7)} ${f(slow.length === 0 ? Number.NaN : mean).padStart(11)}`,
    );
  };
  for (let i = 1; i < POINTS.length; i++) {
    const from = POINTS[i - 1]!;
    const to = POINTS[i]!;
    line(`${from} → ${to}`, (r) => (r.at[to] === undefined || r.at[from] === undefined ? undefined : r.at[to]! - r.at[from]!));
  }
  line('whole: buy tap → link', (r) => r.total);
  const answered = new Map(buyers.map((b) => [b.user, b.answered - b.tapped]));
  line('(apart) buy tap → its answer at the bench', (r) => answered.get(r.user));
  console.log(
    `buyers whose tap, provisioning, event and send jobs were not all on one replica: ${rows.filter((r) => r.crossReplica).length} of ${rows.length}` +
      ` (slowest 1%: ${slowest.filter((r) => r.crossReplica).length} of ${slowest.length})`,
  );

  printProvisioningDetail(byUser, line, panelRequests);

  // How the jobs were claimed: claims' round trips and sizes, by job type.
  const allJobs = replicas.flatMap((r) => r.jobs);
  const types = [...new Set(allJobs.map((j) => j.type))];
  for (const type of types) {
    const of = allJobs.filter((j) => j.type === type);
    const rt = of.map((j) => j.claimAnswered - j.claimSent).sort((a, b) => a - b);
    const size = of.map((j) => j.claimSize).sort((a, b) => a - b);
    const ran = of
      .filter((j) => j.runStart !== undefined && j.runEnd !== undefined)
      .map((j) => j.runEnd! - j.runStart!)
      .sort((a, b) => a - b);
    console.log(
      `  ${type}: ${of.length} jobs; their claim's round trip p50 ${f(pct(rt, 50))} / p99 ${f(pct(rt, 99))} ms; jobs in their claim p50 ${pct(size, 50)} / p99 ${pct(size, 99)}` +
        (ran.length === 0 ? '' : `; handler p50 ${f(pct(ran, 50))} / p99 ${f(pct(ran, 99))} ms`),
    );
  }
  for (const [i, r] of replicas.entries())
    console.log(
      `  replica ${i}: event loop delay p50 ${f(r.loopDelayMs.p50)} / p99 ${f(r.loopDelayMs.p99)} / max ${f(r.loopDelayMs.max)} ms (mean ${f(r.loopDelayMs.mean)}); ` +
        `pool: ${r.pool.connects} connects, ${r.pool.waitedOver1ms} waited > 1 ms, wait p50 ${f(r.pool.p50)} / p99 ${f(r.pool.p99)} / max ${f(r.pool.max)} ms; ` +
        `jobs claimed ${r.jobs.length} in ${r.claims.sent} claims (${r.claims.empty} took nothing), ` +
        `jobsQueued calls ${r.signals.calls}, buy taps ${r.taps.length}`,
    );
  console.log(
    `  the slowest 1% (user: ms): ${slowest
      .slice(-10)
      .map((r) => `${r.user}: ${f(r.total)}`)
      .join(', ')}`,
  );
}

/**
 * The provisioning job's two longest stages taken apart. Its wait to be claimed: the target's serialisation key held by
 * the batch ahead (from the job's enqueue to that batch's completion written, the last one before the claim was sent,
 * on any replica), then the worker's delay in asking, then the claim's round trip. A completion's mark is taken after
 * its commit, so a claim sent between the two is measured from the batch before: the "delay in asking" then holds
 * part of the key's wait (bench/RESULTS.md, 2026-11-28 (morning)). Its run: from routed to the batch's
 * first panel request, the panel's requests (the first in to the last out), and from there to the answer handled.
 */
function printProvisioningDetail(
  byUser: ReadonlyMap<number, { provision?: JobTrace }>,
  line: (label: string, deltas: (r: { user: number }) => number | undefined) => void,
  panelRequests: readonly PanelRequest[],
): void {
  const provisions = [...byUser.values()].map((s) => s.provision).filter((p): p is JobTrace => p !== undefined);
  const settles = [...new Set(provisions.map((p) => p.settled).filter((t): t is number => t !== undefined))].sort((a, b) => a - b);
  /** The last completion written before `at`. */
  const settledBefore = (at: number) => {
    let lo = 0;
    let hi = settles.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (settles[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : settles[lo - 1];
  };
  const requests = [...panelRequests].sort((a, b) => a.in - b.in);
  /** The panel requests wholly inside [from, to]. */
  const inside = (from: number, to: number) => requests.filter((r) => r.in >= from && r.out <= to);
  const of = (r: { user: number }) => byUser.get(r.user)?.provision;
  console.log('provisioning in detail:');
  line("  enqueued → the batch ahead's completion written (key held)", (r) => {
    const p = of(r);
    const freed = p === undefined ? undefined : settledBefore(p.claimSent);
    return p === undefined ? undefined : Math.max(0, (freed ?? p.createdAt) - p.createdAt);
  });
  line('  max(enqueued, key freed) → claim sent', (r) => {
    const p = of(r);
    if (p === undefined) return undefined;
    return p.claimSent - Math.max(p.createdAt, settledBefore(p.claimSent) ?? 0);
  });
  line('  claim sent → claim answered', (r) => {
    const p = of(r);
    return p === undefined ? undefined : p.claimAnswered - p.claimSent;
  });
  if (requests.length > 0) {
    const within = (r: { user: number }) => {
      const p = of(r);
      if (p?.routed === undefined || p.panelCalled === undefined) return undefined;
      const found = inside(p.routed, p.panelCalled);
      return found.length === 0 ? undefined : { p, found };
    };
    line("  routed → the batch's first panel request", (r) => {
      const w = within(r);
      return w === undefined ? undefined : w.found[0]!.in - w.p.routed!;
    });
    line('  panel requests (first in → last out)', (r) => {
      const w = within(r);
      return w === undefined ? undefined : Math.max(...w.found.map((q) => q.out)) - w.found[0]!.in;
    });
    line('  last panel request out → panel answered (handled)', (r) => {
      const w = within(r);
      return w === undefined ? undefined : w.p.panelCalled! - Math.max(...w.found.map((q) => q.out));
    });
    line('  panel requests in the batch (count)', (r) => within(r)?.found.length);
    const paths = new Map<string, number>();
    for (const q of requests) paths.set(q.path, (paths.get(q.path) ?? 0) + 1);
    console.log(`  panel requests in the rush by path: ${[...paths].map(([path, n]) => `${path} ${n}`).join(', ')}`);
  }
  line('  panel answered → completion written', (r) => {
    const p = of(r);
    return p?.settled === undefined || p.panelCalled === undefined ? undefined : p.settled - p.panelCalled;
  });
}
