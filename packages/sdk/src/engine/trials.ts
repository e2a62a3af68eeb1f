import type { Page, PageRequest } from '../domain/common.js';
import { PageRequestSchema } from '../domain/common.js';
import { parseInput } from '../domain/validate.js';
import type { TrialIdentityKind } from '../trials/identity.js';
import type { EngineContext } from './context.js';
import { TRIAL_REFUSAL_SUBJECT } from './trial-claims.js';

/** One refused trial, as the owner reads it: who, when, which plan, why, and what matched (never shown to the buyer). */
export interface TrialRefusal {
  /** The audit event's id. */
  id: string;
  at: Date;
  customerId: string;
  planId: string;
  family: string;
  /** `already_used` (this account or another of the same person) or `phone_required`. */
  reason: 'already_used' | 'phone_required';
  /** `account`: this customer had one; otherwise the identity kinds another account holds. */
  matched: ('account' | TrialIdentityKind)[];
  /** The trial subscription a device was refused on (a device check), or `null` (a checkout). */
  subscriptionId: string | null;
}

/** `kit.trials`: the owner's view of refused trial attempts. */
export interface PanelkitTrials {
  /**
   * Refused trials (checkouts and devices), newest first, from the audit feed (`subjectType` `trial_refusal`);
   * `customerId` narrows to one customer. A bad page is a `ValidationError`.
   */
  refusals(page: PageRequest, filter?: { customerId?: string }): Promise<Page<TrialRefusal>>;
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** Builds `kit.trials`. */
export function createTrials(ctx: EngineContext): PanelkitTrials {
  return {
    async refusals(page, filter = {}) {
      const p = parseInput(PageRequestSchema, page, 'page');
      const listed = await ctx.storage.audit.list(
        { subjectType: TRIAL_REFUSAL_SUBJECT, ...(filter.customerId === undefined ? {} : { subjectId: filter.customerId }) },
        p,
      );
      return {
        nextCursor: listed.nextCursor,
        items: listed.items.map((event) => ({
          id: event.id,
          at: event.at,
          customerId: event.subjectId,
          planId: text(event.data['planId'], ''),
          family: text(event.data['family'], ''),
          reason: event.data['reason'] === 'phone_required' ? 'phone_required' : 'already_used',
          matched: (Array.isArray(event.data['matched']) ? event.data['matched'] : []).filter(
            (m): m is TrialRefusal['matched'][number] => typeof m === 'string',
          ),
          subscriptionId: typeof event.data['subscriptionId'] === 'string' ? event.data['subscriptionId'] : null,
        })),
      };
    },
  };
}
