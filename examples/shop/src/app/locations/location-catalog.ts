import { type Actor, ValidationError } from '@panelkit/sdk';
import type { LocationEntry } from '@panelkit/sdk/plan-builder';
import type { AccountRole } from '../../db/accounts.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';

/** One row of the owner's location catalog page: a tag some panel carries (or one named before), and its entry. */
export interface LocationCatalogRow {
  location: string;
  /** `null` until the owner names the tag. */
  entry: LocationEntry | null;
}

/** What the owner typed to name a location (as read from a form or a JSON body). */
export interface LocationNameInput {
  location: string;
  country: string;
  name: string;
}

const FIELD_KEYS: Record<string, string> = {
  location: 'locations.errors.location',
  country: 'locations.errors.country',
  name: 'locations.errors.name',
};

function ownersOnly(role: AccountRole): void {
  if (role !== 'admin') throw new ShopError('forbidden', 'staff.ownersOnly');
}

/**
 * Every location tag the owner may name (each tag a panel carries, and any named before) with its catalog entry,
 * sorted by tag. The owner's alone (`forbidden` for support staff). The use case behind `/admin/locations`.
 */
export async function listLocationCatalog(shop: Pick<Shop, 'kit' | 'storage'>, role: AccountRole): Promise<LocationCatalogRow[]> {
  ownersOnly(role);
  const [entries, panels] = await Promise.all([shop.kit.locations.list(), shop.storage.panels.list()]);
  const named = new Map(entries.map((e) => [e.location, e]));
  const tags = new Set([...panels.flatMap((p) => p.locationTags), ...named.keys()]);
  return [...tags].sort().map((location) => ({ location, entry: named.get(location) ?? null }));
}

/**
 * Names a location tag a panel carries with its country (ISO 3166-1 alpha-2, typed in any case) and the name buyers
 * read, through the SDK's catalog (audited `location.named`). A tag no panel carries, a country that is no assigned
 * code or a blank or over-long name is `invalid_input` with the field's message, and changes nothing.
 */
export async function nameLocation(
  shop: Pick<Shop, 'kit' | 'storage'>,
  role: AccountRole,
  input: LocationNameInput,
  actor: Actor,
): Promise<LocationEntry> {
  ownersOnly(role);
  const location = input.location.trim();
  const carried = (await shop.storage.panels.list()).some((p) => p.locationTags.includes(location));
  if (!carried) throw new ShopError('invalid_input', 'locations.errors.invalid', {}, { location: FIELD_KEYS['location']! });
  try {
    return await shop.kit.locations.name({ location, country: input.country.trim().toUpperCase(), name: input.name, actor });
  } catch (error) {
    if (!ValidationError.is(error)) throw error;
    const fields = Object.fromEntries(
      error.issues
        .map((issue) => String(issue.path).split('.')[0] ?? '')
        .filter((f) => f in FIELD_KEYS)
        .map((f) => [f, FIELD_KEYS[f]!]),
    );
    throw new ShopError(
      'invalid_input',
      'locations.errors.invalid',
      {},
      Object.keys(fields).length > 0 ? fields : { name: FIELD_KEYS['name']! },
    );
  }
}
