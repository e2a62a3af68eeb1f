import type { Actor } from '../../domain/common.js';
import { ActorSchema } from '../../domain/common.js';
import type { JobState } from '../../domain/job.js';
import { JobStateSchema } from '../../domain/job.js';
import type { OrderStatus } from '../../domain/order.js';
import { OrderStatusSchema } from '../../domain/order.js';
import { SUBSCRIPTION_STATUSES } from '../../domain/subscription-status.js';
import type { SubscriptionStatus } from '../../domain/subscription-status.js';
import { parseInput } from '../../domain/validate.js';
import { inputKey, inputRecord, invalidInput } from './checks.js';
import { parseSubscriptionStatuses } from './requests.js';

/** The filter of `AuditRepository.list`, validated; an absent field is `undefined`. */
export function parseAuditFilter(filter: { subjectType?: string; subjectId?: string; actor?: Actor['type'] }): {
  subjectType: string | undefined;
  subjectId: string | undefined;
  actor: Actor['type'] | undefined;
} {
  const input = inputRecord(filter ?? {}, 'audit filter');
  return {
    subjectType: input['subjectType'] === undefined ? undefined : inputKey(input['subjectType'], 'audit filter subjectType'),
    subjectId: input['subjectId'] === undefined ? undefined : inputKey(input['subjectId'], 'audit filter subjectId'),
    actor: input['actor'] === undefined ? undefined : parseInput(ActorSchema.shape.type, input['actor'], 'audit filter actor'),
  };
}

/** The filter of `JobRepository.list`, validated; an absent field is `undefined`. */
export function parseJobFilter(filter: { state?: JobState; type?: string; dedupeKey?: string }): {
  state: JobState | undefined;
  type: string | undefined;
  dedupeKey: string | undefined;
} {
  const input = inputRecord(filter ?? {}, 'job filter');
  return {
    state: input['state'] === undefined ? undefined : parseInput(JobStateSchema, input['state'], 'job filter state'),
    type: input['type'] === undefined ? undefined : inputKey(input['type'], 'job filter type'),
    dedupeKey: input['dedupeKey'] === undefined ? undefined : inputKey(input['dedupeKey'], 'job filter dedupeKey'),
  };
}

/** The filter of `OrderRepository.list`, validated; an absent field is `undefined`. */
export function parseOrderFilter(filter: { customerId?: string; status?: OrderStatus }): {
  customerId: string | undefined;
  status: OrderStatus | undefined;
} {
  const input = inputRecord(filter ?? {}, 'order filter');
  return {
    customerId: input['customerId'] === undefined ? undefined : inputKey(input['customerId'], 'order filter customerId'),
    status: input['status'] === undefined ? undefined : parseInput(OrderStatusSchema, input['status'], 'order filter status'),
  };
}

/** `onSale` of `PlanRepository.list`'s optional filter; `undefined` lists every plan. */
export function parsePlanFilter(filter: { onSale?: boolean } | undefined): boolean | undefined {
  const onSale = filter === undefined ? undefined : inputRecord(filter, 'plan filter')['onSale'];
  if (onSale !== undefined && typeof onSale !== 'boolean') invalidInput('plan filter', 'onSale', 'must be a boolean');
  return onSale;
}

/**
 * `panelId` of an optional `{ panelId }` filter (`TargetRepository.list` names it
 * `'target filter'`, `SubscriptionRepository.countByStatus` `'count filter'`); `undefined` means
 * every panel.
 */
export function parsePanelIdFilter(filter: { panelId?: string } | undefined, what: string): string | undefined {
  const panelId = filter === undefined ? undefined : inputRecord(filter, what)['panelId'];
  return panelId === undefined ? undefined : inputKey(panelId, `${what} panelId`);
}

/** The statuses of `SubscriptionRepository.listByPanel`'s filter, without repeats; absent means all. */
export function parsePanelStatusFilter(filter: { statuses?: readonly SubscriptionStatus[] }): SubscriptionStatus[] {
  const given = inputRecord(filter ?? {}, 'panel filter')['statuses'];
  return given === undefined ? [...SUBSCRIPTION_STATUSES] : parseSubscriptionStatuses(given, 'panel filter statuses');
}
