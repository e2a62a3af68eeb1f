/**
 * CPU seconds from /proc for `bench/sublink`: the PostgreSQL backends serving given client ports, so a step's
 * figures name what they cost beside the shop's own (`process.cpuUsage`).
 */
import { postgresProcessesCpu } from '../support/proc-cpu.js';

/**
 * CPU seconds used so far by each PostgreSQL backend whose client is one of `ports` on 127.0.0.1, by pid (its process
 * title names the client's address and port).
 */
export function backendsCpu(ports: ReadonlySet<number>): Map<number, number> {
  return postgresProcessesCpu((title) => {
    const port = /127\.0\.0\.1\((\d+)\)/.exec(title)?.[1];
    return port !== undefined && ports.has(Number(port));
  });
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
