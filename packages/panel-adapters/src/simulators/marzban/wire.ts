/** How the Marzban simulator serialises users (`UserResponse`) and orders `GET /api/users`. */
import { shareLinks, type RandomPick } from './links.js';
import { subscriptionToken, type SimInbound, type SimProtocol, type SimUser } from './state.js';

export interface WireContext {
  inbounds: readonly SimInbound[];
  /** 0.8 (pydantic v2) serialises `next_plan`; 0.7 has no such field. */
  v2: boolean;
  nowMs: number;
  host: string;
  secret: string;
  subscriptionPrefix: string;
  /** Picks among equivalent link values (sid, sni, host, address) on every read. */
  random: RandomPick;
  /** The `Admin` object of a user's owner (`users_usage` included on 0.8). */
  adminObject: (username: string) => Record<string, unknown>;
}

/** Keys `/sub/{token}/info` leaves out of `UserResponse` (0.8: `SubscriptionUserResponse`, 17 keys remain). */
const NOT_IN_SUBSCRIPTION_INFO = ['inbounds', 'note', 'auto_delete_in_days', 'excluded_inbounds', 'admin'];

/** Sorts whose order only changes when users are added or removed, so the order can be cached. */
export const STABLE_SORT_KEYS = ['username', 'created_at', '-username', '-created_at'];

/** Python's naive `isoformat()` of a UTC instant: microseconds (as SQLite keeps them) unless they are 0. */
function iso(ms: number | null): string | null {
  if (ms === null) return null;
  const text = new Date(ms).toISOString().replace('Z', '');
  return text.endsWith('.000') ? text.slice(0, -4) : `${text}000`;
}

/** `UserResponse`, keys in Marzban's order; the subscription token is minted afresh (as Marzban does). */
export function userBody(user: SimUser, wire: WireContext): Record<string, unknown> {
  const excluded: Record<string, string[]> = {};
  for (const protocol of Object.keys(user.proxies) as SimProtocol[]) {
    excluded[protocol] = wire.inbounds
      .filter((i) => i.protocol === protocol && !(user.inbounds[protocol] ?? []).includes(i.tag))
      .map((i) => i.tag);
  }
  return {
    proxies: user.proxies,
    expire: user.expire,
    data_limit: user.dataLimit,
    data_limit_reset_strategy: user.resetStrategy,
    inbounds: user.inbounds,
    note: user.note,
    sub_updated_at: iso(user.subUpdatedAt),
    sub_last_user_agent: user.subLastUserAgent ?? null,
    online_at: iso(user.onlineAt),
    on_hold_expire_duration: user.onHoldExpireDuration,
    on_hold_timeout: iso(user.onHoldTimeout),
    auto_delete_in_days: null,
    ...(wire.v2 ? { next_plan: user.nextPlan } : {}),
    username: user.username,
    status: user.status,
    used_traffic: user.usedTraffic,
    lifetime_used_traffic: user.lifetimeUsedTraffic,
    created_at: iso(user.createdAt),
    links: shareLinks(user, wire.inbounds, wire.host, wire.random),
    subscription_url: `${wire.subscriptionPrefix}/sub/${subscriptionToken(user.username, wire.nowMs, wire.secret)}`,
    excluded_inbounds: excluded,
    admin: user.admin === null ? null : wire.adminObject(user.admin),
  };
}

/** `GET /sub/{token}/info`: the user without the keys an anonymous reader must not see. */
export function subscriptionInfoBody(user: SimUser, wire: WireContext): Record<string, unknown> {
  const body = userBody(user, wire);
  for (const key of NOT_IN_SUBSCRIPTION_INFO) delete body[key];
  return body;
}

function field(user: SimUser, key: string): number | string {
  // A migrated database compares usernames as they are (no NOCASE collation, §9.1).
  if (key === 'username') return user.username;
  if (key === 'used_traffic') return user.usedTraffic;
  if (key === 'data_limit') return user.dataLimit ?? 0;
  if (key === 'expire') return user.expire ?? 0;
  return user.createdAt;
}

/** `ORDER BY` the given keys (`-` = descending); with no keys, insertion (DB) order. */
export function sortUsers(users: SimUser[], keys: readonly string[]): SimUser[] {
  if (keys.length === 0) return users;
  return users.sort((a, b) => {
    for (const key of keys) {
      const desc = key.startsWith('-');
      const name = key.replace(/^-/, '');
      const x = field(a, name);
      const y = field(b, name);
      if (x < y) return desc ? 1 : -1;
      if (x > y) return desc ? -1 : 1;
    }
    return 0;
  });
}
