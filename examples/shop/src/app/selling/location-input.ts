import { z } from 'zod';

/** A location as a buyer names it: a panel location tag (`de-fra`, `country:de`). */
export const LocationField = z
  .string({ message: 'forms.invalid' })
  .trim()
  .regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/, { message: 'builder.locationInvalid' });

const Count = (max: number) =>
  z.number({ message: 'forms.wholeNumber' }).int({ message: 'forms.wholeNumber' }).min(1, { message: 'forms.invalid' }).max(max, {
    message: 'forms.invalid',
  });

/** A buyer's choice for a plan they compose, as typed (the engine's rule judges it against the plan's builder). */
export const ChoiceField = z.strictObject({
  locations: z.array(LocationField).min(1, { message: 'forms.required' }).max(64, { message: 'forms.invalid' }).optional(),
  devices: Count(1000).optional(),
  trafficGiB: Count(1_000_000).optional(),
  days: Count(3650).optional(),
});
