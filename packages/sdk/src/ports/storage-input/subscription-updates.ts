import { SubscriptionPatchSchema } from '../../domain/subscription.js';
import type { Subscription } from '../../domain/subscription.js';
import { parseInput } from '../../domain/validate.js';
import type { SubscriptionUpdate } from '../storage.js';
import { definedFields, inputKey, inputRecord, inputRows, invalidInput } from './checks.js';
import { parseExpectedRevision } from './requests.js';

/** One row of `subscriptions.updateMany`, checked: the patch parsed and stripped of unset fields. */
export interface ParsedSubscriptionUpdate {
  readonly id: string;
  readonly changes: Partial<Subscription>;
  readonly expectedRevision: number;
}

/**
 * The rows of a `subscriptions.updateMany` call, each checked as `update` checks its arguments, in the order given;
 * an id given twice is a `ValidationError` (two patches of one row in one statement would not see each other).
 */
export function parseSubscriptionUpdates(updates: readonly SubscriptionUpdate[]): ParsedSubscriptionUpdate[] {
  const seen = new Set<string>();
  return inputRows(updates, 'subscription updates').map((update, i) => {
    const input = inputRecord(update, `subscription update ${i}`);
    const id = inputKey(input['id'], `subscription update ${i} id`);
    if (seen.has(id)) invalidInput('subscription updates', `${i}.id`, `subscription ${id} is given twice`);
    seen.add(id);
    const changes = definedFields(parseInput(SubscriptionPatchSchema, input['patch'], 'subscription patch')) as Partial<Subscription>;
    return { id, changes, expectedRevision: parseExpectedRevision({ expectedRevision: input['expectedRevision'] as number }) };
  });
}
