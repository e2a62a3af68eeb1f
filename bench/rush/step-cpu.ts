/**
 * bench/rush: the replicas' CPU by step of a lone buyer (each tap, the jobs after the buy) and while idle, read from
 * Linux's per-thread scheduler statistics (`/proc/<pid>/task/<tid>/schedstat`: nanoseconds on a CPU, every thread of
 * the replica: its JavaScript, the garbage collector's helpers, libuv's pool). Read from the bench's process, so the
 * reading costs the replicas nothing; `/proc/<pid>/stat`'s 10 ms ticks are too coarse for a tap of a few ms.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** CPU ms the processes' threads have run so far (a thread that exited meanwhile drops out: Node's live on). */
export function threadsCpuMs(pids: readonly number[]): number {
  const { main, others } = threadsCpuSplitMs(pids);
  return main + others;
}

/**
 * {@link threadsCpuMs} split: each process's main thread (its JavaScript, and the garbage collector's work on it)
 * and its other threads (V8's optimizing compiler and GC helpers, libuv's pool).
 */
export function threadsCpuSplitMs(pids: readonly number[]): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        if (tid === String(pid)) main += ns;
        else others += ns;
      } catch {
        // exited meanwhile
      }
    }
  }
  return { main: main / 1e6, others: others / 1e6 };
}

/** One step's window: the replicas' CPU in it and its wall time, both in ms. */
interface Window {
  cpuMs: number;
  wallMs: number;
  /** Its start and end on CLOCK_MONOTONIC in µs, the clock of a V8 CPU profile's timestamps. */
  fromUs: number;
  toUs: number;
}

/** Now on CLOCK_MONOTONIC, in µs: the clock a V8 CPU profile's timestamps are on. */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0
    ? Number.NaN
    : sorted.length % 2 === 1
      ? sorted[(sorted.length - 1) / 2]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
};

/**
 * The replicas' CPU by step, over the steps timed while `recording` is on (lone buyers after the warm-up). A window
 * holds whatever the replicas ran in it: a tap's own work, and any poll or scheduler tick that fell in it (netted
 * out with the idle rate) or job that overlapped it (the buy tap's checkout wakes the worker before it answers).
 */
export class StepCpu {
  private readonly windows = new Map<string, Window[]>();
  private idle: { cpuMsPerSecond: number; seconds: number } | null = null;
  recording = false;

  constructor(private readonly cpuMs: () => number) {}

  /** Runs `fn`, recording the replicas' CPU and the wall time it took under `label` (when recording). */
  async time<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const cpu = this.cpuMs();
    const wall = performance.now();
    const fromUs = monotonicUs();
    const result = await fn();
    if (this.recording) {
      const list = this.windows.get(label) ?? [];
      list.push({ cpuMs: this.cpuMs() - cpu, wallMs: performance.now() - wall, fromUs, toUs: monotonicUs() });
      this.windows.set(label, list);
    }
    return result;
  }

  /** The recorded windows of the steps whose label starts with `prefix`, as `from-to` µs on CLOCK_MONOTONIC. */
  profileWindows(prefix: string): string[] {
    return [...this.windows.entries()]
      .filter(([label]) => label.startsWith(prefix))
      .flatMap(([, windows]) => windows.map((w) => `${w.fromUs}-${w.toUs}`));
  }

  /** Measures the replicas' CPU while nothing is asked of them for `seconds` (the worker's polls, scheduler ticks). */
  async measureIdle(seconds: number, wait: (ms: number) => Promise<unknown>): Promise<void> {
    const cpu = this.cpuMs();
    const wall = performance.now();
    await wait(seconds * 1000);
    this.idle = { cpuMsPerSecond: ((this.cpuMs() - cpu) * 1000) / (performance.now() - wall), seconds };
  }

  /** The idle rate (CPU ms a second), or 0 when not measured. */
  idleRate(): number {
    return this.idle?.cpuMsPerSecond ?? 0;
  }

  /** The sum of the steps' median CPU (ms). */
  sumOfMedians(): number {
    let sum = 0;
    for (const windows of this.windows.values()) sum += median(windows.map((w) => w.cpuMs));
    return sum;
  }

  /**
   * Prints each step's median CPU, raw and less the idle rate over its wall time, in the order the steps were timed;
   * with `BENCH_DEBUG=1` also every window of each step, in the order run (`cpu/wall` ms), to show how they spread.
   * `whose`: the processes measured, as the title names them.
   */
  print(whose = "replicas'"): void {
    const rate = this.idleRate() / 1000;
    const buyers = Math.max(0, ...[...this.windows.values()].map((w) => w.length));
    console.log(
      `${whose} CPU a lone buyer by step (${buyers} buyers after the warm-up; median ms; "net": less the idle rate over the step's wall time):`,
    );
    let raw = 0;
    let net = 0;
    for (const [label, windows] of this.windows) {
      const cpu = median(windows.map((w) => w.cpuMs));
      const less = median(windows.map((w) => w.cpuMs - rate * w.wallMs));
      raw += cpu;
      net += less;
      console.log(
        `  ${label.padEnd(44)} ${cpu.toFixed(2).padStart(7)} ms  net ${less.toFixed(2).padStart(7)} ms  (wall ${median(windows.map((w) => w.wallMs)).toFixed(0)} ms)`,
      );
      if (process.env['BENCH_DEBUG'] === '1')
        console.log(`    each, in order (cpu/wall ms): ${windows.map((w) => `${w.cpuMs.toFixed(1)}/${w.wallMs.toFixed(0)}`).join(' ')}`);
    }
    console.log(`  ${'sum of the medians'.padEnd(44)} ${raw.toFixed(2).padStart(7)} ms  net ${net.toFixed(2).padStart(7)} ms`);
    if (this.idle !== null)
      console.log(
        `  idle background (worker polls, scheduler ticks every 15 s; over ${this.idle.seconds} s) ${this.idle.cpuMsPerSecond.toFixed(2)} ms a second`,
      );
  }
}
