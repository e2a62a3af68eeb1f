import type { AuditEvent } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import { hasMessage } from '../../i18n/translate.js';

/** Who did it, in words: the admin's or customer's email when known, else the kind of actor ("Scheduler"). */
export function actorName(ctx: RequestContext, event: AuditEvent, names: ReadonlyMap<string, string>): string {
  const known = event.actor.id === null ? undefined : names.get(event.actor.id);
  return known ?? ctx.t(`adminOps.actors.${event.actor.type}`);
}

/**
 * An audit event as a sentence ("Subscription provisioned by the worker", "Extension paid by ali@…"),
 * from `auditWords.actions.<action>`; an action with no sentence yet is named as recorded.
 */
export function auditSentence(ctx: RequestContext, event: AuditEvent, names: ReadonlyMap<string, string>): string {
  const who = actorName(ctx, event, names);
  const key = `auditWords.actions.${event.action}`;
  return hasMessage(key) ? ctx.t(key, { who }) : ctx.t('auditWords.unknown', { action: event.action, who });
}
