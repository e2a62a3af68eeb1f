import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** A fresh key for a form: a resubmission of the same page replays the first result instead of paying twice. */
export function newIdempotencyKey(): string {
  return randomBytes(18).toString('base64url');
}

/** What a form or an API client may send as its key (the engine allows longer; this keeps it tidy). */
export const IdempotencyKeySchema = z.string({ message: 'forms.required' }).regex(/^[A-Za-z0-9_.:-]{8,100}$/, { message: 'forms.invalid' });
