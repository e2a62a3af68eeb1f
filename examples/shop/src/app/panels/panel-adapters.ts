import type { Clock, Logger, Panel } from '@panelkit/sdk';
import type { PanelAdapter } from '@panelkit/sdk/adapter';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createPanelAdapter, defaultPanelAdapters } from '@panelkit/panel-adapters';
import { z } from 'zod';
import { registerLogSecrets } from '../../logging/logger.js';

/** Settings an admin may give a panel beside its URL and credentials (`panel.options`). */
export const PanelOptionsSchema = z.object({
  /** Where the panel serves subscriptions, when not where the adapter would guess. */
  subscriptionBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** 3x-ui: the address put in share links when an inbound listens on every interface. */
  linkHost: z.string().min(1).max(253).optional(),
});
export type PanelOptions = z.infer<typeof PanelOptionsSchema>;

/** The kinds the shop can run: every kind `createPanelAdapter` has a builder for. */
export const PANEL_KINDS = defaultPanelAdapters.kinds() as [string, ...string[]];

/** Kinds that take an API token only (no username and password). */
export const TOKEN_ONLY_KINDS: readonly string[] = ['s-ui', 'remnawave'];

/** Kinds that log in with a username and password only (no API token). */
export const PASSWORD_ONLY_KINDS: readonly string[] = ['marzban', 'marzneshin'];

/**
 * The engine's `panels` factory: `createPanelAdapter` for a stored panel, with the shop's clock and
 * logger. The engine calls it again when an admin changes the panel's kind, URL, credentials or options.
 */
export function panelAdapterFactory(deps: { clock: Clock; logger: Logger }): (panel: Panel) => PanelAdapter {
  return (panel) => {
    // Whatever the panel's kind, its secret never reaches a log line.
    const credentials = panel.credentials;
    registerLogSecrets(deps.logger, credentials.type === 'token' ? credentials.token : credentials.password);
    return createPanelAdapter(panel, { clock: deps.clock, logger: deps.logger });
  };
}

/** Refuses to start with a stored panel whose kind has no adapter (`UnknownPanelKindError`), rather than fail its jobs later. */
export async function assertPanelKindsKnown(storage: StoragePort): Promise<void> {
  defaultPanelAdapters.assertKnown((await storage.panels.list()).map((panel) => panel.kind));
}
