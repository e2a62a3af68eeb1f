import { ConflictError } from '@panelkit/sdk';
import { createSortableId } from '@panelkit/sdk/storage';
import { inputKey, parseJobFilter, parseNewJob, parseNewJobs, parsePageWindow, queuedJob, timeCursorCodec } from '@panelkit/sdk/storage';
import type { Job, JobState, NewJob, Page, PageRequest } from '@panelkit/sdk';
import type { JobEnqueueResult, ParsedNewJob } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import type { Op } from '../internal/op.js';
import { collectPage, descending } from '../internal/paging.js';
import { ALL } from '../internal/sorted-index.js';
import type { JobTables } from '../tables/jobs.js';

export interface JobFilter {
  state?: JobState;
  type?: string;
  dedupeKey?: string;
}

/** Enqueueing and admin actions; the lease lifecycle is in `job-leases.ts`. */
export function jobOperations(tables: JobTables) {
  const { jobs, queuedByKey } = tables;

  /** `enqueue` of a parsed row. A job with the given id already there is returned as it is. A queued twin (same dedupe key) takes the new payload, serialisation key and batch key and the earlier run time instead. */
  function enqueueParsed(op: Op, row: ParsedNewJob): JobEnqueueResult {
    const parsed = copy(row);
    const runAt = parsed.runAt ?? op.now;
    const existing = parsed.id === undefined ? undefined : jobs.get(parsed.id);
    if (existing !== undefined) return { job: copy(existing), created: false };
    const twinId = parsed.dedupeKey === null ? undefined : queuedByKey.lookup(parsed.dedupeKey);
    if (twinId !== undefined) {
      const twin = jobs.load(twinId);
      const merged: Job = {
        ...twin,
        payload: parsed.payload,
        serialKey: parsed.serialKey,
        batchKey: parsed.batchKey,
        runAt: runAt.getTime() < twin.runAt.getTime() ? runAt : twin.runAt,
        updatedAt: op.now,
      };
      jobs.replace(op.undo, merged);
      return { job: copy(merged), created: false };
    }
    const job = queuedJob({ ...parsed, id: parsed.id ?? createSortableId('job', op.now.getTime()), runAt }, op.now);
    jobs.insert(op.undo, job);
    return { job: copy(job), created: true };
  }

  const operations = {
    /** See `enqueueParsed`. */
    enqueue(op: Op, input: NewJob): JobEnqueueResult {
      return enqueueParsed(op, parseNewJob(input, 'job'));
    },

    /**
     * Every row as `enqueue`, in order, all or none (the rows are checked before the first is written); each row's
     * job is read again at the end, so rows merged into one job all show it as the call left it.
     */
    enqueueMany(op: Op, inputs: readonly NewJob[]): JobEnqueueResult[] {
      const results = parseNewJobs(inputs).map((row) => enqueueParsed(op, row));
      return results.map(({ job, created }) => ({ job: copy(jobs.load(job.id)), created }));
    },

    get(_op: Op, id: string): Job | null {
      const job = jobs.get(inputKey(id, 'job id'));
      return job === undefined ? null : copy(job);
    },

    /**
     * Back to the queue with a fresh attempt budget, due now. A queued job with the same dedupe
     * key already stands for this work, so that is a `ConflictError`.
     */
    retry(op: Op, id: string): Job {
      const job = jobs.require(inputKey(id, 'job id'));
      if (job.state !== 'dead' && job.state !== 'cancelled') {
        throw new ConflictError(`job ${job.id} is ${job.state}; only a dead or cancelled job can be retried`);
      }
      const after: Job = {
        ...job,
        state: 'queued',
        attempts: 0,
        failingSince: null,
        parkedOn: null,
        runAt: op.now,
        result: null,
        finishedAt: null,
        updatedAt: op.now,
      };
      jobs.replace(op.undo, after);
      return copy(after);
    },

    /** Only a queued job can be cancelled; false for any other state or an unknown id. */
    cancel(op: Op, id: string): boolean {
      const job = jobs.get(inputKey(id, 'job id'));
      if (job === undefined || job.state !== 'queued') return false;
      jobs.replace(op.undo, { ...job, state: 'cancelled', finishedAt: op.now, updatedAt: op.now });
      return true;
    },

    /** Newest first; served by the narrowest index the filter allows. */
    list(_op: Op, filter: JobFilter, page: PageRequest): Page<Job> {
      const { state, type, dedupeKey } = parseJobFilter(filter);
      const window = parsePageWindow(page, timeCursorCodec);
      const tree =
        dedupeKey !== undefined
          ? tables.byDedupeKey.tree(dedupeKey)
          : state !== undefined
            ? tables.byState.tree(state)
            : tables.byCreated.tree(ALL);
      return collectPage(descending(tree, window.after), window, timeCursorCodec, ([, jobId]) => {
        const job = jobs.load(jobId);
        if (state !== undefined && job.state !== state) return undefined;
        if (type !== undefined && job.type !== type) return undefined;
        return job;
      });
    },
  };
  return operations;
}
