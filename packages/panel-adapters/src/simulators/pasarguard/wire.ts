/** How the PasarGuard simulator writes users (`UserResponse`), groups and subscription tokens. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SimGroup, SimUser } from './state.js';

/** pydantic v2's aware UTC datetime: `2026-01-01T00:00:00Z`, microseconds when there are any. */
export function isoZ(ms: number | null): string | null {
  if (ms === null) return null;
  const text = new Date(ms).toISOString();
  return text.endsWith('.000Z') ? text.replace('.000Z', 'Z') : text.replace('Z', '000Z');
}

/** `create_subscription_token`: `base64url("v3,<user id>,<seconds>")` + `.` + base64url(HMAC-SHA256). */
export function subscriptionToken(userId: number, nowMs: number, secret: string): string {
  const data = Buffer.from(`v3,${userId},${Math.floor(nowMs / 1000)}`).toString('base64url');
  return `${data}.${createHmac('sha256', secret).update(data).digest('base64url')}`;
}

/** The user id and signing time of a valid token; `null` for a forged or malformed one. */
export function readSubscriptionToken(token: string, secret: string): { userId: number; signedAtMs: number } | null {
  const [data, signature] = token.split('.');
  if (!data || !signature) return null;
  const expected = createHmac('sha256', secret).update(data).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const match = /^v3,(\d+),(\d+)$/.exec(Buffer.from(data, 'base64url').toString('utf8'));
  return match ? { userId: Number(match[1]), signedAtMs: Number(match[2]) * 1000 } : null;
}

/** What a user body needs from the panel. */
export interface WireContext {
  nowMs: number;
  secret: string;
  /** `subscription.url_prefix`; `''` gives relative URLs. */
  subscriptionPrefix: string;
  admin: { id: number; username: string };
}

/** `UserResponse`, keys in the model's order (`User` fields first, then `UserNotificationResponse`'s). */
export function userBody(user: SimUser, wire: WireContext, options: { withSubscription?: boolean } = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    proxy_settings: user.proxySettings,
    expire: isoZ(user.expire),
    data_limit: user.dataLimit,
    data_limit_reset_strategy: user.resetStrategy,
    note: user.note,
    on_hold_expire_duration: user.onHoldExpireDuration,
    on_hold_timeout: isoZ(user.onHoldTimeout),
    group_ids: user.groupIds,
    auto_delete_in_days: null,
    hwid_limit: user.hwidLimit,
    next_plan: user.nextPlan,
    id: user.id,
    username: user.username,
    status: user.status,
    used_traffic: user.usedTraffic,
    lifetime_used_traffic: user.lifetimeUsedTraffic,
    created_at: isoZ(user.createdAt),
    edit_at: isoZ(user.editAt),
    online_at: isoZ(user.onlineAt),
    admin: { id: wire.admin.id, username: wire.admin.username },
  };
  // A list without `load_sub=true` carries an empty URL (seen on v5.2.1), not none.
  body.subscription_url =
    options.withSubscription === false ? '' : `${wire.subscriptionPrefix}/sub/${subscriptionToken(user.id, wire.nowMs, wire.secret)}`;
  return body;
}

/** `GroupResponse`. */
export function groupBody(group: SimGroup, users: Iterable<SimUser>): Record<string, unknown> {
  let total = 0;
  for (const user of users) if (user.groupIds.includes(group.id)) total++;
  return { name: group.name, inbound_tags: group.inboundTags, is_disabled: group.isDisabled, id: group.id, total_users: total };
}
