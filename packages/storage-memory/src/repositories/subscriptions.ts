import { ConflictError, HAS_REMOTE_CLIENT, SUBSCRIPTION_STATUSES, sameTerms, type SubscriptionTerms } from '@panelkit/sdk';
import { MAX_ROWS_PER_CALL, MAX_USERNAMES_PER_LOOKUP, inputRows } from '@panelkit/sdk/storage';
import { NewSubscriptionSchema, SubscriptionPatchSchema, UsageReadingSchema } from '@panelkit/sdk/schemas';
import {
  definedFields,
  inputArray,
  inputKey,
  inputKeys,
  invalidInput,
  parseExpectedRevision,
  parseInput,
  parsePanelIdFilter,
  parsePanelUsage,
  parseSubscriptionUpdates,
  watchedForUsage,
} from '@panelkit/sdk/storage';
import type {
  Customer,
  NewSubscription,
  Order,
  Panel,
  Plan,
  Subscription,
  Target,
  SubscriptionPatch,
  SubscriptionStatus,
  PanelUsageReading,
  UsageReading,
} from '@panelkit/sdk';
import type {
  PanelUsageOptions,
  PanelUsageWriteResult,
  SubscriptionUpdate,
  SubscriptionWithCustomer,
  SubscriptionWithPlace,
  UsageWriteResult,
} from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import type { Op } from '../internal/op.js';
import { compositeKey } from '../internal/unique-index.js';
import type { Table } from '../internal/table.js';
import type { SubscriptionTables } from '../tables/subscriptions.js';
import { panelStatusPartition } from '../tables/subscriptions.js';

/** The rows a subscription refers to; each must exist, as a foreign key would demand. */
export interface SubscriptionReferences {
  readonly customers: Table<Customer>;
  readonly plans: Table<Plan>;
  readonly panels: Table<Panel>;
  readonly targets: Table<Target>;
  readonly orders: Table<Order>;
}

function checkReferences(
  refs: SubscriptionReferences,
  s: { customerId: string; planId: string; panelId: string; targetId: string; orderId: string | null },
): void {
  refs.customers.require(s.customerId);
  refs.plans.require(s.planId);
  refs.panels.require(s.panelId);
  const target = refs.targets.require(s.targetId);
  if (target.panelId !== s.panelId)
    invalidInput('subscription', 'targetId', `target ${target.id} is on panel ${target.panelId}, not ${s.panelId}`);
  if (s.orderId !== null) refs.orders.require(s.orderId);
}

