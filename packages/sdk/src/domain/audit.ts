import { z } from 'zod';
import { ActorSchema, IdSchema, JsonObjectSchema } from './common.js';

/** An immutable record of a state change: who, what, to which subject, and the facts around it. */
export const AuditEventSchema = z.object({
  id: IdSchema,
  at: z.date(),
  actor: ActorSchema,
  /** `namespace.verb`, e.g. `subscription.suspended`, `ledger.refunded`. */
  action: z.string().regex(/^[a-z_]+\.[a-z_]+$/),
  subjectType: z.string().min(1).max(50),
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
