import type { ShopErrorCode } from '../app/shop-error.js';

const STATUS_OF: Record<ShopErrorCode, number> = {
  invalid_input: 400,
  sign_in_required: 401,
  insufficient_funds: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  too_many_requests: 429,
  internal: 500,
  unavailable: 503,
};

/** The HTTP status the web and the JSON API answer a refusal of this code with. */
export function httpStatusOf(code: ShopErrorCode): number {
  return STATUS_OF[code];
}

/** The refusal code of a client error status another layer raised (Express, body-parser); `invalid_input` when unknown. */
export function shopErrorCodeOf(status: number): ShopErrorCode {
  const found = (Object.entries(STATUS_OF) as [ShopErrorCode, number][]).find(([, s]) => s === status);
  return found?.[0] ?? 'invalid_input';
}
