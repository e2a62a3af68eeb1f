import type { Job } from '@panelkit/sdk';
import type { TimeKey } from '@panelkit/sdk/storage';
import { timeKey } from '@panelkit/sdk/storage';
import { compareNumbers, compareStrings, compareTimeKeys } from '../internal/keys.js';
import type { RowIndex } from '../internal/row-index.js';
import { ALL, SortedIndex } from '../internal/sorted-index.js';
import { Table } from '../internal/table.js';
import { UniqueIndex } from '../internal/unique-index.js';

/** `(priority, runAt ms, id)`: the order jobs are claimed in. */
export type QueueKey = readonly [priority: number, runAtMs: number, id: string];

export function compareQueueKeys(a: QueueKey, b: QueueKey): number {
  return compareNumbers(a[0], b[0]) || compareNumbers(a[1], b[1]) || compareStrings(a[2], b[2]);
}

export interface JobTables {
  readonly jobs: Table<Job>;
  /** At most one queued job per dedupe key (a partial unique index). */
  readonly queuedByKey: UniqueIndex<Job>;
  /** At most one running job per dedupe key (a partial unique index). */
  readonly runningByKey: UniqueIndex<Job>;
  /** Running jobs per serialisation key: a key with any is held. */
  readonly runningBySerialKey: SortedIndex<Job, TimeKey>;
  /** Queued jobs in claim order. */
  readonly queue: SortedIndex<Job, QueueKey>;
  /** Queued jobs with a batch key in claim order, partitioned by the key: a claim's batches. */
  readonly queuedByBatchKey: SortedIndex<Job, QueueKey>;
  /** Queued jobs parked on a panel, partitioned by panel id, for `unpark`. */
  readonly parked: SortedIndex<Job, TimeKey>;
  /** Running jobs by `(leaseExpiresAt, id)`, for reaping. */
  readonly leases: SortedIndex<Job, TimeKey>;
  /** Newest-first listing: everything, per state, per dedupe key. */
  readonly byCreated: SortedIndex<Job, TimeKey>;
  readonly byState: SortedIndex<Job, TimeKey>;
  readonly byDedupeKey: SortedIndex<Job, TimeKey>;
  /**
   * Raised by every write that leaves a job queued and due when written, or takes a job with a dedupe or serialisation
   * key out of `running`; the storage signals it after the commit.
   */
  readonly queuedDue: QueuedDueFlag;
}

/** Whether a job was written queued and due since the storage last lowered the flag (see `StoragePort.jobsQueued`). */
export interface QueuedDueFlag {
  raised: boolean;
}

/**
 * The memory storage's counterpart of PostgreSQL's `jobs_queued_notify` and `jobs_key_freed_notify` triggers: watches
 * every row written to the jobs table (inserts, replacements, removals) and raises the flag when one is queued with
 * `runAt` at or before its `updatedAt` (due on the storage's clock when written), and when a job with a dedupe or
 * serialisation key leaves `running` (whether or not a queued job has that key: a signal more, which the port allows).
 * An undo that puts a queued row back raises it too.
 */
function queuedDueWatch(flag: QueuedDueFlag): RowIndex<Job> {
  const watch = (job: Job) => {
    if (job.state === 'queued' && job.runAt.getTime() <= job.updatedAt.getTime()) flag.raised = true;
  };
  const keyedRunning = (job: Job) => job.state === 'running' && (job.serialKey !== null || job.dedupeKey !== null);
  return {
    add: watch,
    remove: (job) => {
      if (keyedRunning(job)) flag.raised = true;
    },
    replace: (before, after) => {
      if (keyedRunning(before) && after.state !== 'running') flag.raised = true;
      watch(after);
    },
  };
}

function createdIndex(partition: (job: Job) => string | null): SortedIndex<Job, TimeKey> {
  return new SortedIndex<Job, TimeKey>({ partition, key: (j) => timeKey(j.createdAt, j.id), compare: compareTimeKeys });
}

export function createJobTables(): JobTables {
  const queuedByKey = new UniqueIndex<Job>('a queued job with this dedupe key', (j) => (j.state === 'queued' ? j.dedupeKey : null));
  const runningByKey = new UniqueIndex<Job>('a running job with this dedupe key', (j) => (j.state === 'running' ? j.dedupeKey : null));
  const queueIndex = (partition: (j: Job) => string | null) =>
    new SortedIndex<Job, QueueKey>({ partition, key: (j) => [j.priority, j.runAt.getTime(), j.id], compare: compareQueueKeys });
  const queue = queueIndex((j) => (j.state === 'queued' ? ALL : null));
  const queuedByBatchKey = queueIndex((j) => (j.state === 'queued' ? j.batchKey : null));
  const leases = new SortedIndex<Job, TimeKey>({
    partition: (j) => (j.state === 'running' && j.leaseExpiresAt !== null ? ALL : null),
    key: (j) => timeKey(j.leaseExpiresAt ?? j.runAt, j.id),
    compare: compareTimeKeys,
  });
  const runningBySerialKey = createdIndex((j) => (j.state === 'running' ? j.serialKey : null));
  const parked = createdIndex((j) => (j.state === 'queued' ? j.parkedOn : null));
  const byCreated = createdIndex(() => ALL);
  const byState = createdIndex((j) => j.state);
  const byDedupeKey = createdIndex((j) => j.dedupeKey);
  const queuedDue: QueuedDueFlag = { raised: false };
  const jobs = new Table<Job>(
    'job',
    [queuedByKey, runningByKey],
    [queue, queuedByBatchKey, parked, leases, runningBySerialKey, byCreated, byState, byDedupeKey, queuedDueWatch(queuedDue)],
  );
  return {
    jobs,
    queuedByKey,
    runningByKey,
    runningBySerialKey,
    queue,
    queuedByBatchKey,
    parked,
    leases,
    byCreated,
    byState,
    byDedupeKey,
    queuedDue,
  };
}
