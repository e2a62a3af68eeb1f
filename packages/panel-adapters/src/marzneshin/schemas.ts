/** Response schemas for Marzneshin (`marzneshin/marzneshin@d3b25e23:app/models/*.py`, same in v0.7.x). */
import { z } from 'zod';
import { PanelDateSchema } from '../marzban-family/time.js';

export const EXPIRE_STRATEGIES = ['never', 'fixed_date', 'start_on_first_use'] as const;

export const UserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  expire_strategy: z.enum(EXPIRE_STRATEGIES),
  expire_date: PanelDateSchema,
  usage_duration: z.number().int().nullable(),
  activation_deadline: PanelDateSchema.optional(),
  key: z.string(),
  data_limit: z.number().nonnegative().nullable(),
  online_at: PanelDateSchema.optional(),
  is_active: z.boolean(),
  expired: z.boolean(),
  data_limit_reached: z.boolean(),
  enabled: z.boolean(),
  used_traffic: z.number().nonnegative(),
  lifetime_used_traffic: z.number().nonnegative().optional(),
  created_at: PanelDateSchema,
  service_ids: z.array(z.number().int()),
  subscription_url: z.string(),
});
export type MarzneshinUser = z.infer<typeof UserSchema>;

function page<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int().nonnegative(),
    page: z.number().int(),
    size: z.number().int(),
    pages: z.number().int(),
  });
}

export const UsersPageSchema = page(UserSchema);
/** A service as `GET /api/services` lists it: the inbounds it grants and the users it holds (ids). */
export const ServiceSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  inbound_ids: z.array(z.number().int()),
  user_ids: z.array(z.number().int()),
});
/** One page of `GET /api/services`. */
export const ServicesPageSchema = page(ServiceSchema);
/**
 * `GET /api/admins/current` (`app/models/admin.py Admin`). The permissions default as the panel's model
 * does, for builds that leave one out.
 */
export const AdminSchema = z.object({
  username: z.string(),
  is_sudo: z.boolean(),
  enabled: z.boolean().default(true),
  all_services_access: z.boolean().default(false),
  modify_users_access: z.boolean().default(true),
  service_ids: z.array(z.number().int()).default([]),
});
/** The logged-in admin and its permissions, defaults filled in. */
export type MarzneshinAdmin = z.infer<typeof AdminSchema>;
/** Any JSON object: the answer of a call whose body is not read (e.g. `DELETE /api/users/{username}`). */
export const EmptySchema = z.object({}).loose();
