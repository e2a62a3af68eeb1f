import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/**
 * Parses `input` with `schema`, or throws a `ValidationError` listing every issue. zod's own
 * error never leaves the SDK.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  throw new ValidationError(`invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}
