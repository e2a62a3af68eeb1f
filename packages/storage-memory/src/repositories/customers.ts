import { createId } from '@panelkit/sdk';
import { CustomerPatchSchema, NewCustomerSchema } from '@panelkit/sdk/schemas';
import {
  MAX_ROWS_PER_CALL,
  definedFields,
  inputKey,
  inputKeys,
  inputRows,
  parseInput,
  parsePageWindow,
  timeCursorCodec,
  timeKey,
} from '@panelkit/sdk/storage';
import type { Customer, CustomerPatch, NewCustomer, Page, PageRequest } from '@panelkit/sdk';
import type { TimeKey } from '@panelkit/sdk/storage';
import type { Storefront } from '@panelkit/sdk/storefronts';
import { copy } from '../internal/copy.js';
import { compareTimeKeys } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { collectPage, descending } from '../internal/paging.js';
import { ALL, SortedIndex } from '../internal/sorted-index.js';
import { Table } from '../internal/table.js';
import { UniqueIndex } from '../internal/unique-index.js';

export interface CustomerTables {
  readonly customers: Table<Customer>;
  readonly byEmail: UniqueIndex<Customer>;
  readonly byExternalRef: UniqueIndex<Customer>;
  readonly byCreated: SortedIndex<Customer, TimeKey>;
  /** By Telegram id (not unique), oldest first within each. */
  readonly byTelegramId: SortedIndex<Customer, TimeKey>;
}

export function createCustomerTables(): CustomerTables {
  // The schema lower-cases emails, so the key is already case-insensitive.
  const byEmail = new UniqueIndex<Customer>('a customer with this email', (c) => c.email);
  const byExternalRef = new UniqueIndex<Customer>('a customer with this external reference', (c) => c.externalRef);
  const byCreated = new SortedIndex<Customer, TimeKey>({
    partition: () => ALL,
    key: (c) => timeKey(c.createdAt, c.id),
    compare: compareTimeKeys,
  });
  const byTelegramId = new SortedIndex<Customer, TimeKey>({
    partition: (c) => c.telegramId,
    key: (c) => timeKey(c.createdAt, c.id),
    compare: compareTimeKeys,
  });
  return {
    customers: new Table<Customer>('customer', [byEmail, byExternalRef], [byCreated, byTelegramId]),
    byEmail,
    byExternalRef,
    byCreated,
    byTelegramId,
  };
}

/** Customers; `storefronts` is the table a buyer's `storefrontId` must point into. */
export function customerOperations(
  { customers, byEmail, byExternalRef, byCreated, byTelegramId }: CustomerTables,
  storefronts: Table<Storefront>,
) {
  const found = (id: string | undefined): Customer | null => (id === undefined ? null : copy(customers.load(id)));

  function create(op: Op, input: NewCustomer): Customer {
    const parsed = copy(parseInput(NewCustomerSchema, input, 'customer'));
    if (parsed.storefrontId !== null) storefronts.require(parsed.storefrontId);
    const customer: Customer = { ...parsed, id: parsed.id ?? createId('cus'), createdAt: op.now, updatedAt: op.now };
    customers.insert(op.undo, customer);
    return copy(customer);
  }

  return {
    create,

    /** One by one; the runner undoes the call's writes when one throws, so it is all or none. */
    createMany(op: Op, inputs: readonly NewCustomer[]): Customer[] {
      return inputRows(inputs, 'customers').map((input) => create(op, input));
    },

    get(_op: Op, id: string): Customer | null {
      const customer = customers.get(inputKey(id, 'customer id'));
      return customer === undefined ? null : copy(customer);
    },

    getByEmail(_op: Op, email: string): Customer | null {
      return found(byEmail.lookup(inputKey(email, 'email').toLowerCase()));
    },

    getByExternalRef(_op: Op, externalRef: string): Customer | null {
      return found(byExternalRef.lookup(inputKey(externalRef, 'external reference')));
    },

    getByTelegramId(_op: Op, telegramId: string): Customer | null {
      const first = byTelegramId.tree(inputKey(telegramId, 'telegram id'))?.minKey();
      return found(first?.[1]);
    },

    getByExternalRefs(_op: Op, externalRefs: readonly string[]): Customer[] {
      const out = new Map<string, Customer>();
      for (const ref of inputKeys(externalRefs, 'external references', MAX_ROWS_PER_CALL)) {
        const id = byExternalRef.lookup(ref);
        if (id !== undefined && !out.has(id)) out.set(id, copy(customers.load(id)));
      }
      return [...out.values()];
    },

    getMany(_op: Op, ids: readonly string[]): Customer[] {
      const out = new Map<string, Customer>();
      for (const id of inputKeys(ids, 'customer ids', MAX_ROWS_PER_CALL)) {
        const customer = customers.get(id);
        if (customer !== undefined && !out.has(id)) out.set(id, copy(customer));
      }
      return [...out.values()];
    },

    list(_op: Op, page: PageRequest): Page<Customer> {
      const window = parsePageWindow(page, timeCursorCodec);
      return collectPage(descending(byCreated.tree(ALL), window.after), window, timeCursorCodec, ([, id]) => customers.load(id));
    },

    update(op: Op, id: string, patch: CustomerPatch): Customer {
      const changes = definedFields(copy(parseInput(CustomerPatchSchema, patch, 'customer patch')));
      const before = customers.require(inputKey(id, 'customer id'));
      const after: Customer = { ...before, ...changes, updatedAt: op.now };
      customers.replace(op.undo, after);
      return copy(after);
    },
  };
}
