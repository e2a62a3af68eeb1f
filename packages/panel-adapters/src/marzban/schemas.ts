/**
 * Response schemas for Marzban 0.7–0.8 (`Gozargah/Marzban@v0.8.4:app/models/*.py`). Only the fields
 * the adapter reads are required; everything else passes through unchecked, so a panel that adds
 * fields keeps working. 0.7 lacks `next_plan` and the admin's `users_usage`; both are optional.
 */
import { z } from 'zod';
import { checkedRows, isInt, isNumber, isRecord, isString, optional } from '../http/checked-rows.js';
import { PanelDateSchema, parsePanelDate } from '../marzban-family/time.js';

export const MARZBAN_PROTOCOLS = ['vmess', 'vless', 'trojan', 'shadowsocks'] as const;
export type MarzbanProtocol = (typeof MARZBAN_PROTOCOLS)[number];
export const MarzbanProtocolSchema = z.enum(MARZBAN_PROTOCOLS);

export const MARZBAN_STATUSES = ['active', 'disabled', 'limited', 'expired', 'on_hold'] as const;
export type MarzbanStatus = (typeof MARZBAN_STATUSES)[number];

export const TokenSchema = z.object({ access_token: z.string().min(1), token_type: z.string() });

export const AdminSchema = z.object({ username: z.string(), is_sudo: z.boolean() });

export const CoreSchema = z.object({ version: z.string().nullable().optional(), started: z.boolean() });

/** The unauthenticated version probe (`GET /openapi.json`). */
export const OpenApiInfoSchema = z.object({ info: z.object({ title: z.string(), version: z.string() }) });

const ProxySettingsSchema = z.object({
  id: z.string().optional(),
  flow: z.string().nullable().optional(),
  password: z.string().optional(),
  method: z.string().optional(),
});
export type MarzbanProxySettings = z.infer<typeof ProxySettingsSchema>;

const NextPlanSchema = z
  .object({
    data_limit: z.number().nullable().optional(),
    expire: z.number().nullable().optional(),
    add_remaining_traffic: z.boolean().optional(),
    fire_on_either: z.boolean().optional(),
  })
  .nullable();

export const UserSchema = z.object({
  username: z.string(),
  status: z.enum(MARZBAN_STATUSES),
  proxies: z.record(z.string(), ProxySettingsSchema),
  inbounds: z.record(z.string(), z.array(z.string())).default({}),
  expire: z.number().int().nullable(),
  data_limit: z.number().nonnegative().nullable(),
  data_limit_reset_strategy: z.string().nullable().optional(),
  note: z.string().nullable().optional(),
  online_at: PanelDateSchema.optional(),
  on_hold_expire_duration: z.number().int().nullable().optional(),
  on_hold_timeout: PanelDateSchema.optional(),
  next_plan: NextPlanSchema.optional(),
  used_traffic: z.number().nonnegative(),
  lifetime_used_traffic: z.number().nonnegative().optional(),
  created_at: PanelDateSchema,
  links: z.array(z.string()).default([]),
  subscription_url: z.string().default(''),
});
export type MarzbanUser = z.infer<typeof UserSchema>;

const STATUSES: ReadonlySet<unknown> = new Set(MARZBAN_STATUSES);
const PROXY_KEYS: ReadonlySet<string> = new Set(['id', 'flow', 'password', 'method']);
const isPanelDate = (value: unknown) => value === null || (isString(value) && parsePanelDate(value) !== null);
const isNullable = (test: (value: unknown) => boolean) => (value: unknown) => value === null || test(value);
const isNonNegative = (value: unknown) => isNumber(value) && value >= 0;
const isStringArray = (value: unknown) => Array.isArray(value) && value.every(isString);

/** A proxy's settings as zod gives them (only its own keys), or `undefined` when unsure. */
function checkProxy(value: unknown): MarzbanProxySettings | undefined {
  if (!isRecord(value)) return undefined;
  for (const key in value) if (!PROXY_KEYS.has(key)) return undefined;
  const ok =
    optional(value.id, isString) &&
    optional(value.flow, isNullable(isString)) &&
    optional(value.password, isString) &&
    optional(value.method, isString);
  return ok ? { ...value } : undefined;
}

/**
 * {@link UserSchema} by hand, for the pages of `GET /api/users`: the copy zod makes (its fields only, in its order,
 * defaults filled in), or `undefined` for anything it is not sure of (a `next_plan`, a proxy with other keys…).
 */
function checkUser(value: unknown): MarzbanUser | undefined {
  if (!isRecord(value) || !isString(value.username) || !STATUSES.has(value.status) || !isRecord(value.proxies)) return undefined;
  const proxies: Record<string, MarzbanProxySettings> = {};
  for (const [protocol, settings] of Object.entries(value.proxies)) {
    const checked = checkProxy(settings);
    if (checked === undefined) return undefined;
    proxies[protocol] = checked;
  }
  const inbounds = value.inbounds === undefined ? {} : value.inbounds;
  if (!isRecord(inbounds) || !Object.values(inbounds).every(isStringArray)) return undefined;
  const ok =
    (value.expire === null || isInt(value.expire)) &&
    isNullable(isNonNegative)(value.data_limit) &&
    optional(value.data_limit_reset_strategy, isNullable(isString)) &&
    optional(value.note, isNullable(isString)) &&
    optional(value.online_at, isPanelDate) &&
    optional(value.on_hold_expire_duration, isNullable(isInt)) &&
    optional(value.on_hold_timeout, isPanelDate) &&
    (value.next_plan === undefined || value.next_plan === null) &&
    isNonNegative(value.used_traffic) &&
    optional(value.lifetime_used_traffic, isNonNegative) &&
    value.created_at !== undefined &&
    isPanelDate(value.created_at) &&
    optional(value.links, isStringArray) &&
    optional(value.subscription_url, isString);
  if (!ok) return undefined;
  const user: Record<string, unknown> = {
    username: value.username,
    status: value.status,
    proxies,
    inbounds: Object.fromEntries(Object.entries(inbounds).map(([protocol, tags]) => [protocol, [...(tags as string[])]])),
    expire: value.expire,
    data_limit: value.data_limit,
  };
  for (const key of ['data_limit_reset_strategy', 'note', 'online_at', 'on_hold_expire_duration', 'on_hold_timeout', 'next_plan'])
    if (value[key] !== undefined) user[key] = value[key];
  user.used_traffic = value.used_traffic;
  if (value.lifetime_used_traffic !== undefined) user.lifetime_used_traffic = value.lifetime_used_traffic;
  user.created_at = value.created_at;
  user.links = value.links === undefined ? [] : [...(value.links as string[])];
  user.subscription_url = value.subscription_url ?? '';
  return user as MarzbanUser;
}

/** A page of `GET /api/users` (`offset`/`limit`): its users, each checked by hand first (`checkUser`), and the total. */
export const UsersPageSchema = z.object({ users: checkedRows(UserSchema, checkUser), total: z.number().int().nonnegative() });

const InboundSchema = z.object({
  tag: z.string(),
  protocol: z.string(),
  network: z.string().optional(),
  tls: z.string().optional(),
  port: z.union([z.number(), z.string()]).optional(),
});
export const InboundsSchema = z.record(z.string(), z.array(InboundSchema));
export type MarzbanInbounds = z.infer<typeof InboundsSchema>;

export const DeletedSchema = z.object({ detail: z.string() });
