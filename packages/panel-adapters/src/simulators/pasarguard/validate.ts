/**
 * Body validation of `UserCreate` / `UserModify` as PasarGuard does it (pydantic v2 messages), with
 * its 422 body `{"detail": {<last location>: <message>}}` (`app/app_factory.py`).
 */
import type { SimNextPlan, SimProxySettings } from './state.js';
import { normalizeWireGuardKey, publicKeyOf } from './wg-keys.js';

export type FieldErrors = Record<string, string>;

/** A validated user body: `undefined` = not sent, `null` = sent as null. Times in ms epoch. */
export interface ParsedUser {
  username?: string;
  status?: string | null;
  proxySettings?: Partial<Record<keyof SimProxySettings, Record<string, unknown>>> | null;
  groupIds?: number[] | null;
  /** ms epoch; `0` = "never" (modify). */
  expire?: number | null;
  dataLimit?: number | null;
  resetStrategy?: string | null;
  note?: string | null;
  onHoldExpireDuration?: number | null;
  onHoldTimeout?: number | null;
  hwidLimit?: number | null;
  hwidLimitSent: boolean;
  nextPlan?: SimNextPlan | null;
}

const STRATEGIES = ['no_reset', 'day', 'week', 'month', 'year'];
const MAX_ON_HOLD = 2_147_483_647;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const SS_METHODS = ['aes-128-gcm', 'aes-256-gcm', 'chacha20-ietf-poly1305', 'xchacha20-poly1305'];

function integer(raw: unknown): { value: number } | { error: string } {
  if (typeof raw === 'number')
    return Number.isInteger(raw) ? { value: raw } : { error: 'Input should be a valid integer, got a number with a fractional part' };
  if (typeof raw === 'string' && /^\s*[-+]?\d+\s*$/.test(raw)) return { value: Number.parseInt(raw, 10) };
  if (typeof raw === 'string') return { error: 'Input should be a valid integer, unable to parse string as an integer' };
  return { error: 'Input should be a valid integer' };
}

/** `dt | int`: an ISO datetime (a naive one is taken as UTC) or unix seconds; a union error names both members. */
function dateOrInt(raw: unknown, errors: FieldErrors): number | undefined {
  if (typeof raw === 'number' && Number.isInteger(raw)) return raw * 1000;
  if (typeof raw === 'string') {
    const zoned = /(?:Z|[+-]\d\d:?\d\d)$/i.test(raw) ? raw : `${raw}Z`;
    const ms = /^\d{4}-\d\d-\d\d/.test(raw) ? Date.parse(zoned) : Number.NaN;
    if (!Number.isNaN(ms)) return ms;
    if (/^\s*\d+\s*$/.test(raw)) return Number.parseInt(raw, 10) * 1000;
  }
  errors.datetime = 'Input should be a valid datetime or date, invalid character in year';
  errors.int = 'Input should be a valid integer, unable to parse string as an integer';
  return undefined;
}

function validateUsername(username: string): string | null {
  if (username.length < 3 || username.length > 128) return 'Username only can be 3 to 128 characters.';
  if (!/^[a-zA-Z0-9-_@.]+$/.test(username)) return 'Username can only contain alphanumeric characters, -, _, @, and .';
  if (/[-_@.]{2,}/.test(username)) return 'Username cannot have consecutive special characters';
  return null;
}

function statusNames(allowed: readonly string[]): string {
  return `{${allowed.map((status) => `<UserStatus.${status}: '${status}'>`).join(', ')}}`;
}

