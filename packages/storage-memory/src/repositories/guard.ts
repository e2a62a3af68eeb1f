import type { Subscription } from '@panelkit/sdk';
import { DEFAULT_GUARD_POLICY, guardHourOf, type GuardBucket, type GuardPolicy } from '@panelkit/sdk/rules';
import { inputKeys, parseGuardCaseQuery, parseGuardPolicyWrite, parseGuardReadings, parseGuardTransition } from '@panelkit/sdk/storage';
import type { GuardCase, GuardCaseQuery, GuardReadingRecord, GuardSignal, GuardTransition, StoredGuardPolicy } from '@panelkit/sdk/storage';
import { compareStrings } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';

interface PolicyRow {
  readonly id: string;
  readonly policy: GuardPolicy;
  readonly version: number;
  readonly updatedAt: Date;
}
interface SignalRow extends Omit<GuardSignal, 'subscriptionId'> {
  readonly id: string;
}
interface CaseRow extends Omit<GuardCase, 'subscriptionId'> {
  readonly id: string;
}

/** The guard's tables: the policy (one row), each subscription's signals and its case. */
export interface GuardTables {
  readonly policy: Table<PolicyRow>;
  readonly signals: Table<SignalRow>;
  readonly cases: Table<CaseRow>;
}

/** Empty guard tables for a new memory storage. */
export function createGuardTables(): GuardTables {
  return { policy: new Table('guard policy', []), signals: new Table('guard signal', []), cases: new Table('guard case', []) };
}

const POLICY_ID = 'policy';
const clone = <T>(value: T): T => structuredClone(value);
const caseOf = ({ id, ...row }: CaseRow): GuardCase => clone({ subscriptionId: id, ...row });

/** Adds a page of readings to buckets, keeping the hours from `fromHour` on, oldest first. */
function mergeBuckets(buckets: readonly GuardBucket[], readings: readonly GuardReadingRecord[], fromHour: number): GuardBucket[] {
  const byHour = new Map(buckets.filter((b) => b.hour >= fromHour).map((b) => [b.hour, { ...b }]));
  for (const r of readings) {
    if (r.prefixes === null) continue;
    const hour = guardHourOf(r.at);
    if (hour < fromHour) continue;
    const b = byHour.get(hour) ?? { hour, readings: 0, over: 0, maxPrefixes: 0 };
    byHour.set(hour, { hour, readings: b.readings + 1, over: b.over + (r.over ? 1 : 0), maxPrefixes: Math.max(b.maxPrefixes, r.prefixes) });
  }
  return [...byHour.values()].sort((a, b) => a.hour - b.hour);
}

const later = (a: Date | null, b: Date): Date => (a === null || b.getTime() > a.getTime() ? b : a);

/** The sharing guard (`guard`, storage port 30); each call runs under the storage's lock, so a transition is one conditional step. */
export function guardOperations(tables: GuardTables, subscriptions: Table<Subscription>) {
  return {
    getPolicy(_op: Op): StoredGuardPolicy {
      const row = tables.policy.get(POLICY_ID);
      return row === undefined
        ? { policy: clone(DEFAULT_GUARD_POLICY), version: 0, updatedAt: null }
        : clone({ policy: row.policy, version: row.version, updatedAt: row.updatedAt });
    },
    setPolicy(op: Op, policy: GuardPolicy, expectedVersion: number): StoredGuardPolicy | null {
      const w = parseGuardPolicyWrite(policy, expectedVersion);
      const row = tables.policy.get(POLICY_ID);
      if ((row?.version ?? 0) !== w.expectedVersion) return null;
      const next = { id: POLICY_ID, policy: w.policy, version: w.expectedVersion + 1, updatedAt: op.now };
      if (row === undefined) tables.policy.insert(op.undo, next);
      else tables.policy.replace(op.undo, next);
      return clone({ policy: next.policy, version: next.version, updatedAt: next.updatedAt });
    },
    recordReadings(op: Op, readings: readonly GuardReadingRecord[], windowHours: number): void {
      const page = parseGuardReadings(readings, windowHours);
      const bySubscription = new Map<string, GuardReadingRecord[]>();
      for (const r of page.readings) {
        subscriptions.require(r.subscriptionId);
        bySubscription.set(r.subscriptionId, [...(bySubscription.get(r.subscriptionId) ?? []), r]);
      }
      const fromHour = guardHourOf(op.now) - page.windowHours;
      for (const [id, rs] of bySubscription) {
        const row = tables.signals.get(id);
        let lastReadingAt = row?.lastReadingAt ?? null;
        let lastNullAt = row?.lastNullAt ?? null;
        for (const r of rs) {
          if (r.prefixes === null) lastNullAt = later(lastNullAt, r.at);
          else lastReadingAt = later(lastReadingAt, r.at);
        }
        const next: SignalRow = { id, buckets: mergeBuckets(row?.buckets ?? [], rs, fromHour), lastReadingAt, lastNullAt };
        if (row === undefined) tables.signals.insert(op.undo, next);
        else tables.signals.replace(op.undo, next);
      }
    },
    signals(_op: Op, subscriptionIds: readonly string[]): GuardSignal[] {
      const ids = [...new Set(inputKeys(subscriptionIds, 'guard signals', 1000))].sort(compareStrings);
      return ids.flatMap((id) => {
        const row = tables.signals.get(id);
        return row === undefined
          ? []
          : [clone({ subscriptionId: id, buckets: row.buckets, lastReadingAt: row.lastReadingAt, lastNullAt: row.lastNullAt })];
      });
    },
    cases(_op: Op, subscriptionIds: readonly string[]): GuardCase[] {
      const ids = [...new Set(inputKeys(subscriptionIds, 'guard cases', 1000))].sort(compareStrings);
      return ids.flatMap((id) => {
        const row = tables.cases.get(id);
        return row === undefined ? [] : [caseOf(row)];
      });
    },
    transition(op: Op, transition: GuardTransition): GuardCase | null {
      const t = parseGuardTransition(transition);
      subscriptions.require(t.subscriptionId);
      const row = tables.cases.get(t.subscriptionId);
      if ((row?.stepSeq ?? 0) !== t.seenSeq) return null;
      const next: CaseRow = {
        id: t.subscriptionId,
        step: t.step,
        stepSeq: t.seenSeq + 1,
        stepAt: op.now,
        evidence: clone(t.evidence),
        liftedBy: t.liftedBy ?? row?.liftedBy ?? null,
        quietUntil: t.quietUntil,
        policyVersion: t.policyVersion,
      };
      if (row === undefined) tables.cases.insert(op.undo, next);
      else tables.cases.replace(op.undo, next);
      const signal = tables.signals.get(t.subscriptionId);
      if (t.clearReadings && signal !== undefined) tables.signals.replace(op.undo, { ...signal, buckets: [], lastReadingAt: null });
      return caseOf(next);
    },
    listCases(_op: Op, query: GuardCaseQuery): GuardCase[] {
      const q = parseGuardCaseQuery(query);
      return [...tables.cases.values()]
        .filter((row) => (q.step === undefined || row.step === q.step) && (q.after === undefined || compareStrings(row.id, q.after) > 0))
        .sort((a, b) => compareStrings(a.id, b.id))
        .slice(0, q.limit)
        .map(caseOf);
    },
  };
}
