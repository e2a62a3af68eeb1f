import { z } from 'zod';
import { SubscriptionLabelField } from './name-subscription.js';

/** The web's rename form: the name, or an empty field for none (`null`). */
export const LabelForm = z.object({
  label: z
    .string({ message: 'forms.invalid' })
    .max(200, { message: 'forms.invalid' })
    .transform((v) => (v.trim() === '' ? null : v))
    .pipe(SubscriptionLabelField.nullable()),
});
