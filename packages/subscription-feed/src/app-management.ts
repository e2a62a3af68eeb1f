/**
 * What the owner lets the buyer's link tell the client apps that document management headers (today Happ:
 * HappDev/happ_su `dev-docs/app-management.md`, whose "advanced" headers all need the owner's Happ provider id from
 * happ-proxy.com, `dev-docs/provider-id.md`). Each switch is off until the owner turns it on.
 */
export interface AppManagement {
  /** The owner's Happ provider id (`providerid`), or `null`: without it Happ ignores every header below. */
  happProviderId: string | null;
  /** Move an app that fetched the link on a retired address to the link on the first public address. */
  moveApps: boolean;
  /** Show the app's in-app "Renew" button, opening the buyer's link page, from 3 days before the end. */
  renewButton: boolean;
  /** Let the app push a daily reminder in the 3 days before the subscription ends. */
  expiryReminders: boolean;
  /** Keep the device id always on (the buyer cannot turn it off) while a subscription on the link counts devices. */
  alwaysHwid: boolean;
  /** Hide the servers' settings in the app (the buyer cannot view or edit them). */
  hideSettings: boolean;
}

/** Every switch of {@link AppManagement}, in the order the admin page lists them. */
export const APP_MANAGEMENT_SWITCHES = ['moveApps', 'renewButton', 'expiryReminders', 'alwaysHwid', 'hideSettings'] as const;

/** Every switch off and no provider id: the choices until the owner makes some. */
export const APP_MANAGEMENT_OFF: AppManagement = {
  happProviderId: null,
  moveApps: false,
  renewButton: false,
  expiryReminders: false,
  alwaysHwid: false,
  hideSettings: false,
};

/** A Happ provider id as happ-proxy.com issues them: letters, digits, `-` and `_`. */
const PROVIDER_ID = /^[A-Za-z0-9_-]{4,64}$/;

/** Whether `id` has the form of a Happ provider id. */
export function isHappProviderId(id: string): boolean {
  return PROVIDER_ID.test(id);
}
