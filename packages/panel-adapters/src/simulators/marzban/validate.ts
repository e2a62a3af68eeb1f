/**
 * Body validation of `UserCreate` / `UserModify` as Marzban does it, with its custom 422 body
 * `{"detail": {field: message}}` (messages prefixed `Value error, ` on pydantic v2, i.e. 0.8).
 */
import { SIM_PROTOCOLS, USERNAME_RE, type SimInbound, type SimProtocol, type SimProxy } from './state.js';

export type FieldErrors = Record<string, string>;

export interface ParsedCommon {
  proxies?: Partial<Record<SimProtocol, SimProxy>>;
  inbounds?: Partial<Record<SimProtocol, string[]>>;
  expire?: number | null;
  data_limit?: number | null;
  data_limit_reset_strategy?: string | null;
  status?: string | null;
  note?: string | null;
  on_hold_expire_duration?: number | null;
  on_hold_timeout?: string | number | null;
  next_plan?: { data_limit: number | null; expire: number | null; add_remaining_traffic?: boolean; fire_on_either?: boolean } | null;
}

const STRATEGIES = ['no_reset', 'day', 'week', 'month', 'year'];
/** `XTLSFlows`: the only flows a vless (or trojan) proxy may carry. */
const FLOWS = ['', 'xtls-rprx-vision'];

/** pydantic's lax integer: an integral number, or a string of digits (`"1900000000"` is accepted). */
function laxInteger(raw: unknown, v2: boolean): { value: number } | { error: string } {
  if (typeof raw === 'number')
    return Number.isInteger(raw) ? { value: raw } : { error: 'Input should be a valid integer, got a number with a fractional part' };
  if (typeof raw === 'string' && /^\s*[-+]?\d+\s*$/.test(raw)) return { value: Number.parseInt(raw, 10) };
  if (typeof raw === 'string')
    return { error: v2 ? 'Input should be a valid integer, unable to parse string as an integer' : 'value is not a valid integer' };
  return { error: v2 ? 'Input should be a valid integer' : 'value is not a valid integer' };
}

export function validateUserBody(
  body: Record<string, unknown>,
  mode: 'create' | 'modify',
  v2: boolean,
  inbounds: readonly SimInbound[],
): { errors: FieldErrors; value: ParsedCommon & { username?: string } } {
  const errors: FieldErrors = {};
  const ve = (message: string) => (v2 ? `Value error, ${message}` : message);
  const value: ParsedCommon & { username?: string } = {};

  if (mode === 'create') {
    if (typeof body.username !== 'string') errors.username = v2 ? 'Field required' : 'field required';
    else if (!USERNAME_RE.test(body.username) || body.username.length > 34)
      errors.username = ve('Username only can be 3 to 32 characters and contain a-z, 0-9, and underscores in between.');
    else value.username = body.username;
  }

  if (body.proxies !== undefined && body.proxies !== null) {
    if (typeof body.proxies !== 'object' || Array.isArray(body.proxies)) errors.proxies = 'Input should be a valid dictionary';
    else {
      const proxies: Partial<Record<SimProtocol, SimProxy>> = {};
      for (const [protocol, settings] of Object.entries(body.proxies as Record<string, unknown>)) {
        if (!(SIM_PROTOCOLS as readonly string[]).includes(protocol)) {
          errors.proxies = ve(`'${protocol}' is not a valid ProxyTypes`);
          continue;
        }
        const proxy = (settings ?? {}) as SimProxy;
        // The 422 handler keys a nested error by its last path element only: `flow`, not `proxies.vless.flow`.
        if (
          (protocol === 'vless' || protocol === 'trojan') &&
          proxy.flow !== undefined &&
          proxy.flow !== null &&
          !FLOWS.includes(String(proxy.flow))
        ) {
          errors.flow = v2
            ? "Input should be '' or 'xtls-rprx-vision'"
            : "value is not a valid enumeration member; permitted: '', 'xtls-rprx-vision'";
        }
        proxies[protocol as SimProtocol] = proxy;
      }
      if (mode === 'create' && Object.keys(proxies).length === 0 && errors.proxies === undefined)
        errors.proxies = ve('Each user needs at least one proxy');
      value.proxies = proxies;
    }
  }

  if (body.inbounds !== undefined && body.inbounds !== null) {
    const result: Partial<Record<SimProtocol, string[]>> = {};
    for (const [protocol, tags] of Object.entries(body.inbounds as Record<string, unknown>)) {
      if (!Array.isArray(tags)) {
        errors.inbounds = 'Input should be a valid list';
        continue;
      }
      const known = inbounds.filter((inbound) => inbound.protocol === protocol).map((inbound) => inbound.tag);
      for (const tag of tags) if (!known.includes(String(tag))) errors.inbounds = ve(`Inbound ${String(tag)} doesn't exist`);
      result[protocol as SimProtocol] = tags.map(String);
    }
    value.inbounds = result;
  }

  for (const field of ['expire', 'on_hold_expire_duration'] as const) {
    const raw = body[field];
    if (raw === undefined || raw === null) continue;
    const parsed = laxInteger(raw, v2);
    if ('error' in parsed) errors[field] = parsed.error;
    else value[field] = parsed.value;
  }

  if (body.data_limit !== undefined && body.data_limit !== null) {
    if (typeof body.data_limit === 'string') errors.data_limit = ve('data_limit must be an integer or a float, not a string');
    else if (typeof body.data_limit !== 'number') errors.data_limit = 'Input should be a valid integer';
    else if (body.data_limit < 0) errors.data_limit = 'Input should be greater than or equal to 0';
    else value.data_limit = Math.trunc(body.data_limit);
  }

  if (body.data_limit_reset_strategy !== undefined && body.data_limit_reset_strategy !== null) {
    if (!STRATEGIES.includes(String(body.data_limit_reset_strategy)))
      errors.data_limit_reset_strategy = "Input should be 'no_reset', 'day', 'week', 'month' or 'year'";
    else value.data_limit_reset_strategy = String(body.data_limit_reset_strategy);
  }

  if (body.note !== undefined && body.note !== null) {
    if (typeof body.note !== 'string' || body.note.length > 500) errors.note = ve("User's note can be a maximum of 500 character");
    else value.note = body.note;
  }

  if (body.on_hold_timeout !== undefined) value.on_hold_timeout = body.on_hold_timeout as string | number | null;
  if (body.next_plan !== undefined) value.next_plan = body.next_plan as ParsedCommon['next_plan'];

  if (body.status !== undefined && body.status !== null) {
    const allowed = mode === 'create' ? ['active', 'on_hold'] : ['active', 'disabled', 'on_hold'];
    if (!allowed.includes(String(body.status))) {
      errors.status = mode === 'create' ? "Input should be 'active' or 'on_hold'" : "Input should be 'active', 'disabled' or 'on_hold'";
    } else {
      value.status = String(body.status);
      if (value.status === 'on_hold') {
        if (!value.on_hold_expire_duration) errors.status = ve('User cannot be on hold without a valid on_hold_expire_duration.');
        else if (value.expire) errors.status = ve('User cannot be on hold with specified expire.');
      }
    }
  }
  return { errors, value };
}
