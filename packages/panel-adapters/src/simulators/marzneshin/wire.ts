/** How the Marzneshin simulator validates bodies (`app/models/user.py`) and serialises users. */
import type { MarzneshinSimUser } from './state.js';

export interface WireContext {
  nowMs: number;
  admin: string;
  subscriptionPrefix: string;
}

const USERNAME_RE = /^\w{3,32}$/u;
const STRATEGIES = ['never', 'fixed_date', 'start_on_first_use'];

/**
 * `UserCreate` / `UserModify` validation; errors keyed by field as the custom 422 handler does, the
 * model validator's under `body`.
 */
export function validateUser(body: Record<string, unknown>, mode: 'create' | 'modify'): { errors: Record<string, string>; strategy?: string } {
  const errors: Record<string, string> = {};
  if (typeof body.username !== 'string') errors.username = 'Field required';
  else if (!USERNAME_RE.test(body.username.toLowerCase())) errors.username = "String should match pattern '^\\w{3,32}$'";
  const strategy = body.expire_strategy as string | undefined | null;
  if (strategy === undefined || strategy === null) {
    if (mode === 'create') errors.expire_strategy = 'Field required';
  } else if (!STRATEGIES.includes(strategy)) errors.expire_strategy = "Input should be 'never', 'fixed_date' or 'start_on_first_use'";
  if (body.data_limit !== undefined && body.data_limit !== null && (typeof body.data_limit !== 'number' || body.data_limit < 0)) {
    errors.data_limit = 'Input should be greater than or equal to 0';
  }
  if (typeof body.note === 'string' && body.note.length > 500) errors.note = 'String should have at most 500 characters';
  for (const field of ['expire_date', 'activation_deadline'] as const) {
    const raw = body[field];
    if (raw !== undefined && raw !== null && (typeof raw !== 'string' || Number.isNaN(Date.parse(raw)))) errors[field] = 'Input should be a valid datetime';
  }
  if (strategy === 'start_on_first_use' && !body.usage_duration) {
    errors.body = 'Value error, User expire_strategy cannot be start_on_first_use without a valid usage_duration.';
  }
  if (strategy === 'fixed_date' && !body.expire_date) errors.body = 'Value error, User expire_strategy cannot be fixed_date without a valid expire date.';
  return strategy ? { errors, strategy } : { errors };
}

/** One vless link whose uuid comes from the key, as Marzneshin derives credentials from it. */
export function shareLinks(user: MarzneshinSimUser, host: string): string[] {
  const k = user.key.padEnd(32, '0');
  const uuid = `${k.slice(0, 8)}-${k.slice(8, 12)}-${k.slice(12, 16)}-${k.slice(16, 20)}-${k.slice(20, 32)}`;
  return [`vless://${uuid}@${host}:443?security=reality&type=tcp#${encodeURIComponent(user.username)}`];
}

/** Python's naive `isoformat()` with microseconds, as SQLAlchemy returns them. */
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().replace('Z', '').replace(/\.(\d{3})$/, '.$1000');
}

/** `UserResponse`, keys in Marzneshin's order; `expired` and `data_limit_reached` computed now. */
export function userBody(wire: WireContext, user: MarzneshinSimUser): Record<string, unknown> {
  const expired = user.expireStrategy === 'fixed_date' && user.expireDate !== null && user.expireDate < wire.nowMs;
  const limited = user.dataLimit !== null && user.usedTraffic >= user.dataLimit;
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
    sub_updated_at: null,
    sub_last_user_agent: null,
    online_at: iso(user.onlineAt),
    activated: user.enabled && !expired && !limited,
    is_active: user.enabled && !expired && !limited,
    expired,
    data_limit_reached: limited,
    enabled: user.enabled,
    used_traffic: user.usedTraffic,
    lifetime_used_traffic: user.lifetimeUsedTraffic,
    sub_revoked_at: null,
    created_at: iso(user.createdAt),
    service_ids: user.serviceIds,
    subscription_url: `${wire.subscriptionPrefix}/sub/${user.username}/${user.key}`,
    owner_username: wire.admin,
    traffic_reset_at: null,
  };
}