function proxySettingsOf(raw: unknown, errors: FieldErrors): ParsedUser['proxySettings'] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors.proxy_settings = 'Input should be a valid dictionary or instance of ProxyTable';
    return undefined;
  }
  const out: NonNullable<ParsedUser['proxySettings']> = {};
  for (const [protocol, settings] of Object.entries(raw as Record<string, unknown>)) {
    if (!['vmess', 'vless', 'trojan', 'shadowsocks', 'wireguard', 'hysteria'].includes(protocol)) continue; // ignored
    if (typeof settings !== 'object' || settings === null) {
      errors[protocol] =
        `Input should be a valid dictionary or instance of ${protocol === 'vmess' ? 'VMess' : protocol[0]!.toUpperCase() + protocol.slice(1)}Settings`;
      continue;
    }
    const s = settings as Record<string, unknown>;
    if (protocol === 'wireguard') {
      out.wireguard = wireGuardSettingsOf(s, errors);
      continue;
    }
    if ((protocol === 'vmess' || protocol === 'vless') && s.id !== undefined && (typeof s.id !== 'string' || !UUID.test(s.id)))
      errors.id =
        'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `x` at 1';
    if (protocol === 'shadowsocks') {
      if (typeof s.password === 'string' && s.password.length < 22) errors.password = 'String should have at least 22 characters';
      if (s.method !== undefined && !SS_METHODS.includes(String(s.method)))
        errors.method = `Input should be ${SS_METHODS.slice(0, -1)
          .map((m) => `'${m}'`)
          .join(', ')} or '${SS_METHODS.at(-1)}'`;
    }
    out[protocol as keyof SimProxySettings] = s;
  }
  return out;
}

/**
 * `WireGuardSettings`: a private key must be base64 of 32 bytes (`Invalid private_key.`, a 422 like every field
 * error), a public key is taken as sent, and a private key alone gets its public key. Peer IPs are dropped: the
 * panel never takes them from input.
 */
function wireGuardSettingsOf(raw: Record<string, unknown>, errors: FieldErrors): Record<string, unknown> {
  let privateKey: string | null = null;
  if (raw.private_key !== undefined && raw.private_key !== null && raw.private_key !== '') {
    privateKey = typeof raw.private_key === 'string' ? normalizeWireGuardKey(raw.private_key) : null;
    if (privateKey === null) errors.private_key = 'Value error, Invalid private_key.';
  }
  const publicKey = typeof raw.public_key === 'string' && raw.public_key.trim() ? raw.public_key.trim() : null;
  return { private_key: privateKey, public_key: publicKey ?? (privateKey === null ? null : publicKeyOf(privateKey)) };
}

function nextPlanOf(raw: unknown, errors: FieldErrors): SimNextPlan | null | undefined {
  if (raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errors.next_plan = 'Input should be a valid dictionary or instance of NextPlanModel';
    return undefined;
  }
  const plan = raw as Record<string, unknown>;
  const num = (key: string): number | null => {
    if (plan[key] === undefined || plan[key] === null) return null;
    const parsed = integer(plan[key]);
    if ('error' in parsed) {
      errors[key] = parsed.error;
      return null;
    }
    return parsed.value;
  };
  return {
    user_template_id: num('user_template_id'),
    data_limit: num('data_limit'),
    expire: num('expire'),
    add_remaining_traffic: plan.add_remaining_traffic === true,
  };
}

