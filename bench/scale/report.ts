/** bench/scale's results, as markdown tables for bench/RESULTS.md. */
import type { TickReport } from '../../packages/sdk/src/index.js';
import type { PhaseCost } from './machine.js';
import type { ServedPanel } from './panel-kinds.js';

/** What a replica answers to one command. */
export interface ReplicaAnswer {
  result: TickReport | { claimed: number };
  ms: number;
  cpuMs: number;
  statements: number;
  transactions: number;
  rssBytes: number;
  heapBytes: number;
}

export interface UsageRun {
  replicas: number;
  answers: ReplicaAnswer[];
  cost: PhaseCost;
}

export interface TickRun {
  label: string;
  due: number;
  answer: ReplicaAnswer;
  cost: PhaseCost;
}

/** Requests one panel answered (in all and by route) and the most it answered at once. */
export interface PanelCalls {
  total: number;
  peak: number;
  byRoute: Record<string, number>;
}

export interface OrdersRun {
  replicas: number;
  orders: number;
  checkoutS: number;
  answers: ReplicaAnswer[];
  cost: PhaseCost;
  calls: Map<number, PanelCalls>;
  served: readonly ServedPanel[];
  statuses: { status: string; n: number }[];
}

/** The per-panel concurrency every adapter here allows (`capabilities.maxConcurrency`). */
export const TOLERATED_CONCURRENCY = 4;

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)}`;
const s = (x: number) => x.toFixed(1);
const load = (c: PhaseCost) => `${c.loadBefore[0]!.toFixed(2)} → ${c.loadAfter[0]!.toFixed(2)}`;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function usageTable(runs: readonly UsageRun[], total: number): string {
  return table(
    [
      'replicas',
      'cycle wall',
      'clients synced',
      'panels per replica',
      'statements',
      'statements / synced sub',
      'statements / s',
      'rows updated / synced sub',
      'of them heap-only',
      'rows read / synced sub',
      'PostgreSQL CPU',
      'replicas CPU',
      'panel hosts CPU',
      'CPU µs / synced sub (PostgreSQL + replicas + panels)',
      'machine busy',
      'RSS per replica (MB)',
      'load (1 min)',
    ],
    runs.map((run) => {
      const reports = run.answers.map((a) => (a.result as TickReport).usage);
      const synced = sum(reports.map((u) => u?.clients ?? 0));
      const statements = sum(run.answers.map((a) => a.statements));
      const per = (x: number) => (synced === 0 ? '—' : (x / synced).toFixed(3));
      return [
        `${run.replicas}`,
        `${s(run.cost.wallS)} s`,
        `${synced.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`,
        reports.map((u) => u?.panels ?? 0).join(' / '),
        statements.toLocaleString('en-US'),
        per(statements),
        `${Math.round(statements / run.cost.wallS)}`,
        per(run.cost.pg.updated),
        run.cost.pg.updated === 0 ? '—' : `${Math.round((run.cost.pg.hotUpdated / run.cost.pg.updated) * 100)}%`,
        per(run.cost.pg.returned + run.cost.pg.fetched),
        `${s(run.cost.postgresCpuS)} s`,
        `${s(run.cost.groupsCpuS['replicas'] ?? 0)} s`,
        `${s(run.cost.groupsCpuS['panels'] ?? 0)} s`,
        synced === 0
          ? '—'
          : [run.cost.postgresCpuS, run.cost.groupsCpuS['replicas'] ?? 0, run.cost.groupsCpuS['panels'] ?? 0]
              .map((cpu) => Math.round((cpu * 1e6) / synced))
              .join(' + '),
        `${Math.round(run.cost.machineBusy * 100)}% of ${run.cost.cores} cores`,
        run.answers.map((a) => mb(a.rssBytes)).join(' / '),
        load(run.cost),
      ];
    }),
  );
}

export function tickTable(runs: readonly TickRun[], total: number): string {
  return table(
    [
      'tick (one replica, usage sync off)',
      'stored',
      'due',
      'expired',
      'tick wall',
      'statements',
      'statements / due',
      'PostgreSQL CPU',
      'replica CPU',
      'load (1 min)',
    ],
    runs.map((run) => {
      const report = run.answer.result as TickReport;
      return [
        run.label,
        total.toLocaleString('en-US'),
        run.due.toLocaleString('en-US'),
        `${report.expired}`,
        `${Math.round(run.answer.ms)} ms`,
        run.answer.statements.toLocaleString('en-US'),
        run.due === 0 ? '—' : (run.answer.statements / run.due).toFixed(1),
        `${s(run.cost.postgresCpuS)} s`,
        `${s(run.answer.cpuMs / 1000)} s`,
        load(run.cost),
      ];
    }),
  );
}

/**
 * The latency floor of the calls a run made: a panel answering `calls` requests, each taking its
 * latency, `TOLERATED_CONCURRENCY` at a time, needs at least ⌈calls / concurrency⌉ · latency; the
 * run needs at least its slowest panel's.
 */
export function latencyFloorMs(run: OrdersRun): number {
  let floor = 0;
  for (const panel of run.served) {
    const calls = run.calls.get(panel.index)?.total ?? 0;
    floor = Math.max(floor, Math.ceil(calls / TOLERATED_CONCURRENCY) * panel.latencyMs);
  }
  return floor;
}

/**
 * The CPU floor of a run on this machine: every CPU second it used (PostgreSQL's, the replicas', the panel
 * hosts') spread over all cores. Here the simulated panels share the cores with the engine, so a run cannot
 * end sooner than this, however short its latency floor.
 */
export function cpuFloorS(cost: PhaseCost): number {
  const used = cost.postgresCpuS + (cost.groupsCpuS['replicas'] ?? 0) + (cost.groupsCpuS['panels'] ?? 0);
  return used / cost.cores;
}

export function orderTable(runs: readonly OrdersRun[]): string {
  return table(
    [
      'replicas',
      'orders',
      'provisioned',
      'wall',
      'latency floor',
      'wall ÷ floor',
      'CPU floor (all CPU ÷ cores)',
      'wall ÷ CPU floor',
      'panel calls',
      'peak calls at once on one panel',
      'statements / order',
      'PostgreSQL CPU',
      'replicas CPU / order',
      'machine busy',
      'RSS per replica (MB)',
      'checkout (16 at once, SDK)',
      'load (1 min)',
    ],
    runs.map((run) => {
      const floorMs = latencyFloorMs(run);
      const calls = sum([...run.calls.values()].map((c) => c.total));
      const peak = Math.max(...[...run.calls.values()].map((c) => c.peak));
      const statements = sum(run.answers.map((a) => a.statements));
      const active = run.statuses.filter((r) => r.status === 'active').reduce((n, r) => n + r.n, 0);
      return [
        `${run.replicas}`,
        `${run.orders}`,
        `${active} active${run.statuses.some((r) => r.status !== 'active') ? ` (${run.statuses.map((r) => `${r.n} ${r.status}`).join(', ')})` : ''}`,
        `${s(run.cost.wallS)} s`,
        `${s(floorMs / 1000)} s`,
        `${(run.cost.wallS / (floorMs / 1000)).toFixed(2)}×`,
        `${s(cpuFloorS(run.cost))} s`,
        `${(run.cost.wallS / cpuFloorS(run.cost)).toFixed(2)}×`,
        calls.toLocaleString('en-US'),
        `${peak} (adapter allows ${TOLERATED_CONCURRENCY} across replicas)`,
        (statements / run.orders).toFixed(1),
        `${s(run.cost.postgresCpuS)} s`,
        `${Math.round(((run.cost.groupsCpuS['replicas'] ?? 0) * 1e6) / run.orders)} µs`,
        `${Math.round(run.cost.machineBusy * 100)}%`,
        run.answers.map((a) => mb(a.rssBytes)).join(' / '),
        `${s(run.checkoutS)} s (${Math.round(run.orders / run.checkoutS)}/s)`,
        load(run.cost),
      ];
    }),
  );
}
