/**
 * One call to get the adapter for a stored panel: `createPanelAdapter(panel, options)` looks the
 * panel's kind up in a registry of builders, so no host writes its own switch on `panel.kind`.
 * Hosts add their own kinds with `registry.register(kind, builder)` (or a registry of their own).
 */
import { ConfigurationError, type Clock, type Panel, type PanelkitErrorOptions } from '@panelkit/sdk';
import type { PanelAdapter } from '@panelkit/sdk/adapter';
import { z } from 'zod';
import type { PanelLogin } from './http/credentials.js';
import type { PanelConnectionOptions } from './http/connection-options.js';
import { createMarzbanAdapter } from './marzban/index.js';
import { createMarzneshinAdapter } from './marzneshin/index.js';
import { createPasarGuardAdapter } from './pasarguard/index.js';
import { createRemnawaveAdapter } from './remnawave/index.js';
import { createSuiAdapter } from './sui/index.js';
import { createXuiAdapter } from './xui/index.js';

/** What a builder gets beside the panel: the host's clock, logger and connection settings (timeouts, retries, fetch). */
export interface PanelAdapterOptions extends Omit<PanelConnectionOptions, 'baseUrl' | 'panelId'> {
  /** Where panel time comes from (session expiry, login rationing). Default: the system clock. */
  readonly clock?: Clock;
}

/** Builds the adapter for one stored panel of a kind. Throws `ConfigurationError` for settings it cannot use. */
export type PanelAdapterBuilder = (panel: Panel, options: PanelAdapterOptions) => PanelAdapter;

/**
 * The settings of `panel.options` the bundled builders read; other keys are left to the host.
 * A value of the wrong shape is a `ConfigurationError` when the adapter is built.
 */
export const PanelSettingsSchema = z.looseObject({
  /** Where the panel serves subscriptions, when not where the adapter would guess. */
  subscriptionBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** 3x-ui: the address put in share links when an inbound listens on every interface. */
  linkHost: z.string().min(1).max(253).optional(),
});
/** The parsed `panel.options` the bundled builders read (see {@link PanelSettingsSchema}). */
export type PanelSettings = z.infer<typeof PanelSettingsSchema>;

/** A panel's kind has no builder in the registry asked: a setup error, raised when the adapter is built. */
export class UnknownPanelKindError extends ConfigurationError {
  static override readonly errorName: string = 'UnknownPanelKindError';
  /** The kind no builder was registered for. */
  readonly kind: string;
  constructor(kind: string, known: readonly string[], options: PanelkitErrorOptions = {}) {
    super(`no adapter for panel kind "${kind}" (known: ${known.join(', ')})`, {
      ...options,
      details: { kind, known: [...known], ...options.details },
    });
    this.kind = kind;
  }
}

/** Builders by panel kind. `createPanelAdapter` uses {@link defaultPanelAdapters} unless given another. */
export class PanelAdapterRegistry {
  readonly #builders = new Map<string, PanelAdapterBuilder>();

  /** A registry holding `builders` (kind → builder); empty by default. */
  constructor(builders: Readonly<Record<string, PanelAdapterBuilder>> = {}) {
    for (const [kind, builder] of Object.entries(builders)) this.register(kind, builder);
  }

  /** Adds (or replaces) the builder for `kind`; returns the registry, so calls chain. */
  register(kind: string, builder: PanelAdapterBuilder): this {
    this.#builders.set(kind, builder);
    return this;
  }

  /** Whether a builder is registered for `kind`. */
  has(kind: string): boolean {
    return this.#builders.has(kind);
  }