/** Validates a create or modify body as `UserCreate` / `UserModify` do; `nowMs` resolves `on_hold_timeout` seconds. */
export function validateUserBody(
  body: Record<string, unknown>,
  mode: 'create' | 'modify',
  nowMs: number,
): { errors: FieldErrors; value: ParsedUser } {
  const errors: FieldErrors = {};
  const value: ParsedUser = { hwidLimitSent: 'hwid_limit' in body };

  if (body.proxy_settings !== undefined && body.proxy_settings !== null) value.proxySettings = proxySettingsOf(body.proxy_settings, errors);
  if (body.expire !== undefined) {
    if (body.expire === null || body.expire === 0 || body.expire === '') value.expire = body.expire === null ? null : 0;
    else value.expire = dateOrInt(body.expire, errors);
  }
  if (body.data_limit !== undefined && body.data_limit !== null) {
    const parsed = integer(body.data_limit);
    if ('error' in parsed) errors.data_limit = parsed.error;
    else if (parsed.value < 0) errors.data_limit = 'Input should be greater than or equal to 0';
    else value.dataLimit = parsed.value;
  } else if (body.data_limit === null) value.dataLimit = null;
  if (body.data_limit_reset_strategy !== undefined && body.data_limit_reset_strategy !== null) {
    if (!STRATEGIES.includes(String(body.data_limit_reset_strategy)))
      errors.data_limit_reset_strategy = "Input should be 'no_reset', 'day', 'week', 'month' or 'year'";
    else value.resetStrategy = String(body.data_limit_reset_strategy);
  }
  if (body.note !== undefined && body.note !== null) {
    if (typeof body.note !== 'string') errors.note = 'Input should be a valid string';
    else if (body.note.length > 500) errors.note = 'String should have at most 500 characters';
    else value.note = body.note;
  }
  if (body.on_hold_expire_duration !== undefined && body.on_hold_expire_duration !== null) {
    const parsed = integer(body.on_hold_expire_duration);
    if ('error' in parsed) errors.on_hold_expire_duration = parsed.error;
    else if (parsed.value < 0) errors.on_hold_expire_duration = 'Input should be greater than or equal to 0';
    else if (parsed.value > MAX_ON_HOLD) errors.on_hold_expire_duration = `Input should be less than or equal to ${MAX_ON_HOLD}`;
    // `validate_timeout`: 0 means none.
    else value.onHoldExpireDuration = parsed.value === 0 ? null : parsed.value;
  }
  if (body.on_hold_timeout !== undefined && body.on_hold_timeout !== null && body.on_hold_timeout !== 0) {
    // An int is seconds from now (`validator_on_hold_timeout`), not a timestamp.
    if (typeof body.on_hold_timeout === 'number' && Number.isInteger(body.on_hold_timeout))
      value.onHoldTimeout = nowMs + body.on_hold_timeout * 1000;
    else {
      const at = dateOrInt(body.on_hold_timeout, errors);
      if (at !== undefined) value.onHoldTimeout = at;
    }
  }
  if (body.group_ids !== undefined) {
    if (body.group_ids !== null && (!Array.isArray(body.group_ids) || body.group_ids.some((id) => !Number.isInteger(id))))
      errors.group_ids = 'Input should be a valid list';
    else {
      const ids = body.group_ids as number[] | null;
      if (mode === 'create' && (ids === null || ids.length === 0)) errors.group_ids = 'Value error, you must select at least one group';
      else value.groupIds = ids;
    }
  } else if (mode === 'create') errors.group_ids = 'Value error, you must select at least one group';
  if (body.hwid_limit !== undefined && body.hwid_limit !== null) {
    const parsed = integer(body.hwid_limit);
    if ('error' in parsed) errors.hwid_limit = parsed.error;
    else value.hwidLimit = parsed.value;
  } else if (body.hwid_limit === null) value.hwidLimit = null;
  if (body.next_plan !== undefined) value.nextPlan = nextPlanOf(body.next_plan, errors);

  if (mode === 'create') {
    if (typeof body.username !== 'string')
      errors.username = body.username === undefined ? 'Field required' : 'Input should be a valid string';
    else {
      const problem = validateUsername(body.username);
      if (problem) errors.username = `Value error, ${problem}`;
      else value.username = body.username;
    }
  }
  if (body.status !== undefined && body.status !== null) {
    const allowed = mode === 'create' ? ['active', 'on_hold'] : ['active', 'on_hold', 'disabled'];
    if (!allowed.includes(String(body.status))) errors.status = `Value error, ('status must be in', ${statusNames(allowed)})`;
    else if (body.status === 'on_hold') {
      if (!value.onHoldExpireDuration) errors.status = 'Value error, User cannot be on hold without a valid on_hold_expire_duration.';
      else if (value.expire) errors.status = 'Value error, User cannot be on hold with specified expire.';
    }
    if (!errors.status) value.status = String(body.status);
  }
  return { errors, value };
}