/** Writes and counts; the list and due queries are in `subscription-queries.ts`. */
export function subscriptionOperations(tables: SubscriptionTables, refs: SubscriptionReferences) {
  const { subscriptions, byUsername } = tables;

  function create(op: Op, input: NewSubscription & { id: string }): Subscription {
    const parsed = copy(parseInput(NewSubscriptionSchema, input, 'subscription'));
    checkReferences(refs, parsed);
    const subscription: Subscription = {
      ...parsed,
      statusChangedAt: parsed.statusChangedAt ?? op.now,
      revision: 0,
      createdAt: op.now,
      updatedAt: op.now,
    };
    subscriptions.insert(op.undo, subscription);
    return copy(subscription);
  }

  /** `before` patched with `changes`: a new revision, and `statusChangedAt` now when the status changes and the patch does not set it. */
  function applyPatch(op: Op, before: Subscription, changes: Partial<Subscription>): Subscription {
    const statusChanged = changes.status !== undefined && changes.status !== before.status;
    const after: Subscription = {
      ...before,
      ...changes,
      statusChangedAt: changes.statusChangedAt ?? (statusChanged ? op.now : before.statusChangedAt),
      revision: before.revision + 1,
      updatedAt: op.now,
    };
    subscriptions.replace(op.undo, after);
    return copy(after);
  }

  return {
    create,

    /** One by one; the runner undoes the call's writes when one throws, so it is all or none. */
    createMany(op: Op, inputs: readonly (NewSubscription & { id: string })[]): Subscription[] {
      return inputRows(inputs, 'subscriptions').map((input) => create(op, input));
    },

    get(_op: Op, id: string): Subscription | null {
      const subscription = subscriptions.get(inputKey(id, 'subscription id'));
      return subscription === undefined ? null : copy(subscription);
    },

    getMany(_op: Op, ids: readonly string[]): Subscription[] {
      const out = new Map<string, Subscription>();
      for (const id of inputKeys(ids, 'subscription ids', MAX_ROWS_PER_CALL)) {
        const found = subscriptions.get(id);
        if (found !== undefined && !out.has(id)) out.set(id, copy(found));
      }
      return [...out.values()];
    },

    /** `getMany`'s subscriptions, each with its target and panel as they are now (storage port 31). */
    getManyWithPlaces(_op: Op, ids: readonly string[]): SubscriptionWithPlace[] {
      const unique = new Set(inputKeys(ids, 'subscription ids', MAX_ROWS_PER_CALL));
      const found = [...unique].flatMap((id) => subscriptions.get(id) ?? []);
      return found.map((row) => {
        const subscription = copy(row);
        const target = refs.targets.get(subscription.targetId);
        const panel = refs.panels.get(subscription.panelId);
        return { subscription, target: target === undefined ? null : copy(target), panel: panel === undefined ? null : copy(panel) };
      });
    },

    /** `getMany`'s subscriptions, each with its customer as it is now (storage port 36). */
    getManyWithCustomers(_op: Op, ids: readonly string[]): SubscriptionWithCustomer[] {
      const unique = new Set(inputKeys(ids, 'subscription ids', MAX_ROWS_PER_CALL));
      return [...unique].flatMap((id) => {
        const row = subscriptions.get(id);
        if (row === undefined) return [];
        const customer = refs.customers.get(row.customerId);
        return [{ subscription: copy(row), customer: customer === undefined ? null : copy(customer) }];
      });
    },

    getByUsername(_op: Op, panelId: string, username: string): Subscription | null {
      const id = byUsername.lookup(compositeKey(inputKey(panelId, 'panel id'), inputKey(username, 'username')));
      return id === undefined ? null : copy(subscriptions.load(id));
    },

    getByUsernames(_op: Op, panelId: string, usernames: readonly string[]): Subscription[] {
      const panel = inputKey(panelId, 'panel id');
      const found = new Map<string, Subscription>();
      for (const username of inputKeys(usernames, 'usernames', MAX_USERNAMES_PER_LOOKUP)) {
        const id = byUsername.lookup(compositeKey(panel, username));
        if (id !== undefined && !found.has(id)) found.set(id, copy(subscriptions.load(id)));
      }
      return [...found.values()];
    },

    /**
     * Optimistic update. `statusChangedAt` moves to now when the status actually changes and the
     * patch does not set it; a patch naming the current status is not a change.
     */
    update(op: Op, id: string, patch: SubscriptionPatch, options: { expectedRevision: number }): Subscription {
      const changes = definedFields(copy(parseInput(SubscriptionPatchSchema, patch, 'subscription patch')));
      const expectedRevision = parseExpectedRevision(options);
      const before = subscriptions.require(inputKey(id, 'subscription id'));
      if (before.revision !== expectedRevision) {
        throw new ConflictError(`subscription ${before.id} is at revision ${before.revision}, not ${expectedRevision}`, {
          details: { id: before.id, revision: before.revision, expectedRevision },
        });
      }
      return applyPatch(op, before, changes);
    },

    /** Every row checked first (so a bad one writes none), then each at its revision patched as `update` does. */
    updateMany(op: Op, updates: readonly SubscriptionUpdate[]): (Subscription | null)[] {
      const parsed = parseSubscriptionUpdates(updates).map((u) => ({ ...u, changes: copy(u.changes) }));
      return parsed.map(({ id, changes, expectedRevision }) => {
        const before = subscriptions.get(id);
        return before === undefined || before.revision !== expectedRevision ? null : applyPatch(op, before, changes);
      });
    },

    /**
     * Applies each reading that is newer than the stored `usageObservedAt`, in the order given.
     * Touches neither `revision` nor `updatedAt`: usage is an observation, not an edit.
     */
    recordUsage(op: Op, readings: readonly UsageReading[]): UsageWriteResult {
      const parsed = inputArray(readings, 'usage readings', '(root)').map((reading, i) =>
        copy(parseInput(UsageReadingSchema, reading, `usage reading ${i}`)),
      );
      let applied = 0;
      let ignored = 0;
      for (const reading of parsed) {
        const before = subscriptions.get(reading.subscriptionId);
        if (before === undefined || (before.usageObservedAt !== null && before.usageObservedAt.getTime() >= reading.observedAt.getTime())) {
          ignored++;
          continue;
        }
        subscriptions.replace(op.undo, { ...before, usedBytes: reading.usedBytes, usageObservedAt: reading.observedAt });
        applied++;
      }
      return { applied, ignored };
    },

    recordPanelUsage(op: Op, panelId: string, readings: readonly PanelUsageReading[], options: PanelUsageOptions): PanelUsageWriteResult {
      const input = parsePanelUsage(panelId, readings, options);
      const at = input.observedAt.getTime();
      const result: PanelUsageWriteResult = { matched: 0, applied: 0, ignored: 0, watch: [] };
      for (const reading of input.readings) {
        const id = byUsername.lookup(compositeKey(input.panelId, reading.username));
        const before = id === undefined ? undefined : subscriptions.get(id);
        if (before === undefined || !HAS_REMOTE_CLIENT.has(before.status)) continue;
        result.matched++;
        if (watchedForUsage(before, reading.usedBytes, input.watchPercent)) result.watch.push(reading.username);
        if (before.usageObservedAt !== null && before.usageObservedAt.getTime() >= at) continue;
        subscriptions.replace(op.undo, { ...before, usedBytes: reading.usedBytes, usageObservedAt: new Date(at) });
        result.applied++;
      }
      result.ignored = readings.length - result.applied;
      return result;
    },

    countByStatus(_op: Op, filter?: { panelId?: string }): Record<SubscriptionStatus, number> {
      const panel = parsePanelIdFilter(filter, 'count filter');
      const counts = {} as Record<SubscriptionStatus, number>;
      for (const status of SUBSCRIPTION_STATUSES) {
        counts[status] =
          panel === undefined ? tables.byStatusSince.size(status) : tables.byPanelStatus.size(panelStatusPartition(panel, status));
      }
      return counts;
    },

    countOnOtherTerms(_op: Op, planId: string, terms: SubscriptionTerms): number {
      const plan = inputKey(planId, 'plan id');
      let n = 0;
      for (const sub of subscriptions.values()) {
        if (sub.planId === plan && sub.status !== 'terminated' && sub.terms !== null && !sameTerms(sub.terms, terms)) n++;
      }
      return n;
    },
  };
}
