/**
 * The management headers a client app documents, per request, by the app's User-Agent, behind the owner's choices
 * (`AppManagement`). Of the apps the shop serves, only Happ documents such headers (HappDev/happ_su
 * `dev-docs/app-management.md`, "advanced parameters", each needing the owner's provider id): `new-url`,
 * `sub-expire` with `sub-expire-button-link`, `notification-subs-expire`, `subscription-always-hwid-enable` and
 * `hide-settings`. v2RayTun, Hiddify, Streisand, Karing, the Clash apps and sing-box document only the headers every
 * app gets (`subscription-userinfo`, `profile-title`, `profile-update-interval`, `profile-web-page-url`,
 * `support-url`, `announce`), and learn of a retired address from the `announce` banner.
 *
 * Happ keeps a switch it was sent until it is sent `0` ("if the parameters were passed and not cancelled, they stay
 * active"), so with a provider id every switch goes out on every answer, on (`1`) or off (`0`). `new-url` (the
 * whole link) rather than `new-domain`: a public address may carry a path (`https://mirror.example/vpn`), which a
 * domain alone cannot move to.
 */
import type { AppManagement } from '../app-management.js';

/** The app families the link tells apart for management headers. */
export type ManagedFamily = 'happ';

/** The family of an app by its User-Agent (`Happ/4.6.0/ios/…`, `Happ/1.63.1`), or `null` for one without such headers. */
export function managedFamily(userAgent: string | undefined): ManagedFamily | null {
  return /^Happ\//i.test(userAgent ?? '') ? 'happ' : null;
}

/** What the headers say, for one request. */
export interface ManagementFacts {
  /** The link on the first public address when the request came to a retired one, else `null`. */
  moveTo: string | null;
  /** Where the renew button goes: the buyer's link page. */
  renewUrl: string;
  /** Whether a usable subscription on the link counts devices against a limit. */
  deviceLimited: boolean;
}

const flag = (on: boolean): string => (on ? '1' : '0');

/** The management headers for the app asking with `userAgent` (none for an app that documents none). */
export function managementHeaders(userAgent: string | undefined, choices: AppManagement, facts: ManagementFacts): Record<string, string> {
  if (managedFamily(userAgent) !== 'happ' || choices.happProviderId === null) return {};
  const headers: Record<string, string> = {
    providerid: choices.happProviderId,
    'sub-expire': flag(choices.renewButton),
    'notification-subs-expire': flag(choices.expiryReminders),
    'subscription-always-hwid-enable': flag(choices.alwaysHwid && facts.deviceLimited),
    'hide-settings': flag(choices.hideSettings),
  };
  if (choices.renewButton) headers['sub-expire-button-link'] = facts.renewUrl;
  if (choices.moveApps && facts.moveTo !== null) headers['new-url'] = facts.moveTo;
  return headers;
}
