import { ConflictError, createId } from '@panelkit/sdk';
import type { AuditEvent, Customer, Plan, Subscription, Target } from '@panelkit/sdk';
import { invalidInput, parsePlacement } from '@panelkit/sdk/storage';
import type { OrderPlacement, PlaceResult, PlacedTarget } from '@panelkit/sdk/storage';
import type { Op } from '../internal/op.js';
import type { Table } from '../internal/table.js';
import type { auditOperations } from './audit.js';
import type { jobOperations } from './jobs.js';
import type { ledgerOperations } from './ledger.js';
import type { orderOperations } from './orders.js';
import type { subscriptionOperations } from './subscriptions.js';

/** The operations and tables `orders.place` writes through. */
export interface PlacementParts {
  readonly orders: ReturnType<typeof orderOperations>;
  readonly ledger: ReturnType<typeof ledgerOperations>;
  readonly subscriptions: ReturnType<typeof subscriptionOperations>;
  readonly jobs: ReturnType<typeof jobOperations>;
  readonly audit: ReturnType<typeof auditOperations>;
  readonly customers: Table<Customer>;
  readonly targets: Table<Target>;
  readonly plans: Table<Plan>;
}

function hasRoom(limit: number | null, allocated: number, count: number): boolean {
  return limit === null || allocated + count <= limit;
}

/**
 * `orders.place` in memory: the writes of `orders.create`, `ledger.append`, `subscriptions.create`,
 * `jobs.enqueue` and `audit.append`, checked in the order PostgreSQL's statement finds its refusals
 * (customer, funds, plans by id, targets by id). A plan or target without room undoes what was
 * written and returns the refusal; the storage's lock makes the whole call atomic.
 */
export function orderPlacementOperation(parts: PlacementParts) {
  return function place(op: Op, placement: OrderPlacement): PlaceResult {
    const parsed = parsePlacement(placement, createId);
    const mark = op.undo.mark();
    parts.customers.require(parsed.order.customerId);
    const order = parts.orders.create(op, parsed.order);
    if (parsed.debit !== null) {
      const { created } = parts.ledger.append(op, parsed.debit);
      if (!created) throw new ConflictError(`a ledger entry with idempotency key ${parsed.debit.idempotencyKey} exists`);
    }
    for (const { id, count } of parsed.plans) {
      const plan = parts.plans.require(id);
      if (!hasRoom(plan.maxClients, plan.allocated, count)) {
        op.undo.rollbackTo(mark);
        return { ok: false, reason: 'plan_full', planId: id };
      }
    }
    for (const { id, count } of parsed.targets) {
      const target = parts.targets.require(id);
      const named = parsed.subscriptions.find((s) => s.targetId === id && s.panelId !== target.panelId);
      if (named !== undefined)
        invalidInput('order placement', 'subscriptions', `target ${id} is on panel ${target.panelId}, not ${named.panelId}`);
      if (!hasRoom(target.capacity, target.allocated, count)) {
        op.undo.rollbackTo(mark);
        return { ok: false, reason: 'target_full', targetId: id };
      }
    }
    const targets: PlacedTarget[] = [];
    for (const { id, count } of parsed.plans) {
      const plan = parts.plans.load(id);
      parts.plans.replace(op.undo, { ...plan, allocated: plan.allocated + count });
    }
    for (const { id, count } of parsed.targets) {
      const target = parts.targets.load(id);
      parts.targets.replace(op.undo, { ...target, allocated: target.allocated + count });
      targets.push({ targetId: id, allocated: target.allocated + count, capacity: target.capacity });
    }
    const subscriptions: Subscription[] = parsed.subscriptions.map((s) => parts.subscriptions.create(op, s));
    for (const job of parsed.jobs) parts.jobs.enqueue(op, job);
    const audit: AuditEvent[] = parsed.audit.map((e) => parts.audit.append(op, e));
    return { ok: true, order, subscriptions, audit, targets };
  };
}
