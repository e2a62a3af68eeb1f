import type { Actor, Clock } from '@panelkit/sdk';
import { APP_MANAGEMENT_OFF, APP_MANAGEMENT_SWITCHES, type AppManagement, isHappProviderId } from '@panelkit/subscription-feed';
import { readSetting, type SettingsDb, writeSetting } from '../../db/shop-settings.js';
import type { Shop } from '../shop.js';
import { LINK_NOTICE_TTL_MS } from './link-notice.js';
import { replicaRead } from './replica-read.js';

/** The setting the owner's choices for the apps' management headers (`AppManagement`) are kept in. */
export const APP_MANAGEMENT_SETTING = 'sublink.apps';

/** The owner's choices (all off until saved). */
export async function readAppManagement(shop: SettingsDb): Promise<AppManagement> {
  const stored = await readSetting<Partial<AppManagement>, never>(shop, APP_MANAGEMENT_SETTING);
  return stored === null ? APP_MANAGEMENT_OFF : { ...APP_MANAGEMENT_OFF, ...stored.value };
}

const reads = replicaRead<AppManagement, SettingsDb & { readonly clock: Clock }>(readAppManagement, LINK_NOTICE_TTL_MS);

/** The owner's choices as the buyer's link uses them: read at most once per `LINK_NOTICE_TTL_MS` per replica. */
export function appManagementForLinks(shop: SettingsDb & { readonly clock: Clock }): Promise<AppManagement> {
  return reads.get(shop);
}

/** Why a {@link AppManagement} was refused, as a form field's message key. */
export type AppManagementProblem = { field: string; message: string };

/** The problems with the choices as typed: a malformed provider id, or a switch on without one (Happ ignores it). */
export function appManagementProblems(choices: AppManagement): AppManagementProblem[] {
  const id = choices.happProviderId;
  if (id !== null && !isHappProviderId(id)) return [{ field: 'happProviderId', message: 'forms.invalid' }];
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
