/**
 * Error bodies of the Marzban family. Both panels install the same custom 422 handler, which keys
 * each message by the last element of its location: `{"detail": {"username": "…"}}`. The published
 * OpenAPI still declares FastAPI's array form `{"detail": [{loc, msg, type}]}`, so both are read.
 * Other errors carry `{"detail": "<text>"}`.
 */
import type { ValidationIssue } from '@panelkit/sdk';
import { z } from 'zod';

const ArrayIssueSchema = z.object({
  loc: z.array(z.union([z.string(), z.number()])).default([]),
  msg: z.string(),
});

/** `detail` as the panels send it: text, the custom field map, or FastAPI's issue list. */
export const DetailBodySchema = z.object({
  detail: z.union([z.string(), z.record(z.string(), z.string()), z.array(ArrayIssueSchema)]),
});
export type DetailBody = z.infer<typeof DetailBodySchema>;

/** pydantic v2 (Marzban 0.8, Marzneshin) prefixes a validator's own message with this. */
const PYDANTIC_V2_PREFIX = /^Value error, /;

/** Longest message kept from a panel body: they are short, and nothing longer is trusted in logs. */
const MAX_MESSAGE = 300;

function clean(message: string): string {
  return message.replace(PYDANTIC_V2_PREFIX, '').slice(0, MAX_MESSAGE);
}

/** Field issues from a 422 body, in either form; `[]` when the body holds none. */
export function fieldIssues(body: unknown): ValidationIssue[] {
  const parsed = DetailBodySchema.safeParse(body);
  if (!parsed.success) return [];
  const { detail } = parsed.data;
  if (typeof detail === 'string') return [{ path: '', message: clean(detail) }];
  if (Array.isArray(detail)) {
    return detail.map((issue) => ({
      // FastAPI prefixes the location with where the value came from ("body", "query", "path").
      path: issue.loc
        .filter((part, index) => !(index === 0 && typeof part === 'string' && ['body', 'query', 'path'].includes(part)))
        .join('.'),
      message: clean(issue.msg),
    }));
  }
  return Object.entries(detail).map(([path, message]) => ({ path, message: clean(message) }));
}

/** The `detail` text of a non-422 error body, or `null` when the body has none. */
export function detailText(body: unknown): string | null {
  const parsed = DetailBodySchema.safeParse(body);
  if (!parsed.success || typeof parsed.data.detail !== 'string') return null;
  return clean(parsed.data.detail);
}
