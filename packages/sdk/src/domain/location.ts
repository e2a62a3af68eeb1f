import { z } from 'zod';
import { TagSchema } from './common.js';

const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
/** Region codes ICU names that are no ISO 3166-1 country (groupings, reserved and pseudo codes). */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'QO', 'UN', 'ZZ', 'UK', 'XA', 'XB']);

/**
 * A country as ISO 3166-1 alpha-2, upper case (`DE`, `NL`): two letters that name a region the runtime's ICU data
 * knows (an unassigned pair such as `QQ` is refused). Anything else (`ZZZ9`, `de`) is one issue, two capital letters.
 */
export const CountryCodeSchema = z
  .string()
  // `abort`: the ICU lookup below throws a RangeError on anything but letters, so it runs only on two of them.
  .regex(/^[A-Z]{2}$/, { error: 'an ISO 3166-1 alpha-2 code: two capital letters', abort: true })
  .refine((code) => !NOT_COUNTRIES.has(code) && regions.of(code) !== code, 'not an assigned ISO 3166-1 alpha-2 code');

/**
 * One entry of the owner's location catalog (storage port 22): a panel location tag (`Panel.locationTags`, the tags a
 * plan's placement and a built plan's location options name) with the country it is in and the name buyers read.
 */
export const LocationEntrySchema = z.strictObject({
  /** The location tag this entry names. */
  location: TagSchema,
  country: CountryCodeSchema,
  /** The name buyers see (`Frankfurt`, `Amsterdam 2`), 1–100 characters, no control characters. */
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .refine((name) => !/\p{Cc}/u.test(name), 'must not contain control characters'),
});
/** One entry of the location catalog (see {@link LocationEntrySchema}). */
export type LocationEntry = z.infer<typeof LocationEntrySchema>;
