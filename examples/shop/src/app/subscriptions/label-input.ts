import { z } from 'zod';

/** A buyer's name for one of their subscriptions as typed: 1–64 characters after trimming, no control characters. */
export const LabelField = z
  .string({ message: 'forms.invalid' })
  .trim()
  .min(1, { message: 'forms.required' })
  .max(64, { message: 'forms.invalid' })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  .regex(/^[^\u0000-\u001f\u007f]+$/, { message: 'forms.invalid' });

/** The web's rename form: the name, or an empty field for none (`null`). */
export const LabelForm = z.object({
  label: z
    .string({ message: 'forms.invalid' })
    .max(200, { message: 'forms.invalid' })
    .transform((v) => (v.trim() === '' ? null : v))
    .pipe(LabelField.nullable()),
});
