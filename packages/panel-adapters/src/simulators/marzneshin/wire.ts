/** How the Marzneshin simulator serialises: FastAPI's JSON answers, `UserResponse`, and fastapi-pagination pages. */
import { randomBytes } from 'node:crypto';
import { isActive, isExpired, isLimited, type MarzneshinSimUser } from './state.js';

export interface WireContext {
  nowMs: number;
  /** The `subscription_url_prefix` of the user's admin, or the panel's; `*` is a random label per read. */
  subscriptionPrefix: string;
}

/** A FastAPI `JSONResponse`: compact, `application/json` without a charset (§10.10). */
export function pyJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** Python's naive `isoformat()`: no fraction when the microseconds are zero, else six digits. */
export function iso(ms: number | null): string | null {
  if (ms === null) return null;
  const text = new Date(ms).toISOString().replace('Z', '');
  return text.endsWith('.000') ? text.slice(0, -4) : `${text}000`;
}

/** `{prefix}/sub/{username}/{key}`, each `*` of the prefix a fresh random label (§10.5). */
export function subscriptionUrl(wire: WireContext, user: MarzneshinSimUser): string {
  return `${wire.subscriptionPrefix.replaceAll('*', () => randomBytes(8).toString('hex'))}/sub/${user.username}/${user.key}`;
}

/** `UserResponse`, keys in Marzneshin's order; `expired` and `data_limit_reached` computed now. */
export function userBody(wire: WireContext, user: MarzneshinSimUser): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    expire_strategy: user.expireStrategy,
    expire_date: iso(user.expireDate),
    usage_duration: user.usageDuration,
    activation_deadline: iso(user.activationDeadline),
    key: user.key,
    data_limit: user.dataLimit,
    data_limit_reset_strategy: user.resetStrategy,
    note: user.note,
    sub_updated_at: iso(user.subUpdatedAt),
    sub_last_user_agent: user.subLastUserAgent,
    online_at: iso(user.onlineAt),
    activated: user.activated,
    is_active: isActive(user, wire.nowMs),
    expired: isExpired(user, wire.nowMs),
    data_limit_reached: isLimited(user),
    enabled: user.enabled,
    used_traffic: user.usedTraffic,
    lifetime_used_traffic: user.lifetimeUsedTraffic,
    sub_revoked_at: iso(user.subRevokedAt),
    created_at: iso(user.createdAt),
    service_ids: user.serviceIds,
    subscription_url: subscriptionUrl(wire, user),
    owner_username: user.owner,
    traffic_reset_at: iso(user.trafficResetAt),
  };
}

/** `page` and `size` of a paged request, or the 422 the panel answers (size ≤ 100, both ≥ 1). */
export function pageParams(url: URL): { page: number; size: number } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const read = (name: string, fallback: number, max?: number): number => {
    const raw = url.searchParams.get(name);
    if (raw === null) return fallback;
    if (!/^\s*[+-]?\d+\s*$/.test(raw)) errors[name] = 'Input should be a valid integer, unable to parse string as an integer';
    else if (Number(raw) < 1) errors[name] = 'Input should be greater than or equal to 1';
    else if (max !== undefined && Number(raw) > max) errors[name] = `Input should be less than or equal to ${max}`;
    return Number(raw);
  };
  const page = read('page', 1);
  const size = read('size', 50, 100);
  return Object.keys(errors).length > 0 ? { errors } : { page, size };
}

/**
 * fastapi-pagination's `links.Page`: the items of page `page`, and links that are the request's own
 * path and query (relative, §10.8) with `page` replaced.
 */
export function pageBody<T>(
  url: URL,
  all: readonly T[],
  page: number,
  size: number,
  serialise: (item: T) => unknown,
): Record<string, unknown> {
  const pages = Math.ceil(all.length / size);
  const withPage = (n: number): string => {
    const query = new URLSearchParams(url.search);
    query.set('page', String(n));
    return `${url.pathname}?${query.toString()}`;
  };
  return {
    items: all.slice((page - 1) * size, page * size).map(serialise),
    total: all.length,
    page,
    size,
    pages,
    links: {
      first: withPage(1),
      last: withPage(Math.max(pages, 1)),
      self: `${url.pathname}${url.search}`,
      next: page < pages ? withPage(page + 1) : null,
      prev: page > 1 ? withPage(page - 1) : null,
    },
  };
}
