import { z } from 'zod';
import { IdSchema, JsonObjectSchema, TagSchema } from './common.js';

/** The panel kinds this project ships adapters for. Others may be plugged in by hosts. */
export const KNOWN_PANEL_KINDS = ['3x-ui', 's-ui', 'marzban', 'marzneshin'] as const;
export type KnownPanelKind = (typeof KNOWN_PANEL_KINDS)[number];

export const PanelKindSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a panel kind is a short lower-case name');

export const PanelCredentialsSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('password'), username: z.string().min(1).max(256), password: z.string().min(1).max(1024) }),
  z.object({ type: z.literal('token'), token: z.string().min(1).max(4096) }),
]);
export type PanelCredentials = z.infer<typeof PanelCredentialsSchema>;

export const PanelHealthStatusSchema = z.enum(['unknown', 'healthy', 'unhealthy']);
export type PanelHealthStatus = z.infer<typeof PanelHealthStatusSchema>;

export const PanelHealthSchema = z.object({
  status: PanelHealthStatusSchema,
  checkedAt: z.date().nullable(),
  latencyMs: z.number().nonnegative().nullable(),
  /** Failed checks in a row; placement skips a panel while it is unhealthy. */
  consecutiveFailures: z.number().int().nonnegative(),
  /** A safe, short description of the last failure (an error code and message, never a body). */
  lastError: z.string().max(1000).nullable(),
  /** The panel's version as reported by its health call, when it tells. */
  version: z.string().max(100).nullable(),
});
export type PanelHealth = z.infer<typeof PanelHealthSchema>;

export const UNKNOWN_HEALTH: PanelHealth = Object.freeze({
  status: 'unknown',
  checkedAt: null,
  latencyMs: null,
  consecutiveFailures: 0,
  lastError: null,
  version: null,
});

const panelFields = {
  id: IdSchema,
  kind: PanelKindSchema,
  name: z.string().min(1).max(200),
  /** The full base URL, including any secret web base path the panel was installed with. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  credentials: PanelCredentialsSchema,
  /** Where the panel's servers are, e.g. `de`, `eu`; plans restrict placement by these. */
  locationTags: z.array(TagSchema).max(32),
  /** Adapter-specific settings (e.g. a separate subscription URL); each adapter validates its own. */
  options: JsonObjectSchema,
  /** A disabled panel gets no new clients; existing ones keep being managed. */
  enabled: z.boolean(),
};

export const PanelSchema = z.object({
  ...panelFields,
  health: PanelHealthSchema,
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Panel = z.infer<typeof PanelSchema>;

export const NewPanelSchema = z.object({
  ...panelFields,
  id: IdSchema.optional(),
  locationTags: panelFields.locationTags.default([]),
  options: panelFields.options.default({}),
  enabled: z.boolean().default(true),
});
export type NewPanel = z.input<typeof NewPanelSchema>;

export const PanelPatchSchema = z
  .strictObject({ ...panelFields, health: PanelHealthSchema })
  .omit({ id: true, kind: true })
  .partial();
export type PanelPatch = z.input<typeof PanelPatchSchema>;

/** A panel as it may be shown or logged: credentials replaced by their type. */
export function redactPanel(panel: Panel): Omit<Panel, 'credentials'> & { credentials: { type: string } } {
  return { ...panel, credentials: { type: panel.credentials.type } };
}
