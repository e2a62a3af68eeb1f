/**
 * `@panelkit/sdk/host-jobs`: many host jobs of one type queued in one call (`enqueueHostJobs`, one
 * `jobs.enqueueMany` write), for a host that fans work out (a broadcast's copies, the staff's daily jobs). A single
 * host job and its definition stay on the root (`defineHostJob`, `enqueueHostJob`). With them, the types of
 * `withAuditOutbox`'s `many` hook, which hands a hook the events appended together (to enqueue their jobs in one call),
 * and of a `runMany` call's items (`HostJobItemRun`), and `completeHostJobsWith`, which completes a `runMany` call's jobs in
 * the transaction of their last write (as `HostJobContext.completeWith` does for one).
 *
 * @module
 */
export { completeHostJobsWith, enqueueHostJobs, type HostJobItem, type HostJobItemRun } from './engine/host-jobs.js';
export type { AuditOutboxManyHook, AuditOutboxOptions } from './engine/audit-outbox.js';
