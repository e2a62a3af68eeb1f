import type { Clock, Logger, Panel, PanelAdapter } from '@panelkit/sdk';
import { ConfigurationError } from '@panelkit/sdk';
import {
  createMarzbanAdapter,
  createMarzneshinAdapter,
  createSuiAdapter,
  createXuiAdapter,
  type PanelLogin,
} from '@panelkit/panel-adapters';
import { z } from 'zod';
import { registerLogSecrets } from './logger.js';

/** Settings an admin may give a panel beside its URL and credentials (`panel.options`). */
export const PanelOptionsSchema = z.object({
  /** Where the panel serves subscriptions, when not where the adapter would guess. */
  subscriptionBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** 3x-ui: the address put in share links when an inbound listens on every interface. */
  linkHost: z.string().min(1).max(253).optional(),
});
export type PanelOptions = z.infer<typeof PanelOptionsSchema>;

export const PANEL_KINDS = ['3x-ui', 's-ui', 'marzban', 'marzneshin'] as const;

function loginOf(panel: Panel): PanelLogin {
  if (panel.credentials.type !== 'password')
    throw new ConfigurationError(`${panel.kind} panel ${panel.name} needs a username and password`);
  return { username: panel.credentials.username, password: panel.credentials.password };
}

/**
 * The engine's `panels` factory: the adapter for a stored panel, by its kind, with its URL,
 * credentials and options. The engine calls it again when an admin changes any of them.
 */
export function panelAdapterFactory(deps: { clock: Clock; logger: Logger }): (panel: Panel) => PanelAdapter {
  return (panel) => {
    const credentials = panel.credentials;
    registerLogSecrets(deps.logger, credentials.type === 'token' ? credentials.token : credentials.password);
    const options = PanelOptionsSchema.parse(panel.options);
    const common = { baseUrl: panel.baseUrl, panelId: panel.id, logger: deps.logger };
    switch (panel.kind) {
      case '3x-ui':
        return createXuiAdapter({
          ...common,
          clock: deps.clock,
          auth: panel.credentials.type === 'token' ? { token: panel.credentials.token } : loginOf(panel),
          links: { subscriptionBaseUrl: options.subscriptionBaseUrl, host: options.linkHost },
        });
      case 's-ui':
        if (panel.credentials.type !== 'token') throw new ConfigurationError(`s-ui panel ${panel.name} needs an API token`);
        return createSuiAdapter({ ...common, auth: { token: panel.credentials.token }, subscriptionBaseUrl: options.subscriptionBaseUrl });
      case 'marzban':
        return createMarzbanAdapter({
          ...common,
          clock: deps.clock,
          auth: loginOf(panel),
          subscriptionBaseUrl: options.subscriptionBaseUrl,
        });
      case 'marzneshin':
        return createMarzneshinAdapter({
          ...common,
          clock: deps.clock,
          auth: loginOf(panel),
          subscriptionBaseUrl: options.subscriptionBaseUrl,
        });
      default:
        throw new ConfigurationError(`no adapter for panel kind "${panel.kind}"`);
    }
  };
}
