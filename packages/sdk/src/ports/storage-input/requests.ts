import type { Lease } from '../../domain/job.js';
import type { LedgerEntry } from '../../domain/ledger.js';
import type { NewLedgerEntrySchema } from '../../domain/ledger.js';
import { SubscriptionStatusSchema } from '../../domain/subscription-status.js';
import type { SubscriptionStatus } from '../../domain/subscription-status.js';
import { parseInput } from '../../domain/validate.js';
import type { CapacityRequest, ClaimRequest, DueQuery, JobParking, JobSettlement } from '../storage.js';
import type { SerializedError } from '../../errors.js';
import { SerializedErrorSchema } from '../../domain/job.js';
import { inputArray, inputDate, inputInteger, inputKey, inputRecord, inputRows, inputString, invalidInput } from './checks.js';

/** Longest lease a storage accepts: about 24.8 days, the longest delay a Node timer can wait for. */
export const MAX_LEASE_MS = 2_147_483_647;

/** A lease length in ms, `1…MAX_LEASE_MS`. */
export function parseLeaseMs(value: unknown, what: string): number {
  return inputInteger(value, what, 'leaseMs', { min: 1, max: MAX_LEASE_MS });
}

/** A `{ jobId, token }` lease. */
export function parseLease(value: unknown, what: string): Lease {
  const input = inputRecord(value, what);
  return { jobId: inputKey(input['jobId'], `${what} jobId`), token: inputKey(input['token'], `${what} token`) };
}

/** A validated `ClaimRequest`. */
export interface ParsedClaimRequest {
  workerId: string;
  limit: number;
  leaseMs: number;
  /** The job types to claim, without repeats; `null` claims every type. */
  types: string[] | null;
  /** Most jobs of one batch key; `limit` when not given. */
  batchLimit: number;
  /** How long an empty claim counts the worker idle (`ClaimRequest.awaitWakeMs`); `null`: not at all. */
  awaitWakeMs: number | null;
}

/** Validates a `ClaimRequest`: worker id of 1…200 characters, limit and batch limit 1…1000, a lease length, a wait of 1…3 600 000 ms. */
export function parseClaimRequest(request: ClaimRequest): ParsedClaimRequest {
  const input = inputRecord(request, 'claim request');
  const types = input['types'];
  const limit = inputInteger(input['limit'], 'claim request', 'limit', { min: 1, max: 1000 });
  const batchLimit = input['batchLimit'];
  const awaitWakeMs = input['awaitWakeMs'];
  return {
    workerId: inputString(input['workerId'], 'claim request', 'workerId', { min: 1, max: 200 }),
    limit,
    batchLimit: batchLimit === undefined ? limit : inputInteger(batchLimit, 'claim request', 'batchLimit', { min: 1, max: 1000 }),
    leaseMs: parseLeaseMs(input['leaseMs'], 'claim request'),
    types:
      types === undefined
        ? null
        : [...new Set(inputArray(types, 'claim request', 'types').map((type, i) => inputString(type, 'claim request', `types.${i}`)))],
    awaitWakeMs: awaitWakeMs === undefined ? null : inputInteger(awaitWakeMs, 'claim request', 'awaitWakeMs', { min: 1, max: 3_600_000 }),
  };
}

/** A failed job's next step: the time to retry at, or `'dead'`. */
export function parseRetryDecision(retry: { at: Date } | 'dead'): Date | 'dead' {
  if (retry === 'dead') return 'dead';
  if (typeof retry !== 'object' || retry === null) invalidInput('retry', '(root)', "must be { at: Date } or 'dead'");
  return inputDate(inputRecord(retry, 'retry')['at'], 'retry', 'at');
}

/** The panel id jobs are parked on (`park`, `unpark`): 1…200 characters. */
export function parseParkingPanelId(value: unknown, what: string): string {
  return inputString(value, what, 'panelId', { min: 1, max: 200 });
}

/** A validated `JobParking`: a panel id and a valid date. */
export function parseJobParking(parking: JobParking): JobParking {
  const input = inputRecord(parking, 'parking');
  return { panelId: parseParkingPanelId(input['panelId'], 'parking'), until: inputDate(input['until'], 'parking', 'until') };
}

/** A validated `JobSettlement`: what `settleMany` writes for one lease. */
export type ParsedJobSettlement =
  | { lease: Lease; outcome: 'retry'; error: SerializedError; at: Date }
  | { lease: Lease; outcome: 'dead'; error: SerializedError }
  | { lease: Lease; outcome: 'released' }
  | { lease: Lease; outcome: 'parked'; parking: JobParking };

