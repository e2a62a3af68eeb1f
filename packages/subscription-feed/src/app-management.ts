import type { Actor, Clock } from '@panelkit/sdk';
import { readSetting, writeSetting, type SettingsDb } from '../../../examples/shop/src/db/shop-settings.js';
import type { Shop } from '../../../examples/shop/src/app/shop.js';
import { LINK_NOTICE_TTL_MS } from '../../../examples/shop/src/app/subscriptions/link-notice.js';
import { replicaRead } from '../../../examples/shop/src/app/subscriptions/replica-read.js';

/** The setting the owner's choices for the apps' management headers are kept in. */
export const APP_MANAGEMENT_SETTING = 'sublink.apps';

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

const OFF: AppManagement = {
  happProviderId: null,
  moveApps: false,
  renewButton: false,
  expiryReminders: false,
  alwaysHwid: false,
  hideSettings: false,
};

/** The owner's choices (all off until saved). */
export async function readAppManagement(shop: SettingsDb): Promise<AppManagement> {
  const stored = await readSetting<Partial<AppManagement>, never>(shop, APP_MANAGEMENT_SETTING);
  return stored === null ? OFF : { ...OFF, ...stored.value };
}

const reads = replicaRead<AppManagement, SettingsDb & { readonly clock: Clock }>(readAppManagement, LINK_NOTICE_TTL_MS);

/** The owner's choices as the buyer's link uses them: read at most once per `LINK_NOTICE_TTL_MS` per replica. */
export function appManagementForLinks(shop: SettingsDb & { readonly clock: Clock }): Promise<AppManagement> {
  return reads.get(shop);
}

/** A Happ provider id as happ-proxy.com issues them: letters, digits, `-` and `_`. */
const PROVIDER_ID = /^[A-Za-z0-9_-]{4,64}$/;

/** Why a {@link AppManagement} was refused, as a form field's message key. */
export type AppManagementProblem = { field: string; message: string };

/** The problems with the choices as typed: a malformed provider id, or a switch on without one (Happ ignores it). */
export function appManagementProblems(choices: AppManagement): AppManagementProblem[] {
  const id = choices.happProviderId;
  if (id !== null && !PROVIDER_ID.test(id)) return [{ field: 'happProviderId', message: 'forms.invalid' }];
  if (id === null && APP_MANAGEMENT_SWITCHES.some((s) => choices[s]))
    return [{ field: 'happProviderId', message: 'linkPage.management.providerIdNeeded' }];
  return [];
}

/**
 * Saves the owner's choices (from the admin page; audited as a settings change); refuses, changing nothing, choices
 * with problems. On the saving replica's links at once, on the others' within `LINK_NOTICE_TTL_MS`.
 */
export async function saveAppManagement(
  shop: Pick<Shop, 'db' | 'shopSchema' | 'secretBox' | 'clock' | 'storage'>,
  choices: AppManagement,
  actor: Actor,
): Promise<{ ok: true } | { ok: false; problems: AppManagementProblem[] }> {
  const problems = appManagementProblems(choices);
  if (problems.length > 0) return { ok: false, problems };
  await writeSetting(shop, APP_MANAGEMENT_SETTING, choices, null, shop.clock.now(), actor.id);
  reads.forget(shop);
  await shop.storage.audit.append({
    actor,
    action: 'settings.saved',
    subjectType: 'shop',
    subjectId: 'settings',
    data: { appManagement: true },
  });
  return { ok: true };
}
