import { z } from 'zod';
import { ActorSchema, IdSchema, JsonObjectSchema } from './common.js';

/**
 * The bounds of an audit event's fields: what `NewAuditEventSchema` checks, and what the storages' hand check of a
 * placement's audit events (`parsePlacement`) checks without zod.
 */
export const AUDIT_FIELD_RULES = {
  /** `namespace.verb`. */
  action: /^[a-z_]+\.[a-z_]+$/,
  subjectTypeMaxLength: 50,
} as const;

/** An immutable record of a state change: who, what, to which subject, and the facts around it. */
export const AuditEventSchema = z.object({
  id: IdSchema,
  at: z.date(),
  actor: ActorSchema,
  /** `namespace.verb`, e.g. `subscription.suspended`, `ledger.refunded`. */
  action: z.string().regex(AUDIT_FIELD_RULES.action),
  subjectType: z.string().min(1).max(AUDIT_FIELD_RULES.subjectTypeMaxLength),
  subjectId: IdSchema,
  data: JsonObjectSchema,
});
/** A stored audit event (see `AuditEventSchema`). */
export type AuditEvent = z.infer<typeof AuditEventSchema>;

/** Validates an audit event to append: `id` and `at` are filled in by the storage when absent, `data` defaults to `{}`. */
export const NewAuditEventSchema = AuditEventSchema.extend({
  id: IdSchema.optional(),
  at: z.date().optional(),
  data: JsonObjectSchema.default({}),
});
/** Input of `audit.append` (see `NewAuditEventSchema`). */
export type NewAuditEvent = z.input<typeof NewAuditEventSchema>;