/**
 * Validates the settlements of `jobs.settleMany`: at most `MAX_ROWS_PER_CALL`, each a lease and an outcome with its
 * fields, no job named twice (one statement cannot settle a job two ways).
 */
export function parseJobSettlements(value: readonly JobSettlement[]): ParsedJobSettlement[] {
  const seen = new Set<string>();
  return inputRows(value, 'settlements').map((item, i): ParsedJobSettlement => {
    const what = `settlement ${i}`;
    const input = inputRecord(item, what);
    const lease = parseLease(input['lease'], `${what} lease`);
    if (seen.has(lease.jobId)) invalidInput(what, 'lease', `names job ${lease.jobId} a second time`);
    seen.add(lease.jobId);
    const outcome = input['outcome'];
    switch (outcome) {
      case 'retry':
        return {
          lease,
          outcome,
          error: parseInput(SerializedErrorSchema, input['error'], `${what} error`),
          at: inputDate(input['at'], what, 'at'),
        };
      case 'dead':
        return { lease, outcome, error: parseInput(SerializedErrorSchema, input['error'], `${what} error`) };
      case 'released':
        return { lease, outcome };
      case 'parked':
        return { lease, outcome, parking: parseJobParking(input['parking'] as JobParking) };
      default:
        return invalidInput(what, 'outcome', 'must be retry, dead, released or parked');
    }
  });
}

/** A `CapacityRequest` with a count of at least 1. */
export function parseCapacityRequest(request: CapacityRequest): CapacityRequest {
  const input = inputRecord(request, 'capacity request');
  return {
    targetId: inputKey(input['targetId'], 'capacity request targetId'),
    planId: inputKey(input['planId'], 'capacity request planId'),
    count: inputInteger(input['count'], 'capacity request', 'count', { min: 1, max: Number.MAX_SAFE_INTEGER }),
  };
}

/** The `expectedRevision` of an optimistic update's options: an integer of at least 0. */
export function parseExpectedRevision(options: { expectedRevision: number }): number {
  const input = inputRecord(options, 'update options');
  return inputInteger(input['expectedRevision'], 'update options', 'expectedRevision', { min: 0, max: Number.MAX_SAFE_INTEGER });
}

/**
 * True when an append that reuses `existing`'s idempotency key asks for the same entry (same
 * customer, kind, amount and currency): a replay. Otherwise it is an `IdempotencyConflictError`.
 */
export function isSameLedgerRequest(existing: LedgerEntry, entry: ReturnType<typeof NewLedgerEntrySchema.parse>): boolean {
  return (
    existing.customerId === entry.customerId &&
    existing.kind === entry.kind &&
    existing.amount === entry.amount &&
    existing.currency === entry.currency
  );
}

/** Distinct subscription statuses, validated (a repeat would read one index twice). */
export function parseSubscriptionStatuses(value: unknown, what: string): SubscriptionStatus[] {
  return [...new Set(parseInput(SubscriptionStatusSchema.array(), value, what))];
}

/** A validated `DueQuery`: statuses without repeats and copied dates. */
export type ParsedDueQuery =
  | { kind: 'expiring'; statuses: SubscriptionStatus[]; from: Date | undefined; to: Date }
  | { kind: 'over_limit' }
  | { kind: 'first_use' }
  | { kind: 'stale_status'; statuses: SubscriptionStatus[]; before: Date };

/** Validates a `DueQuery`. */
export function parseDueQuery(query: DueQuery): ParsedDueQuery {
  const input = inputRecord(query, 'due query');
  switch (input['kind']) {
    case 'expiring':
      return {
        kind: 'expiring',
        statuses: parseSubscriptionStatuses(input['statuses'], 'due query statuses'),
        from: input['from'] === undefined ? undefined : inputDate(input['from'], 'due query', 'from'),
        to: inputDate(input['to'], 'due query', 'to'),
      };
    case 'over_limit':
      return { kind: 'over_limit' };
    case 'first_use':
      return { kind: 'first_use' };
    case 'stale_status':
      return {
        kind: 'stale_status',
        statuses: parseSubscriptionStatuses(input['statuses'], 'due query statuses'),
        before: inputDate(input['before'], 'due query', 'before'),
      };
    default:
      return invalidInput('due query', 'kind', 'must be expiring, over_limit, first_use or stale_status');
  }
}
