/**
 * `GET /api/users` of the Marzneshin simulator (`app/routes/user.py get_users`): the filters, the order
 * (username when none is asked for, as the running panel gave it, §10.8) and the query's 422s.
 */
import { isActive, isExpired, isLimited, type MarzneshinSimUser } from './state.js';
import { pageParams, pyJson } from './wire.js';

const ORDERS = ['username', 'used_traffic', 'data_limit', 'expire_date', 'created_at'] as const;
type Order = (typeof ORDERS)[number];
const BOOL_FILTERS = ['is_active', 'activated', 'expired', 'data_limit_reached', 'enabled'] as const;

/** pydantic's lax `bool` from a query string; `undefined` when it is not one. */
function laxBool(raw: string): boolean | undefined {
  const text = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on', 't', 'y'].includes(text)) return true;
  if (['false', '0', 'no', 'off', 'f', 'n'].includes(text)) return false;
  return undefined;
}

const sortKey: Record<Exclude<Order, 'username'>, (u: MarzneshinSimUser) => number> = {
  used_traffic: (u) => u.usedTraffic,
  data_limit: (u) => u.dataLimit ?? -1,
  expire_date: (u) => u.expireDate ?? -1,
  created_at: (u) => u.createdAt,
};

function boolField(user: MarzneshinSimUser, name: (typeof BOOL_FILTERS)[number], nowMs: number): boolean {
  switch (name) {
    case 'is_active':
      return isActive(user, nowMs);
    case 'activated':
      return user.activated;
    case 'expired':
      return isExpired(user, nowMs);
    case 'data_limit_reached':
      return isLimited(user);
    case 'enabled':
      return user.enabled;
    default:
      return name satisfies never;
  }
}

/**
 * The users the query selects, in order; or the panel's error answer. `users` are those the admin may see,
 * in username order (kept sorted by the simulator, so the usual query sorts nothing).
 */
export function listUsers(
  url: URL,
  users: readonly MarzneshinSimUser[],
  scope: { nowMs: number; isSudo: boolean; admins: ReadonlySet<string> },
): MarzneshinSimUser[] | Response {
  const query = url.searchParams;
  const errors: Record<string, string> = {};
  const order = query.get('order_by');
  if (order !== null && !ORDERS.includes(order as Order)) {
    errors.order_by = "Input should be 'username', 'used_traffic', 'data_limit', 'expire_date' or 'created_at'";
  }
  const bools = new Map<(typeof BOOL_FILTERS)[number], boolean>();
  for (const name of [...BOOL_FILTERS, 'descending'] as const) {
    const raw = query.get(name);
    if (raw === null) continue;
    const value = laxBool(raw);
    if (value === undefined) errors[name] = 'Input should be a valid boolean, unable to interpret input';
    else if (name !== 'descending') bools.set(name, value);
  }
  const paging = pageParams(url);
  if ('errors' in paging) Object.assign(errors, paging.errors);
  if (Object.keys(errors).length > 0) return pyJson({ detail: errors }, 422);

  let selected = [...users];
  const names = query.getAll('username');
  if (names.length === 1) selected = selected.filter((u) => u.username.includes(names[0]!.toLowerCase()));
  else if (names.length > 1) selected = selected.filter((u) => names.includes(u.username));
  const owner = query.get('owner_username');
  if (owner !== null) {
    if (!scope.isSudo) return pyJson({ detail: "You're not allowed." }, 403);
    if (!scope.admins.has(owner)) return pyJson({ detail: 'owner_username not found.' }, 404);
    selected = selected.filter((u) => u.owner === owner);
  }
  for (const [name, value] of bools) selected = selected.filter((u) => boolField(u, name, scope.nowMs) === value);
  if (order !== null && order !== 'username') {
    const key = sortKey[order as Exclude<Order, 'username'>];
    // A stable sort: ties stay in username order.
    selected.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  if (laxBool(query.get('descending') ?? '') === true) selected.reverse();
  return selected;
}
