import { CapacityExhaustedError, ValidationError } from '@panelkit/sdk';
import type { Refusal } from './refusals.js';

/** The reasons the engine gives for a choice or a location that have a message of their own (`builder.reasons.*`). */
const KNOWN = new Set([
  'not_buildable',
  'part_not_offered',
  'invalid_amount',
  'below_minimum',
  'above_maximum',
  'off_step',
  'locations_required',
  'unknown_location',
  'duplicate_location',
  'too_large',
  'choice_required',
  'trial',
  'quantity',
  'location_in_choice',
  'location_not_offered',
  'same_location',
]);

/** The reasons about a pinned location (the `location` field), not a built plan's choice. */
const PINNED = new Set(['location_in_choice', 'location_not_offered', 'same_location']);

/**
 * A refusal about a built plan's choice or a location (`ValidationError` with the rule's reason, or a full location),
 * in the buyer's words; `null` for any other error.
 */
export function builderRefusal(error: unknown): Refusal | null {
  if (CapacityExhaustedError.is(error) && error.details?.['reason'] === 'location_full')
    return { code: 'conflict', key: 'builder.reasons.location_full', reason: 'location_full', field: 'location' };
  if (!ValidationError.is(error)) return null;
  const reason = error.details?.['reason'];
  if (typeof reason !== 'string' || !KNOWN.has(reason)) return null;
  const field = PINNED.has(reason) ? 'location' : 'choice';
  return { code: 'invalid_input', key: `builder.reasons.${reason}`, reason, field };
}
