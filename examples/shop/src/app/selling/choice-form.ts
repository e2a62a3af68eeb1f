import type { Plan } from '@panelkit/sdk';
import type { BuiltChoice } from '@panelkit/sdk/plan-builder';
import { z } from 'zod';
import { LocationField } from './location-input.js';

const optionalCount = (max: number) =>
  z
    .string({ message: 'forms.wholeNumber' })
    .trim()
    .regex(/^\d{0,7}$/, { message: 'forms.wholeNumber' })
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : Number(v)))
    .pipe(z.number().int().min(1, { message: 'forms.invalid' }).max(max, { message: 'forms.invalid' }).optional());

/** The checkout form's location and built-plan fields, as a browser posts them. */
export const ChoiceFormFields = z.object({
  location: z.union([z.literal(''), LocationField]).optional(),
  choiceLocations: z.union([LocationField, z.array(LocationField).max(64, { message: 'forms.invalid' })]).optional(),
  devices: optionalCount(1000),
  trafficGiB: optionalCount(1_000_000),
  days: optionalCount(3650),
});

/** The purchase line's `choice` and `location` from the parsed form: a choice only for a built plan. */
export function choiceOfForm(
  plan: Plan,
  form: z.output<typeof ChoiceFormFields>,
): { choice?: BuiltChoice | undefined; location?: string | undefined } {
  const builder = plan.builder;
  if (builder === null) return form.location ? { location: form.location } : {};
  const picked = form.choiceLocations === undefined ? [] : [form.choiceLocations].flat();
  const choice: BuiltChoice = {};
  // None picked: the rule answers `locations_required`.
  if (builder.locations !== null && picked.length > 0) choice.locations = picked;
  if (builder.devices !== null && form.devices !== undefined) choice.devices = form.devices;
  if (builder.trafficGiB !== null && form.trafficGiB !== undefined) choice.trafficGiB = form.trafficGiB;
  if (builder.durationDays !== null && form.days !== undefined) choice.days = form.days;
  return { choice };
}
