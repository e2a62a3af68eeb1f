import type { z } from 'zod';
import { hasMessage, type Translate } from '../../i18n/translate.js';
import { ShopError } from '../shop-error.js';

export type FieldErrors = Record<string, string>;

/** A zod issue as a message key: the schema's own message when it is a key, else one by issue code. */
function issueKey(issue: z.core.$ZodIssue): { key: string; params: Record<string, string | number> } {
  if (hasMessage(issue.message)) return { key: issue.message, params: {} };
  switch (issue.code) {
    case 'invalid_type':
      return { key: 'forms.required', params: {} };
    case 'too_small':
      return { key: issue.origin === 'string' ? 'forms.tooShort' : 'forms.tooSmall', params: { min: Number(issue.minimum) } };
    case 'too_big':
      return { key: issue.origin === 'string' ? 'forms.tooLong' : 'forms.tooBig', params: { max: Number(issue.maximum) } };
    case 'invalid_format':
      return { key: issue.format === 'email' ? 'forms.email' : 'forms.invalid', params: {} };
    default:
      return { key: 'forms.invalid', params: {} };
  }
}

/** The first problem of each field (keyed by its path), translated. */
export function fieldErrors(error: z.ZodError, t: Translate): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const name = issue.path.length === 0 ? '_form' : issue.path.join('.');
    if (name in fields) continue;
    const { key, params } = issueKey(issue);
    fields[name] = t(key, params);
  }
  return fields;
}

export type FormResult<T> = { ok: true; data: T } | { ok: false; fields: FieldErrors };

/** Parses a form or JSON body; on failure, every field's message in the viewer's language. Never throws for bad input. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown, t: Translate): FormResult<z.output<S>> {
  const parsed = schema.safeParse(body ?? {});
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, fields: fieldErrors(parsed.error, t) };
}

/** For JSON routes: the parsed body, or a 400 `ShopError` carrying the field messages. */
export function parseOrThrow<S extends z.ZodType>(schema: S, body: unknown, t: Translate): z.output<S> {
  const result = parseForm(schema, body, t);
  if (!result.ok) throw new ShopError('invalid_input', 'errors.invalidInput', {}, result.fields);
  return result.data;
}
