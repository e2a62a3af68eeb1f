import { appOpenUrl } from '../../config/public-addresses.js';
import type { Shop } from '../shop.js';
import { importableApps, type ClientApp } from '@panelkit/subscription-feed/apps';

/** A button that opens the buyer's link in one client app, through the shop's https hop. */
export interface AppButton {
  app: ClientApp;
  /** `https://<shown address>/s/<token>/open/<app>`: an http(s) link any channel can carry. */
  url: string;
}

/**
 * The buyer's one-tap imports for channels that carry only http(s) links (the bot's buttons, e-mails, the Mini App
 * inside Telegram): every app with an import link, each through the hop (`routes/app-open.ts`), which answers only
 * to the link's token. Creates the buyer's link on first use, as `buyerLinkOf` does.
 */
export async function appButtonsOf(shop: Shop, customerId: string): Promise<AppButton[]> {
  return appButtonsFor(shop.config, await shop.kit.links.tokenFor(customerId));
}

/** The one-tap imports (see {@link appButtonsOf}) of the link whose token is `token`. */
export function appButtonsFor(config: Shop['config'], token: string): AppButton[] {
  return importableApps().map((app) => ({ app, url: appOpenUrl(config, token, app.id) }));
}
