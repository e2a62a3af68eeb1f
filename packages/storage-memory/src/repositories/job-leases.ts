import { randomUUID } from 'node:crypto';
import { LeaseLostError } from '@panelkit/sdk';
import { JsonValueSchema, SerializedErrorSchema } from '@panelkit/sdk/schemas';
import {
  inputArray,
  inputRows,
  parseClaimRequest,
  parseInput,
  parseJobParking,
  parseParkingPanelId,
  parseLease,
  parseLeaseMs,
  parseJobSettlements,
  parseRetryDecision,
} from '@panelkit/sdk/storage';
import type { ClaimedJob, Job, JsonValue, Lease, SerializedError } from '@panelkit/sdk';
import type { ClaimRequest, JobParking, JobSettlement } from '@panelkit/sdk/storage';
import type { TimeKey } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import type { Op } from '../internal/op.js';
import { ascending, descending, takeWhile } from '../internal/paging.js';
import { ALL } from '../internal/sorted-index.js';
import type { SortedIndex } from '../internal/sorted-index.js';
import { compareQueueKeys } from '../tables/jobs.js';
import type { JobTables, QueueKey } from '../tables/jobs.js';

function compareClaimOrder(a: Job, b: Job): number {
  return compareQueueKeys([a.priority, a.runAt.getTime(), a.id], [b.priority, b.runAt.getTime(), b.id]);
}

