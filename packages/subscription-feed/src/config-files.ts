/**
 * The files a link gives for its WireGuard and AmneziaWG parts (docs/design/product-kinds-sdk.md §8): one part's
 * `.conf` (`/s/<token>/config/<subscriptionId>.conf`) and every part's in one zip (`/s/<token>/configs.zip`). They
 * are made from the stored share links, so a panel that is down does not stop a buyer from reading their config, and
 * a download is no device fetch: it registers no device.
 */
import { parseShareLink } from '@panelkit/panel-adapters';
import type { Subscription } from '@panelkit/sdk';
import { configFileOf, servesConfigFile } from './config-paths.js';
import { configsZip } from './feed/configs-zip.js';
import { kindOf } from './feed/feed.js';
import { wireGuardConf } from './feed/wireguard-conf.js';
import { wireGuardConfName } from './feed/wireguard-conf-name.js';
import { type FeedKit, type FeedLinkRequest, scopeOf } from './handler.js';

/** A request for one of the link's files: the link's request and the path after `/s/<token>/`. */
export interface FeedFileRequest extends FeedLinkRequest {
  /** `config/<subscriptionId>.conf` or `configs.zip`, percent-decoded (as a router hands its path parameters). */
  readonly file: string;
}

/** A file answer: as a `FeedAnswer`, but the zip's body is bytes (a Node `Buffer`, which Express sends as it is). */
export interface FeedFileAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

const NOT_FOUND: FeedFileAnswer = { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not Found' };

/** One WireGuard config of a part: its file name and text. */
interface PartConfig {
  name: string;
  text: string;
}

/** The part's configs, one per WireGuard link it holds (PasarGuard gives one per host of the inbound). */
function configsOf(subscription: Subscription): PartConfig[] {
  const amnezia = kindOf(subscription) === 'amneziawg';
  return subscription.shareLinks
    .filter((link) => /^(wireguard|wg):\/\//i.test(link.trim()))
    .map((link) => {
      const text = wireGuardConf(link, { amnezia });
      const { remark, address } = parseShareLink(link);
      return { name: wireGuardConfName(remark, address), text };
    });
}

/** Headers every file answer carries: the private key is in it, so nothing keeps or indexes it. */
const PRIVATE_FILE = { 'cache-control': 'no-store', 'x-robots-tag': 'noindex' };

/**
 * The link's files as one framework-free function, for the host to route `/s/<token>/config/<id>.conf` and
 * `/s/<token>/configs.zip` to: the token resolved as the link resolves it (`kit.links.scope`, or `links.resolve` and
 * `customers.subscriptions`), then
 *
 * - `config/<subscriptionId>.conf`: that part's config (its first WireGuard link; `wireGuardConf`, AmneziaWG keys for
 *   an `amneziawg` part), `text/plain; charset=utf-8`, `content-disposition: attachment; filename="<name>.conf"`
 *   (`wireGuardConfName` of the link's remark or host);
 * - `configs.zip`: every config of every such part (`configsZip`), `application/zip`.
 *
 * 404 for an unknown token, a part not in the token's scope or not served (`servesConfigFile`: usable, WireGuard or
 * AmneziaWG), a zip with no config, or another file; 405 for a method but GET and HEAD. Throws `ValidationError` for a
 * stored link no conf can be made of (a fault to see in the host's logs, not to hide from the buyer as a 404).
 */
export function createConfigFilesHandler(options: { kit: FeedKit }): (request: FeedFileRequest) => Promise<FeedFileAnswer> {
  return async (request) => {
    const method = request.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD')
      return { status: 405, headers: { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, body: 'Method Not Allowed' };
    const file = configFileOf(request.file);
    if (file === null) return NOT_FOUND;
    const scope = await scopeOf(options.kit, request.token, null);
    if (scope === null) return NOT_FOUND;
    const parts = scope.subscriptions.filter(servesConfigFile).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const body = (content: string | Buffer) => (method === 'HEAD' ? '' : content);
    if (file.form === 'conf') {
      const part = parts.find((s) => s.id === file.subscriptionId);
      const first = part === undefined ? undefined : configsOf(part)[0];
      if (first === undefined) return NOT_FOUND;
      return {
        status: 200,
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          'content-disposition': `attachment; filename="${first.name}"`,
          ...PRIVATE_FILE,
        },
        body: body(first.text),
      };
    }
    const files = parts.flatMap(configsOf);
    if (files.length === 0) return NOT_FOUND;
    return {
      status: 200,
      headers: { 'content-type': 'application/zip', 'content-disposition': 'attachment; filename="configs.zip"', ...PRIVATE_FILE },
      body: body(Buffer.from(configsZip(files))),
    };
  };
}
