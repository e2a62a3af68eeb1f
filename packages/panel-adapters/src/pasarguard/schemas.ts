/**
 * Response schemas for PasarGuard (`PasarGuard/panel@e81877c`, v5: `app/models/user.py`,
 * `app/models/group.py`, `app/models/proxy.py`). Only the fields the adapter reads are required;
 * the rest passes through unchecked, so a panel that adds fields keeps working.
 */
import { z } from 'zod';
import { PanelDateSchema } from '../marzban-family/time.js';

export const PASARGUARD_STATUSES = ['active', 'disabled', 'limited', 'expired', 'on_hold'] as const;
/** A user's status as PasarGuard reports it. */
export type PasarGuardStatus = (typeof PASARGUARD_STATUSES)[number];

export const AdminSchema = z.object({ username: z.string() });

/** The unauthenticated version probe (`GET /openapi.json`). */
export const OpenApiInfoSchema = z.object({ info: z.object({ title: z.string(), version: z.string() }) });

/** `ProxyTable`: one credential per protocol, every protocol always present (generated when not given). */
const ProxySettingsSchema = z.looseObject({
  vmess: z.looseObject({ id: z.string() }).optional(),
  vless: z.looseObject({ id: z.string() }).optional(),
  trojan: z.looseObject({ password: z.string() }).optional(),
  shadowsocks: z.looseObject({ password: z.string(), method: z.string().optional() }).optional(),
  /** `WireGuardSettings`: keys filled only for a user whose groups reach a `wg` core; `peer_ips` from the pool. */
  wireguard: z
    .looseObject({
      private_key: z.string().nullish(),
      public_key: z.string().nullish(),
      peer_ips: z.array(z.string()).nullish(),
    })
    .optional(),
});
export type PasarGuardProxySettings = z.infer<typeof ProxySettingsSchema>;

const NextPlanSchema = z
  .looseObject({
    user_template_id: z.number().int().nullable().optional(),
    data_limit: z.number().nullable().optional(),
    expire: z.number().nullable().optional(),
    add_remaining_traffic: z.boolean().optional(),
  })
  .nullable();

export const UserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  status: z.enum(PASARGUARD_STATUSES),
  proxy_settings: ProxySettingsSchema,
  group_ids: z.array(z.number().int()).nullable().default([]),
  /** A tz-aware datetime, or `null` for never. */
  expire: PanelDateSchema.optional(),
  data_limit: z.number().nonnegative().nullable(),
  data_limit_reset_strategy: z.string().nullable().optional(),
  note: z.string().nullable().optional(),
  on_hold_expire_duration: z.number().int().nullable().optional(),
  on_hold_timeout: PanelDateSchema.optional(),
  hwid_limit: z.number().int().nullable().optional(),
  next_plan: NextPlanSchema.optional(),
  used_traffic: z.number().nonnegative(),
  lifetime_used_traffic: z.number().nonnegative().optional(),
  created_at: PanelDateSchema,
  online_at: PanelDateSchema.optional(),
  /** Absent from list results unless `load_sub=true`. */
  subscription_url: z.string().nullable().optional(),
});
export type PasarGuardUser = z.infer<typeof UserSchema>;

export const UsersPageSchema = z.object({ users: z.array(UserSchema), total: z.number().int().nonnegative() });

const GroupSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  inbound_tags: z.array(z.string()).nullable().default([]),
  is_disabled: z.boolean().default(false),
  total_users: z.number().int().nonnegative().default(0),
});
/** `GET /api/groups`: a page of the groups that stand for inbounds here (the adapter's targets). */
export const GroupsPageSchema = z.object({ groups: z.array(GroupSchema), total: z.number().int().nonnegative() });

/** `UserHWIDResponse`: one device the panel registered for a user on its subscription link. */
export const HwidSchema = z.object({
  hwid: z.string(),
  device_os: z.string().nullish(),
  os_version: z.string().nullish(),
  device_model: z.string().nullish(),
  created_at: PanelDateSchema,
  last_used_at: PanelDateSchema,
});
/** One device PasarGuard registered for a user, as its `/api/user/{id}/hwids` lists it. */
export type PasarGuardHwid = z.infer<typeof HwidSchema>;

/** `UserHWIDListResponse` (`GET /api/user/{user_id}/hwids`). */
export const HwidListSchema = z.object({ hwids: z.array(HwidSchema), count: z.number() });

const CoreSchema = z.looseObject({
  id: z.number().int(),
  name: z.string().nullish(),
  /** `xray`, `wg` (v5), or older panels' none. */
  type: z.string().nullish(),
  config: z.record(z.string(), z.unknown()).nullish(),
});
/** `GET /api/cores` (`CoreResponseList`): every core, Xray and WireGuard (`type: "wg"`, its `interface_name` the inbound tag). */
export const CoresPageSchema = z.object({ cores: z.array(CoreSchema) });
/** One core of {@link CoresPageSchema}. */
export type PasarGuardCore = z.infer<typeof CoreSchema>;

/** `GET /api/wireguard/subnets` (v5): each client subnet's capacity and free addresses, with the `wg` tags on it. */
export const SubnetsSchema = z.array(
  z.looseObject({
    subnet: z.string(),
    interface_tags: z.array(z.string()),
    capacity: z.number().int().nonnegative(),
    free: z.number().int().nonnegative(),
  }),
);
/** {@link SubnetsSchema}'s rows. */
export type PasarGuardSubnet = z.infer<typeof SubnetsSchema>[number];
