/**
 * Process B of `jobs-queued-replicas.test.ts`: a started worker on PostgreSQL that polls every ten minutes, so a
 * job it runs within the test's time of being queued was woken by the storage's signal. Reports over IPC: `ready`
 * once the storage listens and a claim that began after that came back empty (the worker sleeps now), with how many
 * claims it had made, and `ran` with the job's id and the number of the claim that took it; asked `count`, answers
 * `claims` with how many claims it has made.
 */
import pg from 'pg';
import { createPanelkit, defineHostJob } from '@panelkit/sdk';
import { JsonObjectSchema } from '@panelkit/sdk/schemas';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createPostgresStorage, fromPgPool } from '../../src/index.js';

type Message = { type: 'ready'; claims: number } | { type: 'ran'; jobId: string; claims: number } | { type: 'claims'; claims: number };
const send = (message: Message) => process.send?.(message);

const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'], max: 2 });
const storage = createPostgresStorage({ client: fromPgPool(pool), schema: process.env['SCHEMA'] });

let claims = 0;
/** The number of the claim that took each job. */
const claimedBy = new Map<string, number>();
let listening = false;
let ready = false;
const counted: StoragePort = new Proxy(storage, {
  get(target, property) {
    if (property !== 'jobs') return Reflect.get(target, property, target);
    return {
      ...target.jobs,
      claim: async (request: Parameters<StoragePort['jobs']['claim']>[0]) => {
        const afterListening = listening;
        const number = ++claims;
        const claimed = await target.jobs.claim(request);
        for (const { job } of claimed) claimedBy.set(job.id, number);
        if (afterListening && !ready && claimed.length === 0) {
          ready = true;
          send({ type: 'ready', claims });
        }
        return claimed;
      },
    };
  },
});

const woken = defineHostJob({
  type: 'test.woken',
  payload: JsonObjectSchema,
  async run(_payload, { job }) {
    send({ type: 'ran', jobId: job.id, claims: claimedBy.get(job.id) ?? -1 });
  },
});

// Subscribed before the worker: its first call says the storage listens.
storage.jobsQueued?.subscribe(() => {
  listening = true;
});
const kit = createPanelkit({
  storage: counted,
  panels: () => {
    throw new Error('this worker runs host jobs only');
  },
  policy: { identity: { secret: 'woken-worker-secret-0123456789', prefix: 'pk' } },
});
const worker = kit.createWorker({ hostJobs: [woken], engineJobs: false, pollIntervalMs: 600_000 });
worker.start();

process.on('message', async (message: { type: string }) => {
  if (message.type === 'count') send({ type: 'claims', claims });
  if (message.type !== 'stop') return;
  await worker.stop();
  await storage.close();
  await pool.end();
  process.exit(0);
});
