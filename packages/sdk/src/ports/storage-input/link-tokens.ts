import { MAX_ROWS_PER_CALL } from '../storage.js';
import type { LinkTokenCandidate, LinkTokenRequest } from '../storage-link-tokens.js';
import { inputInteger, inputKey, inputRecord, inputRows, inputString, invalidInput } from './checks.js';

const NONCE = /^[A-Za-z0-9_-]{1,64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A `linkTokens.ensure`/`rotate` candidate checked the same way in every storage: a URL-safe nonce and a hex SHA-256. */
export function parseLinkTokenCandidate(value: unknown): LinkTokenCandidate {
  const what = 'link token candidate';
  const input = inputRecord(value, what);
  const nonce = inputString(input['nonce'], what, 'nonce');
  if (!NONCE.test(nonce)) invalidInput(what, 'nonce', 'must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -');
  const tokenHash = inputString(input['tokenHash'], what, 'tokenHash');
  if (!SHA256_HEX.test(tokenHash)) invalidInput(what, 'tokenHash', 'must be a SHA-256 in 64 lower-case hex digits');
  return { nonce, tokenHash };
}

/**
 * The requests of `linkTokens.ensureMany` checked the same way in every storage: at most {@link MAX_ROWS_PER_CALL},
 * each a customer id and a candidate as {@link parseLinkTokenCandidate} checks it.
 */
export function parseLinkTokenRequests(value: readonly LinkTokenRequest[]): LinkTokenRequest[] {
  return inputRows(value, 'link token requests').map((item) => {
    const request = inputRecord(item, 'link token request');
    return { customerId: inputKey(request['customerId'], 'customer id'), candidate: parseLinkTokenCandidate(request['candidate']) };
  });
}

/** The arguments of `linkTokens.customersAfter`: any id to start after, and 1 to {@link MAX_ROWS_PER_CALL} ids. */
export function parseCustomersAfter(afterId: unknown, limit: unknown): { afterId: string; limit: number } {
  return {
    afterId: inputKey(afterId, 'link tokens afterId'),
    limit: inputInteger(limit, 'link tokens limit', '(root)', { min: 1, max: MAX_ROWS_PER_CALL }),
  };
}
