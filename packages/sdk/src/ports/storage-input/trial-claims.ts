import type { TrialClaim } from '../storage-trial-claims.js';
import { inputKey, inputRecord, inputString, invalidInput } from './checks.js';

/** The most keys one `trialClaims.claim` takes. */
export const MAX_TRIAL_CLAIM_KEYS = 20;

/** A `trialClaims.claim` argument checked the same way in every storage; keys come back distinct and sorted (the lock order). */
export function parseTrialClaim(value: unknown): TrialClaim {
  const what = 'trial claim';
  const input = inputRecord(value, what);
  const family = inputString(input['family'], what, 'family');
  if (family.length < 1 || family.length > 100) invalidInput(what, 'family', 'must be 1 to 100 characters');
  const customerId = inputKey(input['customerId'], 'customer id');
  const raw = input['keys'];
  if (!Array.isArray(raw) || raw.length < 1 || raw.length > MAX_TRIAL_CLAIM_KEYS)
    invalidInput(what, 'keys', `must be 1 to ${MAX_TRIAL_CLAIM_KEYS} keys`);
  const keys = new Set<string>();
  for (const key of raw as unknown[]) {
    const k = inputString(key, what, 'keys');
    if (k.length < 1 || k.length > 200) invalidInput(what, 'keys', 'each key must be 1 to 200 characters');
    keys.add(k);
  }
  return { family, customerId, keys: [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
}
