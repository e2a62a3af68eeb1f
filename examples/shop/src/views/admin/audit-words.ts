import type { AuditEvent } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import { hasMessage } from '../../i18n/translate.js';

/** Who did it, in words: the admin's or customer's email when known, else the kind of actor ("Scheduler"). */
export function actorName(ctx: RequestContext, event: AuditEvent, names: ReadonlyMap<string, string>): string {
  const known = event.actor.id === null ? undefined : names.get(event.actor.id);
  return known ?? ctx.t(`adminOps.actors.${event.actor.type}`);
}

/**
 * An audit event as a sentence ("Subscription provisioned by the worker", "Subscription suspended by ali@…: “abuse
 * report”"), from `auditWords.actions.<action>` and the reason the person gave; an action with no sentence yet is named
 * as recorded.
 */
export function auditSentence(ctx: RequestContext, event: AuditEvent, names: ReadonlyMap<string, string>): string {
  const who = actorName(ctx, event, names);
  const key = `auditWords.actions.${event.action}`;
  const sentence = hasMessage(key) ? ctx.t(key, { who }) : ctx.t('auditWords.unknown', { action: event.action, who });
  const reason = reasonOf(event);
  return reason === null ? sentence : ctx.t('auditWords.because', { sentence, reason });
}

/** The reason a person gave for the action (`data.reason`, or a note), when there is one worth reading. */
function reasonOf(event: AuditEvent): string | null {
  const given = event.data['reason'] ?? event.data['note'];
  if (typeof given !== 'string') return null;
  const reason = given.trim();
  // `admin` is the engine's default when an action came with no reason.
  return reason === '' || reason === 'admin' || /^[a-z]+(_[a-z]+)+$/.test(reason) ? null : reason;
}
