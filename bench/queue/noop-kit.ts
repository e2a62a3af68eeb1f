/**
 * What `profile-run.ts` and `id-order.ts` share: a kit on a storage whose host job `bench.noop` does nothing but count,
 * and the CPU of the PostgreSQL server processes serving a database.
 */
import { readFileSync } from 'node:fs';
import { createPanelkit, defineHostJob } from '@panelkit/sdk';
import type { HostJobDefinition, Panelkit } from '@panelkit/sdk';
import { JsonObjectSchema } from '@panelkit/sdk/schemas';
import type { StoragePort } from '@panelkit/sdk/storage';

/**
 * A kit with no panels and its no-op job; `ran(n)` resolves once `n` of them have run since it was called; `run(n)`
 * starts a worker (claim limit 1 000, concurrency 24), and stops it once `n` have run: the milliseconds they took.
 */
export function noopKit(storage: StoragePort): {
  kit: Panelkit;
  noop: HostJobDefinition;
  ran(n: number): Promise<void>;
  run(n: number): Promise<number>;
} {
  let count = 0;
  let total = 0;
  let finish: () => void = () => undefined;
  const noop = defineHostJob({
    type: 'bench.noop',
    payload: JsonObjectSchema,
    async run() {
      if (++count === total) finish();
    },
  });
  const kit = createPanelkit({
    storage,
    panels: () => {
      throw new Error('no panels');
    },
    policy: { identity: { secret: 'bench-queue-secret-0123456789abcdef', prefix: 'pk' } },
  });
  const ran = (n: number) => {
    count = 0;
    total = n;
    return new Promise<void>((resolve) => (finish = resolve));
  };
  return {
    kit,
    noop,
    ran,
    async run(n) {
      const done = ran(n);
      const started = performance.now();
      const worker = kit.createWorker({ hostJobs: [noop], engineJobs: false, claimLimit: 1000, concurrency: 24 });
      worker.start();
      await done;
      const ms = performance.now() - started;
      await worker.stop();
      return ms;
    },
  };
}

/** CPU jiffies (user and system, 10 ms each) of the server processes serving `database` now. */
export async function serverTicks(
  db: { query(text: string, params: unknown[]): Promise<{ rows: { pid: number }[] }> },
  database: string,
): Promise<number> {
  const { rows } = await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database]);
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone meanwhile.
    }
  }
  return ticks;
}
