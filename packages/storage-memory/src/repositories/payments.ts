import { createId, PAYMENT_STATUSES, ValidationError } from '@panelkit/sdk';
import { ImportedPaymentSchema, NewPaymentSchema, PaymentPatchSchema } from '@panelkit/sdk/schemas';
import { inputKey, parseInput, parsePageWindow, timeCursorCodec, timeKey } from '@panelkit/sdk/storage';
import type { Customer, NewPayment, Page, PageRequest, Payment, PaymentPatch, PaymentStatus } from '@panelkit/sdk';
import type { CreatePaymentResult, PaymentFilter } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';
import { UniqueIndex } from '../internal/unique-index.js';
import { newestFirst } from './page-scan.js';

/** Payment intents, unique by provider reference and by customer request key. */
export interface PaymentTables {
  readonly payments: Table<Payment>;
  readonly byExternalRef: UniqueIndex<Payment>;
}

/** Empty payment tables for a new memory storage. */
export function createPaymentTables(): PaymentTables {
  const byExternalRef = new UniqueIndex<Payment>('a payment with this external reference', (p) =>
    p.externalRef === null ? null : `${p.providerId}\u0000${p.externalRef}`,
  );
  const byRequestKey = new UniqueIndex<Payment>('a payment with this request key', (p) =>
    p.requestKey === null ? null : `${p.customerId}\u0000${p.providerId}\u0000${p.requestKey}`,
  );
  return { payments: new Table<Payment>('payment', [byExternalRef, byRequestKey]), byExternalRef };
}

function parseStatuses(value: readonly PaymentStatus[]): PaymentStatus[] {
  if (!Array.isArray(value) || value.some((s) => !(PAYMENT_STATUSES as readonly string[]).includes(s)))
    throw new ValidationError('invalid payment statuses', [{ path: '(root)', message: 'must be payment statuses' }]);
  return [...value];
}

/** Payment intents; each call is a check and a write under the storage's lock, so limits and transitions are atomic. */
export function paymentOperations(tables: PaymentTables, customers: Table<Customer>) {
  const { payments, byExternalRef } = tables;
  const holderOf = (p: { customerId: string; providerId: string; externalRef: string | null; requestKey: string | null }) => {
    for (const row of payments.values()) {
      if (p.externalRef !== null && row.providerId === p.providerId && row.externalRef === p.externalRef) return row;
      if (p.requestKey !== null && row.customerId === p.customerId && row.providerId === p.providerId && row.requestKey === p.requestKey)
        return row;
    }
    return undefined;
  };
  const pendingOf = (customerId: string, providerId: string): number => {
    let n = 0;
    for (const row of payments.values())
      if (row.customerId === customerId && row.providerId === providerId && row.status === 'pending') n++;
    return n;
  };

  return {
    create(op: Op, input: NewPayment, limits: { maxPending: number | null }): CreatePaymentResult {
      const parsed = parseInput(NewPaymentSchema, input, 'payment');
      customers.require(parsed.customerId);
      const held = holderOf(parsed);
      if (held !== undefined) return { ok: false, reason: 'duplicate', existing: copy(held) };
      const maxPending = limits?.maxPending ?? null;
      if (maxPending !== null) {
        const pending = pendingOf(parsed.customerId, parsed.providerId);
        if (pending >= maxPending) return { ok: false, reason: 'too_many_pending', pending };
      }
      const row: Payment = {
        id: parsed.id ?? createId('pay'),
        customerId: parsed.customerId,
        providerId: parsed.providerId,
        amount: parsed.amount,
        currency: parsed.currency,
        status: 'pending',
        externalRef: parsed.externalRef,
        requestKey: parsed.requestKey,
        details: copy(parsed.details),
        expiresAt: parsed.expiresAt,
        confirmation: null,
        ledgerEntryId: null,
        reversalEntryId: null,
        decidedBy: null,
        note: null,
        createdAt: op.now,
        updatedAt: op.now,
      };
      payments.insert(op.undo, row);
      return { ok: true, payment: copy(row) };
    },

    import(op: Op, payment: Payment): boolean {
      const parsed = parseInput(ImportedPaymentSchema, payment, 'payment');
      customers.require(parsed.customerId);
      if (payments.get(parsed.id) !== undefined) return false;
      payments.insert(op.undo, copy(parsed));
      return true;
    },

    get(_op: Op, id: string): Payment | null {
      const row = payments.get(inputKey(id, 'payment id'));
      return row === undefined ? null : copy(row);
    },

    getByExternalRef(_op: Op, providerId: string, externalRef: string): Payment | null {
      const id = byExternalRef.lookup(`${inputKey(providerId, 'provider id')}\u0000${inputKey(externalRef, 'external reference')}`);
      return id === undefined ? null : copy(payments.load(id));
    },

    transition(op: Op, id: string, from: readonly PaymentStatus[], patch: PaymentPatch): Payment | null {
      const statuses = parseStatuses(from);
      const parsed = parseInput(PaymentPatchSchema, patch, 'payment patch');
      const row = payments.get(inputKey(id, 'payment id'));
      if (row === undefined || !statuses.includes(row.status)) return null;
      const { details, ...rest } = parsed;
      const after: Payment = {
        ...row,
        ...copy(rest),
        details: details === undefined ? row.details : { ...row.details, ...copy(details) },
        updatedAt: op.now,
      };
      payments.replace(op.undo, after);
      return copy(after);
    },

    list(_op: Op, filter: PaymentFilter, page: PageRequest): Page<Payment> {
      const statuses = filter.statuses === undefined ? null : parseStatuses(filter.statuses);
      const customerId = filter.customerId === undefined ? null : inputKey(filter.customerId, 'customer id');
      const providerId = filter.providerId === undefined ? null : inputKey(filter.providerId, 'provider id');
      const from = filter.createdFrom?.getTime() ?? null;
      const before = filter.createdBefore?.getTime() ?? null;
      const anyOf = filter.anyOf;
      const buyers = anyOf?.customerIds === undefined ? null : new Set(anyOf.customerIds.map((id) => inputKey(id, 'customer id')));
      const matchesAny = (p: Payment): boolean =>
        anyOf === undefined ||
        buyers?.has(p.customerId) === true ||
        (anyOf.externalRefContains !== undefined && p.externalRef?.includes(anyOf.externalRefContains) === true) ||
        (anyOf.amount !== undefined && p.amount === anyOf.amount);
      const rows = [...payments.values()].filter(
        (p) =>
          (customerId === null || p.customerId === customerId) &&
          (providerId === null || p.providerId === providerId) &&
          (statuses === null || statuses.includes(p.status)) &&
          (from === null || p.createdAt.getTime() >= from) &&
          (before === null || p.createdAt.getTime() < before) &&
          matchesAny(p),
      );
      return newestFirst(rows, parsePageWindow(page, timeCursorCodec), (p) => timeKey(p.createdAt, p.id));
    },

    listExpiring(_op: Op, at: Date, limit: number): Payment[] {
      const until = at.getTime();
      return [...payments.values()]
        .filter((p) => p.status === 'pending' && p.expiresAt !== null && p.expiresAt.getTime() <= until)
        .sort((a, b) => a.expiresAt!.getTime() - b.expiresAt!.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, Math.max(0, Math.trunc(limit)))
        .map((p) => copy(p));
    },

    countPending(_op: Op, customerId: string, providerId: string): number {
      return pendingOf(inputKey(customerId, 'customer id'), inputKey(providerId, 'provider id'));
    },
  };
}
