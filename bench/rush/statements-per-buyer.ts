/** bench/rush `--count`: the replicas' statement counts, fetched and printed per lone buyer. */
import type { ChildProcess } from 'node:child_process';
import type { StatementCounts } from './statement-count.js';

/** The statements every replica counted so far, summed. */
export async function countsOf(replicas: ReadonlyArray<{ child: ChildProcess }>): Promise<StatementCounts> {
  const all = await Promise.all(
    replicas.map(
      ({ child }) =>
        new Promise<StatementCounts>((resolve) => {
          const listener = (message: unknown) => {
            const counts = (message as { counts?: StatementCounts }).counts;
            if (counts === undefined) return;
            child.off('message', listener);
            resolve(counts);
          };
          child.on('message', listener);
          child.send({ cmd: 'counts' });
        }),
    ),
  );
  const sum: StatementCounts = {};
  for (const counts of all)
    for (const [label, byText] of Object.entries(counts))
      for (const [text, n] of Object.entries(byText)) {
        const into = (sum[label] ??= {});
        into[text] = (into[text] ?? 0) + n;
      }
  return sum;
}

const total = (byText: Record<string, number> | undefined) => Object.values(byText ?? {}).reduce((a, b) => a + b, 0);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
};

/**
 * Prints, from snapshots taken before each lone buyer (and one after the last), each label's statements a buyer:
 * the median over the buyers (a poll or the scheduler's tick lands in some buyers' window), and the mean.
 */
export function printStatementsPerBuyer(snapshots: StatementCounts[], title = 'statements a lone buyer sends'): void {
  const labels = [...new Set(snapshots.flatMap((s) => Object.keys(s)))].sort();
  const rows: Array<[string, number, number]> = [];
  for (const label of labels) {
    const per = snapshots.slice(1).map((after, i) => total(after[label]) - total(snapshots[i]![label]));
    rows.push([label, median(per), per.reduce((a, b) => a + b, 0) / per.length]);
  }
  console.log(`${title} (${snapshots.length - 1} buyers; median, mean):`);
  for (const [label, med, mean] of rows) console.log(`  ${label.padEnd(34)} ${String(med).padStart(4)}  ${mean.toFixed(2).padStart(7)}`);
  const sums = snapshots.slice(1).map((after, i) => labels.reduce((a, l) => a + total(after[l]) - total(snapshots[i]![l]), 0));
  console.log(
    `  ${'all'.padEnd(34)} ${String(median(sums)).padStart(4)}  ${(sums.reduce((a, b) => a + b, 0) / sums.length).toFixed(2).padStart(7)}`,
  );
  if (process.env['BENCH_DEBUG'] === undefined) return;
  const first = snapshots[0]!;
  const last = snapshots[snapshots.length - 1]!;
  const buyers = snapshots.length - 1;
  for (const label of labels) {
    console.log(`  ${label}:`);
    const texts = Object.keys(last[label] ?? {});
    for (const text of texts) {
      const n = (last[label]?.[text] ?? 0) - (first[label]?.[text] ?? 0);
      if (n > 0) console.log(`    ${(n / buyers).toFixed(2).padStart(6)}  ${text}`);
    }
  }
}

/** Prints each label's statements a second between two snapshots `seconds` apart (BENCH_DEBUG=1: by statement). */
export function printStatementsPerSecond(before: StatementCounts, after: StatementCounts, seconds: number, title: string): void {
  printStatementsPer(before, after, seconds, `${title} (over ${seconds} s; a second)`);
}

/**
 * Prints each label's statements between two snapshots divided by `n` (a rush's buyers, an idle spell's seconds), under
 * `title` (BENCH_DEBUG=1: by statement).
 */
export function printStatementsPer(before: StatementCounts, after: StatementCounts, n: number, title: string): void {
  const labels = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const rate = (count: number) => (count / n).toFixed(2).padStart(7);
  console.log(`${title}:`);
  let all = 0;
  for (const label of labels) {
    const count = total(after[label]) - total(before[label]);
    all += count;
    if (count > 0) console.log(`  ${label.padEnd(34)} ${rate(count)}`);
    if (count === 0 || process.env['BENCH_DEBUG'] === undefined) continue;
    for (const [text, m] of Object.entries(after[label] ?? {})) {
      const d = m - (before[label]?.[text] ?? 0);
      if (d > 0) console.log(`    ${rate(d)}  ${text}`);
    }
  }
  console.log(`  ${'all'.padEnd(34)} ${rate(all)}`);
}
