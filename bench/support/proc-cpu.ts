/**
 * CPU seconds from Linux's /proc, for the benches that say what bounds their figures: the whole machine's (all
 * cores), one process's, and the PostgreSQL server's processes picked by their process title (which names the
 * database and the client's address and port).
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks a second in /proc (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** Busy and total CPU seconds of the machine since boot, all cores together. */
export function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

/**
 * CPU seconds (user + system) a process has used, or 0 when it is gone; with `children`, plus what its exited
 * children used (a PostgreSQL backend's CPU lands on the postmaster when it exits).
 */
export function processCpu(pid: number, children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = Number(after[11]) + Number(after[12]);
    return (children ? own + Number(after[13]) + Number(after[14]) : own) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * The CPU seconds used so far by each `postgres` process whose title (its command line, spaces between the words)
 * `picks`, by pid; with `children` as {@link processCpu}.
 */
export function postgresProcessesCpu(picks: (title: string) => boolean, children = false): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      if (picks(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ')))
        out.set(Number(entry), processCpu(Number(entry), children));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
