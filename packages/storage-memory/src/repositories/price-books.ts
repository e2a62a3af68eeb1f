import { NewPriceBookEntrySchema } from '@panelkit/sdk/schemas';
import { inputKey, parseInput } from '@panelkit/sdk/storage';
import type { Customer, NewPriceBookEntry, Plan, PriceBookEntry } from '@panelkit/sdk';
import { copy } from '../internal/copy.js';
import { compareStrings } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import type { Table } from '../internal/table.js';

/** Price book lines by customer, then plan. */
export interface PriceBookTables {
  readonly byCustomer: Map<string, Map<string, PriceBookEntry>>;
}

/** Empty price books for a new memory storage. */
export function createPriceBookTables(): PriceBookTables {
  return { byCustomer: new Map() };
}

/** Resellers' price books; each write records its inverse so a rolled-back transaction leaves none behind. */
export function priceBookOperations(tables: PriceBookTables, refs: { customers: Table<Customer>; plans: Table<Plan> }) {
  const { byCustomer } = tables;
  const put = (op: Op, customerId: string, planId: string, entry: PriceBookEntry | undefined): void => {
    let book = byCustomer.get(customerId);
    if (book === undefined) {
      book = new Map();
      byCustomer.set(customerId, book);
    }
    const previous = book.get(planId);
    const written = book;
    if (entry === undefined) written.delete(planId);
    else written.set(planId, entry);
    op.undo.push(() => {
      if (previous === undefined) written.delete(planId);
      else written.set(planId, previous);
    });
  };

  return {
    get(_op: Op, customerId: string, planId: string): PriceBookEntry | null {
      const entry = byCustomer.get(inputKey(customerId, 'customer id'))?.get(inputKey(planId, 'plan id'));
      return entry === undefined ? null : copy(entry);
    },

    list(_op: Op, customerId: string): PriceBookEntry[] {
      const book = byCustomer.get(inputKey(customerId, 'customer id'));
      if (book === undefined) return [];
      return [...book.values()].sort((a, b) => compareStrings(a.planId, b.planId)).map((e) => copy(e));
    },

    set(op: Op, input: NewPriceBookEntry): PriceBookEntry {
      const parsed = parseInput(NewPriceBookEntrySchema, input, 'price book entry');
      refs.customers.require(parsed.customerId);
      refs.plans.require(parsed.planId);
      const stored: PriceBookEntry = copy({ ...parsed, updatedAt: op.now });
      put(op, parsed.customerId, parsed.planId, stored);
      return copy(stored);
    },

    remove(op: Op, customerId: string, planId: string): boolean {
      const customer = inputKey(customerId, 'customer id');
      const plan = inputKey(planId, 'plan id');
      if (byCustomer.get(customer)?.get(plan) === undefined) return false;
      put(op, customer, plan, undefined);
      return true;
    },
  };
}
