import { z } from 'zod';
import { IdSchema, JsonObjectSchema, TagSchema } from './common.js';

/** The panel kinds this project ships adapters for. Others may be plugged in by hosts. */
export const KNOWN_PANEL_KINDS = ['3x-ui', 's-ui', 'marzban', 'marzneshin', 'pasarguard', 'remnawave'] as const;
/** One of {@link KNOWN_PANEL_KINDS}. */
export type KnownPanelKind = (typeof KNOWN_PANEL_KINDS)[number];

/** A panel kind: a short lower-case name (1–32 of a-z 0-9 -), matched against `PanelAdapter.kind`. */
export const PanelKindSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a panel kind is a short lower-case name');

/** How the kit logs in to a panel: a username and password (3x-ui, S-UI, Marzban, Marzneshin) or an API token. */
export const PanelCredentialsSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('password'), username: z.string().min(1).max(256), password: z.string().min(1).max(1024) }),
  z.object({ type: z.literal('token'), token: z.string().min(1).max(4096) }),
]);
/** Panel login credentials (see `PanelCredentialsSchema`); never log them (`redactPanel`). */
export type PanelCredentials = z.infer<typeof PanelCredentialsSchema>;

/** Validates a {@link PanelHealthStatus}. */
export const PanelHealthStatusSchema = z.enum(['unknown', 'healthy', 'unhealthy']);
/** `unknown` until the first check, then `healthy` or `unhealthy`. */
export type PanelHealthStatus = z.infer<typeof PanelHealthStatusSchema>;

/** What the scheduler's last health check found on a panel. */
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
/** A panel's last health check (see `PanelHealthSchema`). */
export type PanelHealth = z.infer<typeof PanelHealthSchema>;

/** The health of a panel that was never checked (frozen). */
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

/** A panel as stored: where it is, how to log in, where its servers are and its last health. */
export const PanelSchema = z.object({
  ...panelFields,
  health: PanelHealthSchema,
  createdAt: z.date(),
  updatedAt: z.date(),
});
/** A panel as stored (see `PanelSchema`). Holds credentials: show it through `redactPanel`. */
export type Panel = z.infer<typeof PanelSchema>;

/** Validates a panel to create: enabled, no location tags and no options unless given. */
export const NewPanelSchema = z.object({
  ...panelFields,
  id: IdSchema.optional(),
  locationTags: panelFields.locationTags.default([]),
  options: panelFields.options.default({}),
  enabled: z.boolean().default(true),
});
/** Input of `panels.create`. */
export type NewPanel = z.input<typeof NewPanelSchema>;

/** Validates a panel patch: any field but `id` and `kind` (health included). */
export const PanelPatchSchema = z
  .strictObject({ ...panelFields, health: PanelHealthSchema })
  .omit({ id: true, kind: true })
  .partial();
/** Input of `panels.update`. */
export type PanelPatch = z.input<typeof PanelPatchSchema>;

/** A panel as it may be shown or logged: credentials replaced by their type. */
export function redactPanel(panel: Panel): Omit<Panel, 'credentials'> & { credentials: { type: string } } {
  return { ...panel, credentials: { type: panel.credentials.type } };
}
