import type { Plan, Target } from '@panelkit/sdk';
import type { CapacityRequest, ReserveResult } from '@panelkit/sdk/storage';
import { parseCapacityRequest } from '@panelkit/sdk/storage';
import type { Op } from '../internal/op.js';
import type { Table } from '../internal/table.js';

function hasRoom(limit: number | null, allocated: number, count: number): boolean {
  return limit === null || allocated + count <= limit;
}

/**
 * Slot counters on targets and plans. Both rows are checked before either is written, so a
 * refusal changes nothing; the operation runs under the storage's lock, so it is atomic.
 * Moving a counter does not touch `updatedAt` (that tracks edits to the row's settings).
 */
export function capacityOperations(targets: Table<Target>, plans: Table<Plan>) {
  return {
    reserve(op: Op, request: CapacityRequest): ReserveResult {
      const { targetId, planId, count } = parseCapacityRequest(request);
      const target = targets.require(targetId);
      const plan = plans.require(planId);
      if (!hasRoom(target.capacity, target.allocated, count)) return { ok: false, reason: 'target_full' };
      if (!hasRoom(plan.maxClients, plan.allocated, count)) return { ok: false, reason: 'plan_full' };
      targets.replace(op.undo, { ...target, allocated: target.allocated + count });
      plans.replace(op.undo, { ...plan, allocated: plan.allocated + count });
      return { ok: true };
    },

    release(op: Op, request: CapacityRequest): void {
      const { targetId, planId, count } = parseCapacityRequest(request);
      const target = targets.require(targetId);
      const plan = plans.require(planId);
      targets.replace(op.undo, { ...target, allocated: Math.max(0, target.allocated - count) });
      plans.replace(op.undo, { ...plan, allocated: Math.max(0, plan.allocated - count) });
    },
  };
}
