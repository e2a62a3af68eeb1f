import { createId, ValidationError } from '@panelkit/sdk';
import { NewSavedPaymentMethodSchema } from '@panelkit/sdk/schemas';
import { inputKey, parseInput } from '@panelkit/sdk/storage';
import type { Customer } from '@panelkit/sdk';
import type { NewSavedPaymentMethod, SavedPaymentMethod } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';
import { UniqueIndex } from '../internal/unique-index.js';

/** Saved payment methods, one per customer, provider and fingerprint. */
export interface PaymentMethodTables {
  readonly methods: Table<SavedPaymentMethod>;
  readonly byFingerprint: UniqueIndex<SavedPaymentMethod>;
}

const fingerprintKey = (m: Pick<SavedPaymentMethod, 'customerId' | 'providerId' | 'fingerprint'>): string =>
  `${m.customerId}\u0000${m.providerId}\u0000${m.fingerprint}`;

/** Empty saved-method tables for a new memory storage. */
export function createPaymentMethodTables(): PaymentMethodTables {
  const byFingerprint = new UniqueIndex<SavedPaymentMethod>('a saved payment method with this fingerprint', fingerprintKey);
  return { methods: new Table<SavedPaymentMethod>('saved payment method', [byFingerprint]), byFingerprint };
}

/** Saved payment methods; each call is one check and write under the storage's lock. */
export function paymentMethodOperations(tables: PaymentMethodTables, customers: Table<Customer>) {
  const { methods, byFingerprint } = tables;
  return {
    save(op: Op, input: NewSavedPaymentMethod): SavedPaymentMethod {
      const parsed = parseInput(NewSavedPaymentMethodSchema, input, 'saved payment method');
      customers.require(parsed.customerId);
      const heldBy = byFingerprint.lookup(fingerprintKey(parsed));
      if (heldBy !== undefined) {
        const before = methods.load(heldBy);
        const after: SavedPaymentMethod = {
          ...before,
          sealedRef: parsed.sealedRef,
          label: parsed.label,
          paymentId: parsed.paymentId,
          updatedAt: op.now,
        };
        methods.replace(op.undo, after);
        return copy(after);
      }
      const row: SavedPaymentMethod = { id: createId('pm'), ...parsed, createdAt: op.now, updatedAt: op.now };
      methods.insert(op.undo, row);
      return copy(row);
    },

    get(_op: Op, id: string): SavedPaymentMethod | null {
      const row = methods.get(inputKey(id, 'saved payment method id'));
      return row === undefined ? null : copy(row);
    },

    listByCustomer(_op: Op, customerId: string): SavedPaymentMethod[] {
      const key = inputKey(customerId, 'customer id');
      return [...methods.values()]
        .filter((m) => m.customerId === key)
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
        .map(copy);
    },

    setAllowRenewal(op: Op, id: string, allowRenewal: boolean): SavedPaymentMethod | null {
      const before = methods.get(inputKey(id, 'saved payment method id'));
      if (before === undefined) return null;
      if (typeof allowRenewal !== 'boolean')
        throw new ValidationError('invalid allowRenewal', [{ path: 'allowRenewal', message: 'must be a boolean' }]);
      const after = { ...before, allowRenewal, updatedAt: op.now };
      methods.replace(op.undo, after);
      return copy(after);
    },

    remove(op: Op, id: string): boolean {
      return methods.delete(op.undo, inputKey(id, 'saved payment method id')) !== undefined;
    },
  };
}
