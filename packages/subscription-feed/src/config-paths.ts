/**
 * Where a link's config files live and which parts they are made of, written once: `createConfigFilesHandler` reads
 * its requests with these, and a host builds the addresses it shows (a page's button, an API field, a bot message)
 * with them, so the two cannot drift apart.
 */
import type { Subscription } from '@panelkit/sdk';
import { kindOf, USABLE_STATUS_LIST } from './feed/feed.js';

/** The zip's path under the link (`<link>/configs.zip`). */
export const CONFIGS_ZIP_PATH = 'configs.zip';

const CONF_PATH = /^config\/([^/]+)\.conf$/;

/**
 * One part's `.conf` path under the link (`config/<subscriptionId>.conf`, the id percent-encoded): what a request's
 * `FeedFileRequest.file` is once the host's router has decoded it.
 */
export function configFilePath(subscriptionId: string): string {
  return `config/${encodeURIComponent(subscriptionId)}.conf`;
}

/**
 * The address of one part's `.conf` under the buyer's link `linkUrl` (`https://shop.example/s/<token>`, no trailing
 * slash): `<linkUrl>/config/<subscriptionId>.conf`. The link must serve the part (its scope holds it) or the route
 * answers 404.
 */
export function configFileUrl(linkUrl: string, subscriptionId: string): string {
  return `${linkUrl}/${configFilePath(subscriptionId)}`;
}

/** The address of the zip of every config the link `linkUrl` serves: `<linkUrl>/configs.zip`. */
export function configsZipUrl(linkUrl: string): string {
  return `${linkUrl}/${CONFIGS_ZIP_PATH}`;
}

/** Which file a decoded path under the link names: one part's `.conf`, the zip, or neither (`null`). */
export function configFileOf(file: string): { readonly form: 'conf'; readonly subscriptionId: string } | { readonly form: 'zip' } | null {
  if (file === CONFIGS_ZIP_PATH) return { form: 'zip' };
  const conf = CONF_PATH.exec(file);
  return conf?.[1] === undefined ? null : { form: 'conf', subscriptionId: conf[1] };
}

const USABLE: ReadonlySet<Subscription['status']> = new Set(USABLE_STATUS_LIST);

/**
 * Whether a part can be used now (active, or waiting for its first use): the status rule of everything the link
 * serves, its profiles' links as much as its config files; a part that is not usable gets nothing to import.
 */
export function isUsablePart(sub: Pick<Subscription, 'status'>): boolean {
  return USABLE.has(sub.status);
}

/**
 * Whether the link's config routes serve this part: a usable (`isUsablePart`) WireGuard or AmneziaWG part. The zip
 * holds exactly these parts of the link's scope, and a `.conf` of any other part is a 404.
 */
export function servesConfigFile(sub: Pick<Subscription, 'status' | 'kind'>): boolean {
  const kind = kindOf(sub);
  return isUsablePart(sub) && (kind === 'wireguard' || kind === 'amneziawg');
}
