import { type LocationEntry, LocationEntrySchema } from '../../domain/location.js';
import { TagSchema } from '../../domain/common.js';
import { parseInput } from '../../domain/validate.js';

/** A `locations.put` argument checked the same way in every storage (the name comes back trimmed). */
export function parseLocationEntry(value: unknown): LocationEntry {
  return parseInput(LocationEntrySchema, value, 'location entry');
}

/** A location tag as `locations.get` and `locations.remove` take it. */
export function parseLocationTag(value: unknown): string {
  return parseInput(TagSchema, value, 'location tag');
}
