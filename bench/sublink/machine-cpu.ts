/**
 * CPU seconds from /proc for `bench/sublink`: the whole machine's (busy and total, all cores) and the PostgreSQL
 * backends serving given client ports (their process title names the client's address and port), so a step's
 * figures name what they cost beside the shop's own (`process.cpuUsage`).
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** Busy and total CPU seconds of the machine since boot (all cores). */
export function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

/** CPU seconds (user + system) a process has used, or 0 when it is gone. */
export function processCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(after[11]) + Number(after[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds used so far by each PostgreSQL backend whose client is one of `ports` on 127.0.0.1, by pid (its process
 * title names the client's address and port).
 */
export function backendsCpu(ports: ReadonlySet<number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      const port = /127\.0\.0\.1\((\d+)\)/.exec(readFileSync(`/proc/${entry}/cmdline`, 'utf8'))?.[1];
      if (port !== undefined && ports.has(Number(port))) out.set(Number(entry), processCpu(Number(entry)));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * CPU seconds the backends used between two {@link backendsCpu} readings: a backend opened meanwhile counts from 0;
 * one the pool closed meanwhile (idle for 10 s) is left out, with what it used in the step.
 */
export function backendsCpuBetween(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let sum = 0;
  for (const [pid, seconds] of after) sum += seconds - (before.get(pid) ?? 0);
  return sum;
}