/** Claiming, fencing and reaping: every write here needs the job's current lease token. */
export function jobLeaseOperations(tables: JobTables) {
  const { jobs, queuedByKey, runningByKey } = tables;

  /**
   * Up to `max` queued jobs of one partition of a claim-order index that are due at `now` and `accept`ed,
   * in claim order. Within a priority, the first job not yet due ends that priority: the walk jumps to the next.
   */
  function dueInClaimOrder(
    index: SortedIndex<Job, QueueKey>,
    partition: string,
    now: number,
    accept: (job: Job) => boolean,
    max: number,
  ): Job[] {
    const found: Job[] = [];
    const tree = index.tree(partition);
    let position: QueueKey | undefined;
    while (tree !== undefined && found.length < max) {
      const key = tree.nextHigherKey(position);
      if (key === undefined) break;
      const [priority, runAt, id] = key;
      if (runAt > now) {
        position = [priority, Number.POSITIVE_INFINITY, ''];
        continue;
      }
      position = key;
      const job = jobs.load(id);
      if (accept(job)) found.push(job);
    }
    return found;
  }

  /** The job if `lease` is its current lease: running, with the same token. */
  function held(lease: Lease): Job | undefined {
    const job = jobs.get(lease.jobId);
    return job !== undefined && job.state === 'running' && job.leaseToken === lease.token ? job : undefined;
  }

  function unlocked(op: Op, job: Job): Job {
    return { ...job, lockedBy: null, leaseToken: null, leaseExpiresAt: null, updatedAt: op.now };
  }

  /**
   * Puts a running job back in the queue. When another queued job with the same dedupe key
   * appeared meanwhile, that one already stands for the work: this one is cancelled instead
   * (superseded), keeping the error it carries.
   */
  function requeue(op: Op, job: Job): void {
    const superseded = job.dedupeKey !== null && queuedByKey.lookup(job.dedupeKey) !== undefined;
    jobs.replace(op.undo, superseded ? { ...job, state: 'cancelled', finishedAt: op.now } : { ...job, state: 'queued' });
  }

  function finish(op: Op, job: Job, state: 'succeeded' | 'dead'): void {
    jobs.replace(op.undo, { ...job, state, finishedAt: op.now });
  }

  return {
    /**
     * As `JobRepository.claim` says: the window is the first `limit` claimable jobs in `(priority, runAt,
     * id)` order; each batch key in it brings its first `batchLimit` claimable jobs (`queuedByBatchKey`);
     * batches and keyless jobs are taken in window order until `limit`. Claimable: due, of a requested
     * type, no running job with its dedupe key, and its serialisation key not held when the call began
     * (several jobs of a free key may go to this one claimer).
     */
    claim(op: Op, request: ClaimRequest): ClaimedJob[] {
      const { workerId, limit, leaseMs, types: typeList, batchLimit } = parseClaimRequest(request);
      const types = typeList === null ? undefined : new Set(typeList);
      const now = op.now.getTime();
      const claimable = (job: Job) =>
        (types === undefined || types.has(job.type)) &&
        (job.dedupeKey === null || runningByKey.lookup(job.dedupeKey) === undefined) &&
        (job.serialKey === null || tables.runningBySerialKey.size(job.serialKey) === 0);
      const chosen: Job[] = [];
      const batched = new Set<string>();
      for (const job of dueInClaimOrder(tables.queue, ALL, now, claimable, limit)) {
        if (chosen.length === limit) break;
        if (job.batchKey === null) chosen.push(job);
        else if (!batched.has(job.batchKey)) {
          batched.add(job.batchKey);
          chosen.push(
            ...dueInClaimOrder(tables.queuedByBatchKey, job.batchKey, now, claimable, Math.min(batchLimit, limit - chosen.length)),
          );
        }
      }
      const leaseExpiresAt = new Date(now + leaseMs);
      return chosen.sort(compareClaimOrder).map((job) => {
        const token = randomUUID();
        const running: Job = {
          ...job,
          state: 'running',
          attempts: job.attempts + 1,
          lockedBy: workerId,
          leaseToken: token,
          leaseExpiresAt,
          updatedAt: op.now,
        };
        jobs.replace(op.undo, running);
        return { job: copy(running), lease: { jobId: running.id, token } };
      });
    },

    heartbeat(op: Op, leases: readonly Lease[], leaseMs: number): Lease[] {
      const parsed = inputArray(leases, 'leases', '(root)').map((lease, i) => parseLease(lease, `lease ${i}`));
      const leaseExpiresAt = new Date(op.now.getTime() + parseLeaseMs(leaseMs, 'heartbeat'));
      const kept: Lease[] = [];
      for (const lease of parsed) {
        const job = held(lease);
        if (job === undefined) continue;
        jobs.replace(op.undo, { ...job, leaseExpiresAt, updatedAt: op.now });
        kept.push({ jobId: lease.jobId, token: lease.token });
      }
      return kept;
    },

    complete(op: Op, lease: Lease, result?: JsonValue): boolean {
      const current = parseLease(lease, 'lease');
      const value = result === undefined ? null : copy(parseInput(JsonValueSchema, result, 'job result'));
      const job = held(current);
      if (job === undefined) return false;
      finish(op, { ...unlocked(op, job), result: value }, 'succeeded');
      return true;
    },

    /** Each held lease's job succeeded; the others untouched. */
    completeMany(op: Op, leases: readonly Lease[]): Lease[] {
      const parsed = inputRows(leases, 'leases').map((lease, i) => parseLease(lease, `lease ${i}`));
      const done: Lease[] = [];
      for (const lease of parsed) {
        const job = held(lease);
        if (job === undefined) continue;
        finish(op, { ...unlocked(op, job), result: null }, 'succeeded');
        done.push({ jobId: lease.jobId, token: lease.token });
      }
      return done;
    },

    /** Stores exactly the caller's decision: requeue at `retry.at`, or dead. */
    fail(op: Op, lease: Lease, error: SerializedError, retry: { at: Date } | 'dead'): boolean {
      const current = parseLease(lease, 'lease');
      const lastError = copy(parseInput(SerializedErrorSchema, error, 'job error'));
      const next = parseRetryDecision(retry);
      const job = held(current);
      if (job === undefined) return false;
      const failed: Job = { ...unlocked(op, job), lastError, failingSince: job.failingSince ?? op.now, parkedOn: null };
      if (next === 'dead') finish(op, failed, 'dead');
      else requeue(op, { ...failed, runAt: next });
      return true;
    },

    /** Each held lease's job settled as its outcome says (`fail`, `release`, `park`); the others untouched. */
    settleMany(op: Op, settlements: readonly JobSettlement[]): Lease[] {
      const parsed = parseJobSettlements(settlements);
      const done: Lease[] = [];
      for (const settlement of parsed) {
        const { lease } = settlement;
        const job = held(lease);
        if (job === undefined) continue;
        const base = unlocked(op, job);
        switch (settlement.outcome) {
          case 'retry':
          case 'dead': {
            const failed: Job = { ...base, lastError: copy(settlement.error), failingSince: job.failingSince ?? op.now, parkedOn: null };
            if (settlement.outcome === 'dead') finish(op, failed, 'dead');
            else requeue(op, { ...failed, runAt: settlement.at });
            break;
          }
          case 'released':
            requeue(op, { ...base, attempts: Math.max(0, job.attempts - 1) });
            break;
          case 'parked':
            requeue(op, {
              ...base,
              attempts: Math.max(0, job.attempts - 1),
              runAt: settlement.parking.until,
              parkedOn: settlement.parking.panelId,
              failingSince: job.failingSince ?? op.now,
            });
            break;
        }
        done.push({ jobId: lease.jobId, token: lease.token });
      }
      return done;
    },

    /** Back to the queue without counting the attempt or recording an error. */
    release(op: Op, lease: Lease): boolean {
      const job = held(parseLease(lease, 'lease'));
      if (job === undefined) return false;
      requeue(op, { ...unlocked(op, job), attempts: Math.max(0, job.attempts - 1) });
      return true;
    },

    /** Back to the queue without counting the attempt, due at `until`, parked on the panel. */
    park(op: Op, lease: Lease, parking: JobParking): boolean {
      const current = parseLease(lease, 'lease');
      const { panelId, until } = parseJobParking(parking);
      const job = held(current);
      if (job === undefined) return false;
      requeue(op, {
        ...unlocked(op, job),
        attempts: Math.max(0, job.attempts - 1),
        runAt: until,
        parkedOn: panelId,
        failingSince: job.failingSince ?? op.now,
      });
      return true;
    },

    /** Every queued job parked on the panel: due now (or earlier, as it was), no longer parked. */
    unpark(op: Op, panelId: string): number {
      const key = parseParkingPanelId(panelId, 'unpark');
      const ids = [...descending(tables.parked.tree(key), undefined)].map(([, id]) => id);
      for (const id of ids) {
        const job = jobs.load(id);
        const runAt = job.runAt.getTime() < op.now.getTime() ? job.runAt : op.now;
        jobs.replace(op.undo, { ...job, parkedOn: null, runAt, updatedAt: op.now });
      }
      return ids.length;
    },

    /** Requeues (or supersedes, or kills when out of attempts) every running job whose lease ended at or before now. */
    reapExpired(op: Op): number {
      const now = op.now.getTime();
      const expired = [...takeWhile(ascending(tables.leases.tree(ALL), tables.leases.compare), ([at]: TimeKey) => at <= now)];
      for (const [, id] of expired) {
        const job = jobs.load(id);
        const lost: Job = { ...unlocked(op, job), lastError: new LeaseLostError(job.id).toJSON() };
        // A job that keeps outliving its leases (it crashes or hangs its worker) stops when its attempts run out.
        if (job.attempts >= job.maxAttempts) finish(op, lost, 'dead');
        else requeue(op, lost);
      }
      return expired.length;
    },
  };
}
