import { StorefrontAddressStore, type StorefrontAddress } from '../../db/storefront-addresses.js';
import { containsNul } from '../input/nul-text.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { refusedAs } from './refusals.js';
import { ownerActor, type StorefrontStaff } from './staff.js';
import { shopHostNames } from '../../config/public-addresses.js';

/** The store of storefronts' web addresses on the shop's database. */
export function storefrontAddresses(shop: Pick<Shop, 'db' | 'shopSchema' | 'clock'>): StorefrontAddressStore {
  return new StorefrontAddressStore(shop.db, shop.shopSchema, shop.clock);
}

/** How long a process answers "whose host is this?" from the host names it read (another replica's save shows after it). */
const HOST_OWNERS_TTL_MS = 30_000;

const hostOwnersRead = new WeakMap<object, { readAt: number; owners: Promise<Map<string, string>> }>();

/**
 * The storefront whose host name `host` is (lower case, no port), or `null`. Asked by every visitor's request on a host
 * that is not the shop's own (a retired address, a migrated panel's address that apps still refresh from): the host
 * names are read at most once per {@link HOST_OWNERS_TTL_MS} per process, not once a request; a save in this process
 * is seen at once.
 */
export async function storefrontOfHost(shop: Pick<Shop, 'db' | 'shopSchema' | 'clock'>, host: string): Promise<string | null> {
  const now = Date.now();
  let read = hostOwnersRead.get(shop.db);
  if (read === undefined || now - read.readAt >= HOST_OWNERS_TTL_MS) {
    read = { readAt: now, owners: storefrontAddresses(shop).hostOwners() };
    hostOwnersRead.set(shop.db, read);
    read.owners.catch(() => hostOwnersRead.delete(shop.db));
  }
  return (await read.owners).get(host) ?? null;
}

/** A storefront's path slug (`/store/<slug>`): 3–40 lower-case letters, digits and hyphens, a letter or digit at each end. */
export const STOREFRONT_SLUG = /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/;

/** How many host names one storefront may have. */
export const MAX_STOREFRONT_HOSTS = 5;

const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Whether `host` is a host name a browser sends (`shop.example.com`): two labels at least, no port, not an IP address. */
export function isHostName(host: string): boolean {
  if (host.length > 253) return false;
  const labels = host.split('.');
  return labels.length >= 2 && labels.every((label) => HOST_LABEL.test(label)) && !/^[0-9]+$/.test(labels.at(-1) ?? '');
}

/** What the owner typed: a slug, and host names one per line (or separated by commas or spaces). */
export interface AddressInput {
  slug: string;
  hosts: string;
}

/** The checked address, or `invalid_input` naming the field; a blank slug and no host: no address. */
function parseAddress(shop: Shop, input: AddressInput): { slug: string; hosts: string[] } | null {
  const slug = input.slug.trim().toLowerCase();
  const hosts = [
    ...new Set(
      input.hosts
        .split(/[\s,]+/)
        .map((h) => h.trim().toLowerCase().replace(/\.$/, ''))
        .filter((h) => h !== ''),
    ),
  ];
  if (containsNul(input)) throw new ShopError('invalid_input', 'forms.invalid');
  if (slug === '' && hosts.length === 0) return null;
  if (!STOREFRONT_SLUG.test(slug))
    throw new ShopError('invalid_input', 'storefrontWeb.errors.slug', {}, { slug: 'storefrontWeb.errors.slug' });
  const own = shopHostNames(shop.config);
  if (hosts.length > MAX_STOREFRONT_HOSTS || hosts.some((h) => !isHostName(h) || own.has(h)))
    throw new ShopError(
      'invalid_input',
      'storefrontWeb.errors.hosts',
      { max: MAX_STOREFRONT_HOSTS },
      { hosts: 'storefrontWeb.errors.hosts' },
    );
  return { slug, hosts };
}

/**
 * The owner sets a storefront's web address: its path slug (served at `/store/<slug>`) and optionally host names
 * (a request for one of them is that storefront's); a blank slug and no hosts removes it. Admins only (`forbidden`),
 * an unknown storefront `not_found`, a bad slug or host `invalid_input`, a slug or host another storefront holds
 * `conflict`, each naming its field, and nothing changes on any refusal. Audited as `storefront.address_set`.
 */
export async function setStorefrontAddress(
  shop: Shop,
  storefrontId: string,
  input: AddressInput,
  staff: StorefrontStaff,
): Promise<StorefrontAddress | null> {
  const actor = ownerActor(staff);
  await refusedAs({ notFound: 'errors.notFound' }, () => shop.kit.storefronts.get(storefrontId));
  const address = parseAddress(shop, input);
  const saved = await storefrontAddresses(shop).set(storefrontId, address);
  hostOwnersRead.delete(shop.db);
  if (saved !== null && 'taken' in saved) {
    const field = saved.taken === 'slug' ? 'slug' : 'hosts';
    const key = saved.taken === 'slug' ? 'storefrontWeb.errors.slugTaken' : 'storefrontWeb.errors.hostTaken';
    throw new ShopError('conflict', key, {}, { [field]: key });
  }
  await shop.storage.audit.append({
    actor,
    action: 'storefront.address_set',
    subjectType: 'storefront',
    subjectId: storefrontId,
    data: { slug: saved?.slug ?? null, hosts: saved?.hosts ?? [] },
  });
  return saved;
}
