import { z } from 'zod';
import { IdSchema, JsonObjectSchema, TagSchema } from './common.js';
import { EntitlementKindsSchema } from './entitlement.js';

/** Protocols a target may speak; adapters may report others as plain strings. */
export const KNOWN_PROTOCOLS = [
  'vless',
  'vmess',
  'trojan',
  'shadowsocks',
  'hysteria',
  'hysteria2',
  'tuic',
  'naive',
  'wireguard',
  'mixed',
] as const;

const targetFields = {
  id: IdSchema,
  panelId: IdSchema,
  /** The panel's own reference: a 3x-ui inbound id, an S-UI inbound tag, a Marzneshin service id… */
  remoteRef: z.string().min(1).max(256),
  name: z.string().min(1).max(200),
  protocol: z.string().min(1).max(32),
  /** What the adapter needs beyond remoteRef (e.g. Marzban's inbound tags per protocol). */
  remoteMeta: JsonObjectSchema,
  /** How many clients the shop may place here; `null` is unlimited. */
  capacity: z.number().int().nonnegative().nullable(),
  /** The fallback target when a plan names no preferred target that has room. */
  isDefault: z.boolean(),
  /** When false, no new client is placed here (existing ones are untouched). */
  provisioningEnabled: z.boolean(),
  tags: z.array(TagSchema).max(32),
  /** The kinds a client placed here gets, as the panel's adapter reports them (target sync writes them); `['xray']` for older targets. */
  kinds: EntitlementKindsSchema,
};

/** A target as stored: an inbound or service on a panel that clients are placed on, with its capacity and slots taken. */
export const TargetSchema = z.object({
  ...targetFields,
  /** Clients currently holding a slot here; maintained only by the capacity repository. */
  allocated: z.number().int().nonnegative(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
/** A target as stored (see `TargetSchema`). */
export type Target = z.infer<typeof TargetSchema>;

/** Validates a target to create: unlimited, enabled for provisioning, not default, untagged unless given. */
export const NewTargetSchema = z.object({
  ...targetFields,
  id: IdSchema.optional(),
  remoteMeta: targetFields.remoteMeta.default({}),
  capacity: targetFields.capacity.default(null),
  isDefault: z.boolean().default(false),
  provisioningEnabled: z.boolean().default(true),
  tags: targetFields.tags.default([]),
  kinds: targetFields.kinds.default(['xray']),
});
/** Input of `targets.create`. */
export type NewTarget = z.input<typeof NewTargetSchema>;

/** Validates a target patch: any field but `id` and `panelId`; `allocated` is not patchable. */
export const TargetPatchSchema = z.strictObject(targetFields).omit({ id: true, panelId: true }).partial();
/** Input of `targets.update`. */
export type TargetPatch = z.input<typeof TargetPatchSchema>;

/**
 * Validates the settings an admin owns on a stored target (the kit's `targets.update`): its capacity, tags,
 * whether it is the default and whether new clients go there. What the panel reports (name, protocol, its
 * reference and data) is the sync's.
 */
export const TargetSettingsSchema = z
  .strictObject(targetFields)
  .pick({ capacity: true, tags: true, isDefault: true, provisioningEnabled: true })
  .partial();
/** Input of the kit's `targets.update` (see `TargetSettingsSchema`). */
export type TargetSettings = z.input<typeof TargetSettingsSchema>;
