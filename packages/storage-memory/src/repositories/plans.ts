import { createId } from '@panelkit/sdk';
import { NewPlanSchema, PlanPatchSchema } from '@panelkit/sdk/schemas';
import { definedFields, inputKey, parseInput, parsePlanFilter } from '@panelkit/sdk/storage';
import type { NewPlan, Plan, PlanPatch } from '@panelkit/sdk';
import { copy } from '../internal/copy.js';
import { compareNumbers, compareStrings } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';

export type PlanTable = Table<Plan>;

export function createPlanTable(): PlanTable {
  return new Table<Plan>('plan', []);
}

function comparePlans(a: Plan, b: Plan): number {
  return compareNumbers(a.price.amount, b.price.amount) || compareStrings(a.name, b.name) || compareStrings(a.id, b.id);
}

export function planOperations(plans: PlanTable) {
  return {
    create(op: Op, input: NewPlan): Plan {
      const parsed = copy(parseInput(NewPlanSchema, input, 'plan'));
      const plan: Plan = { ...parsed, id: parsed.id ?? createId('pln'), allocated: 0, createdAt: op.now, updatedAt: op.now };
      plans.insert(op.undo, plan);
      return copy(plan);
    },

    get(_op: Op, id: string): Plan | null {
      const plan = plans.get(inputKey(id, 'plan id'));
      return plan === undefined ? null : copy(plan);
    },

    list(_op: Op, filter?: { onSale?: boolean }): Plan[] {
      const onSale = parsePlanFilter(filter);
      const rows = [...plans.values()].filter((p) => onSale === undefined || p.onSale === onSale);
      return rows.sort(comparePlans).map(copy);
    },

    /** `allocated` is not in the patch schema, so an update can never move it. */
    update(op: Op, id: string, patch: PlanPatch): Plan {
      const changes = definedFields(copy(parseInput(PlanPatchSchema, patch, 'plan patch')));
      const before = plans.require(inputKey(id, 'plan id'));
      const after: Plan = { ...before, ...changes, allocated: before.allocated, updatedAt: op.now };
      plans.replace(op.undo, after);
      return copy(after);
    },
  };
}
