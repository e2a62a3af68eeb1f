import { AUDIT_FIELD_RULES } from '../../domain/audit.js';
import type { NewAuditEventSchema } from '../../domain/audit.js';
import { LEDGER_FIELD_RULES, LEDGER_KINDS, amountFitsKind } from '../../domain/ledger.js';
import type { NewLedgerEntrySchema } from '../../domain/ledger.js';
import { ORDER_FIELD_RULES, ORDER_STATUSES } from '../../domain/order.js';
import type { NewOrderSchema, OrderItem } from '../../domain/order.js';
import type { z } from 'zod';
import { ID_MAX_LENGTH } from '../../domain/common.js';
import { actorOf, isDate, isId, isInteger, isOneOf, isPlainRecord, isText, jsonObject, moneyOf, nullableText } from './hand-checks.js';

/*
 * A placement's order, debit and audit events checked by hand, as their schemas parse them (see hand-checks.ts):
 * `undefined` for a row the hand check does not accept, which zod then decides.
 */

type ParsedOrder = z.output<typeof NewOrderSchema>;
type ParsedEntry = z.output<typeof NewLedgerEntrySchema>;
type ParsedAuditEvent = z.output<typeof NewAuditEventSchema>;

function orderItemOf(value: unknown): OrderItem | undefined {
  if (!isPlainRecord(value)) return undefined;
  const { planId, quantity, unitPrice, trial } = value;
  // A built plan's sale is left to zod (its choice is a schema of its own).
  if (value['built'] !== undefined) return undefined;
  if (!isId(planId) || !isInteger(quantity, 1, ORDER_FIELD_RULES.quantityMax) || typeof trial !== 'boolean') return undefined;
  const price = moneyOf(unitPrice, 0);
  if (price === undefined) return undefined;
  const item: OrderItem = { planId, quantity, unitPrice: price, trial };
  if ('built' in value) item.built = undefined;
  return item;
}

/** A placement's order as `NewOrderSchema` parses it, or `undefined`. */
export function handOrder(value: unknown): ParsedOrder | undefined {
  if (!isPlainRecord(value)) return undefined;
  const { id, customerId, status, items, total, idempotencyKey, requestHash, ledgerEntryId } = value;
  if (id !== undefined && !isId(id)) return undefined;
  if (!isId(customerId) || (status !== undefined && !isOneOf(ORDER_STATUSES, status))) return undefined;
  if (!Array.isArray(items) || items.length < 1 || items.length > ORDER_FIELD_RULES.itemsMax) return undefined;
  const parsedItems: OrderItem[] = [];
  for (const item of items) {
    const parsed = orderItemOf(item);
    if (parsed === undefined) return undefined;
    parsedItems.push(parsed);
  }
  const parsedTotal = moneyOf(total);
  if (parsedTotal === undefined) return undefined;
  if (!isText(idempotencyKey, 1, ORDER_FIELD_RULES.keyMaxLength) || !isText(requestHash, 1, ORDER_FIELD_RULES.keyMaxLength))
    return undefined;
  if (ledgerEntryId !== undefined && ledgerEntryId !== null && !isId(ledgerEntryId)) return undefined;
  const order: Partial<ParsedOrder> = {};
  if ('id' in value) order.id = id as string | undefined;
  return Object.assign(order, {
    customerId,
    status: status ?? ORDER_FIELD_RULES.defaultStatus,
    items: parsedItems,
    total: parsedTotal,
    idempotencyKey,
    requestHash,
    ledgerEntryId: ledgerEntryId ?? null,
  });
}

/** A placement's debit as `NewLedgerEntrySchema` parses it, or `undefined`. */
export function handDebit(value: unknown): ParsedEntry | undefined {
  if (!isPlainRecord(value)) return undefined;
  const { id, customerId, kind, amount, currency, idempotencyKey } = value;
  if (id !== undefined && !isId(id)) return undefined;
  if (!isId(customerId) || !isOneOf(LEDGER_KINDS, kind)) return undefined;
  if (!isInteger(amount, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) || amount === 0 || !amountFitsKind(kind, amount))
    return undefined;
  const money = moneyOf({ amount, currency });
  if (money === undefined || !isText(idempotencyKey, 1, LEDGER_FIELD_RULES.keyMaxLength)) return undefined;
  const orderId = nullableText(value['orderId'], 1, ID_MAX_LENGTH);
  const subscriptionId = nullableText(value['subscriptionId'], 1, ID_MAX_LENGTH);
  const reference = nullableText(value['reference'], 0, LEDGER_FIELD_RULES.referenceMaxLength);
  const note = nullableText(value['note'], 0, LEDGER_FIELD_RULES.noteMaxLength);
  if (orderId === false || subscriptionId === false || reference === false || note === false) return undefined;
  const actor = actorOf(value['actor']);
  if (actor === undefined) return undefined;
  const entry: Partial<ParsedEntry> = {};
  if ('id' in value) entry.id = id as string | undefined;
  return Object.assign(entry, {
    customerId,
    kind,
    amount,
    currency: money.currency,
    idempotencyKey,
    orderId,
    subscriptionId,
    reference,
    note,
    actor,
  });
}

/** A placement's audit event as `NewAuditEventSchema` parses it, or `undefined`. */
export function handAuditEvent(value: unknown): ParsedAuditEvent | undefined {
  if (!isPlainRecord(value)) return undefined;
  const { id, at, action, subjectType, subjectId, data } = value;
  if (id !== undefined && !isId(id)) return undefined;
  if (at !== undefined && !isDate(at)) return undefined;
  const actor = actorOf(value['actor']);
  if (actor === undefined || typeof action !== 'string' || !AUDIT_FIELD_RULES.action.test(action)) return undefined;
  if (!isText(subjectType, 1, AUDIT_FIELD_RULES.subjectTypeMaxLength) || !isId(subjectId)) return undefined;
  const copied = data === undefined ? {} : jsonObject(data);
  if (copied === undefined) return undefined;
  const event: Partial<ParsedAuditEvent> = {};
  if ('id' in value) event.id = id as string | undefined;
  if ('at' in value) event.at = at as Date | undefined;
  return Object.assign(event, { actor, action, subjectType, subjectId, data: copied });
}
