/**
 * Response schemas for Marzban 0.7–0.8 (`Gozargah/Marzban@v0.8.4:app/models/*.py`). Only the fields
 * the adapter reads are required; everything else passes through unchecked, so a panel that adds
 * fields keeps working. 0.7 lacks `next_plan` and the admin's `users_usage`; both are optional.
 */
import { z } from 'zod';
import { PanelDateSchema } from '../marzban-family/time.js';

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

export const UsersPageSchema = z.object({ users: z.array(UserSchema), total: z.number().int().nonnegative() });

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