  /** The registered kinds, in the order they were first registered. */
  kinds(): string[] {
    return [...this.#builders.keys()];
  }

  /** A new registry with the same builders, to extend without touching this one. */
  clone(): PanelAdapterRegistry {
    return new PanelAdapterRegistry(Object.fromEntries(this.#builders));
  }

  /** Throws {@link UnknownPanelKindError} unless every kind has a builder (check stored panels at start). */
  assertKnown(kinds: Iterable<string>): void {
    for (const kind of kinds) if (!this.has(kind)) throw new UnknownPanelKindError(kind, this.kinds());
  }

  /** The adapter for `panel`, from its kind's builder; {@link UnknownPanelKindError} when there is none. */
  create(panel: Panel, options: PanelAdapterOptions = {}): PanelAdapter {
    const builder = this.#builders.get(panel.kind);
    if (builder === undefined) throw new UnknownPanelKindError(panel.kind, this.kinds());
    return builder(panel, options);
  }
}

/** `panel.options` as the bundled builders read them; a bad value names the panel. */
export function panelSettings(panel: Panel): PanelSettings {
  const parsed = PanelSettingsSchema.safeParse(panel.options);
  if (parsed.success) return parsed.data;
  throw new ConfigurationError(`${panel.kind} panel ${panel.name} has unusable options`, {
    details: { issues: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) },
  });
}

function loginOf(panel: Panel): PanelLogin {
  if (panel.credentials.type !== 'password')
    throw new ConfigurationError(`${panel.kind} panel ${panel.name} needs a username and password`);
  return { username: panel.credentials.username, password: panel.credentials.password };
}

function tokenOf(panel: Panel): { token: string } {
  if (panel.credentials.type !== 'token') throw new ConfigurationError(`${panel.kind} panel ${panel.name} needs an API token`);
  return { token: panel.credentials.token };
}

function connection(panel: Panel, options: PanelAdapterOptions): PanelConnectionOptions {
  return { ...options, baseUrl: panel.baseUrl, panelId: panel.id };
}

/** The builders of the kinds this package ships, by kind. */
export const BUNDLED_PANEL_ADAPTERS: Readonly<Record<string, PanelAdapterBuilder>> = Object.freeze({
  '3x-ui': (panel, options) => {
    const settings = panelSettings(panel);
    return createXuiAdapter({
      ...connection(panel, options),
      auth: panel.credentials.type === 'token' ? tokenOf(panel) : loginOf(panel),
      links: { subscriptionBaseUrl: settings.subscriptionBaseUrl, host: settings.linkHost },
    });
  },
  's-ui': (panel, options) =>
    createSuiAdapter({
      ...connection(panel, options),
      auth: tokenOf(panel),
      subscriptionBaseUrl: panelSettings(panel).subscriptionBaseUrl,
    }),
  marzban: (panel, options) =>
    createMarzbanAdapter({
      ...connection(panel, options),
      auth: loginOf(panel),
      subscriptionBaseUrl: panelSettings(panel).subscriptionBaseUrl,
    }),
  marzneshin: (panel, options) =>
    createMarzneshinAdapter({
      ...connection(panel, options),
      auth: loginOf(panel),
      subscriptionBaseUrl: panelSettings(panel).subscriptionBaseUrl,
    }),
  pasarguard: (panel, options) =>
    createPasarGuardAdapter({
      ...connection(panel, options),
      // A token is an API key made in the panel (`pg_key_…`); a password logs in as an admin.
      auth: panel.credentials.type === 'token' ? { apiKey: panel.credentials.token } : loginOf(panel),
      subscriptionBaseUrl: panelSettings(panel).subscriptionBaseUrl,
    }),
  remnawave: (panel, options) =>
    createRemnawaveAdapter({
      ...connection(panel, options),
      // Remnawave 3 takes only API tokens (Remnawave → API Tokens) from outside its dashboard.
      auth: tokenOf(panel),
      subscriptionBaseUrl: panelSettings(panel).subscriptionBaseUrl,
    }),
});

/**
 * The registry `createPanelAdapter` uses by default: every bundled kind. Hosts may `register` their
 * own kinds on it at start-up (it is shared by the process), or build their own from
 * {@link BUNDLED_PANEL_ADAPTERS}.
 */
export const defaultPanelAdapters: PanelAdapterRegistry = new PanelAdapterRegistry(BUNDLED_PANEL_ADAPTERS);

/**
 * The adapter for a stored panel, by its kind: URL, credentials and `panel.options` (see
 * {@link PanelSettingsSchema}) from the panel, clock, logger and connection settings from `options`.
 * A kind with no builder is an {@link UnknownPanelKindError}; credentials of the wrong type, or
 * unusable options, a `ConfigurationError`. Nothing is sent to the panel until the first call.
 */
export function createPanelAdapter(
  panel: Panel,
  options: PanelAdapterOptions & { readonly registry?: PanelAdapterRegistry } = {},
): PanelAdapter {
  const { registry = defaultPanelAdapters, ...rest } = options;
  return registry.create(panel, rest);
}
