import { TagSchema } from '@panelkit/sdk/schemas';
import { z } from 'zod';

/* zod fields for HTML forms: every value arrives as a string (or is absent); messages are i18n keys. */

/** An HTML checkbox: present (any value) is on, absent is off. */
export const checkbox = z
  .unknown()
  .optional()
  .transform((value) => value !== undefined && value !== '' && value !== null);

/** An optional form field that must be a single string (a repeated field is refused). */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => v ?? '');

/** A required whole number typed in a form. */
export const wholeNumber = z
  .string()
  .trim()
  .regex(/^\d{1,9}$/, 'forms.wholeNumber')
  .transform(Number);

/** A whole number, or `null` when left empty ("unlimited", "none"). */
export const optionalWholeNumber = z
  .string()
  .trim()
  .max(12)
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return null;
    if (!/^\d{1,9}$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: 'forms.wholeNumber' });
      return z.NEVER;
    }
    return Number(v);
  });

/** Comma-separated tags ("de, nl"), each checked by the SDK's `TagSchema`; lower-cased, duplicates dropped. */
export const tagList = (max: number) =>
  z
    .string()
    .max(2000)
    .optional()
    .transform((text, ctx) => {
      const tags = [
        ...new Set(
          (text ?? '')
            .split(',')
            .map((s) => s.trim().toLowerCase())
            .filter((s) => s !== ''),
        ),
      ];
      if (tags.length > max || tags.some((tag) => !TagSchema.safeParse(tag).success)) {
        ctx.addIssue({ code: 'custom', message: 'adminOps.forms.tags' });
        return z.NEVER;
      }
      return tags;
    });
