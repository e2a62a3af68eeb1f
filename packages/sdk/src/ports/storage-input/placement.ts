import { NewAuditEventSchema } from '../../domain/audit.js';
import type { NewAuditEvent } from '../../domain/audit.js';
import type { NewJob } from '../../domain/job.js';
import { NewLedgerEntrySchema } from '../../domain/ledger.js';
import { NewOrderSchema } from '../../domain/order.js';
import { NewSubscriptionSchema } from '../../domain/subscription.js';
import { parseInput } from '../../domain/validate.js';
import type { z } from 'zod';
import type { OrderPlacement } from '../storage-order-placement.js';
import { inputArray, inputKey, inputRecord, invalidInput } from './checks.js';
import { parseNewJob } from './jobs.js';
import type { ParsedNewJob } from './jobs.js';
import { handAuditEvent, handDebit, handOrder } from './placement-rows.js';
import { handSubscription } from './placement-subscription.js';

/** How many slots a placement takes on one plan or target. */
export interface SlotCount {
  readonly id: string;
  readonly count: number;
}

/** A validated {@link OrderPlacement}, with the slots it takes counted per plan and per target, each in id order. */
export interface ParsedPlacement {
  readonly order: z.output<typeof NewOrderSchema> & { id: string };
  readonly debit: (z.output<typeof NewLedgerEntrySchema> & { id: string }) | null;
  readonly subscriptions: z.output<typeof NewSubscriptionSchema>[];
  readonly jobs: ParsedNewJob[];
  readonly audit: z.output<typeof NewAuditEventSchema>[];
  readonly plans: SlotCount[];
  readonly targets: SlotCount[];
}

const WHAT = 'order placement';

function counted(ids: readonly string[]): SlotCount[] {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  // Code-point order (`COLLATE "C"` on PostgreSQL): the order every storage locks the rows in.
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, count]) => ({ id, count }));
}

/**
 * Checks an `orders.place` argument the same way in every storage: each row against its schema, the
 * subscriptions and the debit belonging to the order and its customer, the debit a purchase that takes
 * money, the jobs' dedupe keys distinct. `ValidationError` otherwise. Each row is checked by hand first (zod cost
 * ~50 µs a checkout hot, and much more in a process's first calls); a row the hand check does not accept goes to
 * its schema, so the result and a bad row's error are the schema's own.
 */
export function parsePlacement(placement: OrderPlacement, createId: (prefix: string) => string): ParsedPlacement {
  const input = inputRecord(placement, WHAT);
  const order = handOrder(input['order']) ?? parseInput(NewOrderSchema, input['order'], `${WHAT} order`);
  const orderId = inputKey(order.id, `${WHAT} order id`);
  const debit =
    input['debit'] === null ? null : (handDebit(input['debit']) ?? parseInput(NewLedgerEntrySchema, input['debit'], `${WHAT} debit`));
  if (debit !== null) {
    if (debit.kind !== 'purchase' || debit.amount >= 0) invalidInput(WHAT, 'debit', 'must be a purchase that takes money');
    if (debit.orderId !== orderId || debit.customerId !== order.customerId)
      invalidInput(WHAT, 'debit', "must be the order's and its customer's");
  }
  const subscriptions = inputArray(input['subscriptions'], WHAT, 'subscriptions').map((s, i) => {
    const parsed = handSubscription(s) ?? parseInput(NewSubscriptionSchema, s, `${WHAT} subscription ${i}`);
    if (parsed.orderId !== orderId || parsed.customerId !== order.customerId)
      invalidInput(WHAT, `subscriptions.${i}`, "must be the order's and its customer's");
    return parsed;
  });
  const jobs = inputArray(input['jobs'], WHAT, 'jobs').map((j, i) => parseNewJob(j as NewJob, `${WHAT} job ${i}`));
  const keys = jobs.flatMap((j) => (j.dedupeKey === null ? [] : [j.dedupeKey]));
  if (new Set(keys).size !== keys.length) invalidInput(WHAT, 'jobs', 'dedupe keys must be distinct');
  const audit = inputArray(input['audit'], WHAT, 'audit').map(
    (e, i) => handAuditEvent(e) ?? parseInput(NewAuditEventSchema, e as NewAuditEvent, `${WHAT} audit ${i}`),
  );
  const debitId = debit === null ? null : (debit.id ?? createId('led'));
  return {
    order: { ...order, id: orderId, ledgerEntryId: debitId },
    debit: debit === null ? null : { ...debit, id: debitId! },
    subscriptions,
    jobs,
    audit,
    plans: counted(subscriptions.map((s) => s.planId)),
    targets: counted(subscriptions.map((s) => s.targetId)),
  };
}
