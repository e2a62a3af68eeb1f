/**
 * The subscription routes of the simulated PasarGuard (`app/routers/subscription.py`,
 * `app/operation/subscription.py`): `/sub/{token}` (base64 links, or plain text by `Accept`),
 * `/sub/{token}/info`, `/sub/{token}/links`, `/links_base64` and `/wireguard` (a zip), with the panel's headers.
 */
import { json } from '../harness/index.js';
import type { SimUser } from './state.js';
import { readSubscriptionToken, userBody, type WireContext } from './wire.js';

/** What the subscription routes need from the panel. */
export interface SubscriptionContext {
  userById(id: number): SimUser | undefined;
  links(user: SimUser): string[];
  /** The `wireguard` format: the user's `.conf`s in one zip. */
  wireGuardZip(user: SimUser): Buffer;
  wire: WireContext;
  /** `subscription.update_interval` in hours. */
  updateInterval: number;
  profileTitle: string;
  supportUrl: string;
  announce: string;
  announceUrl: string;
  /**
   * `validate_and_register_hwid` for an app's fetch (`manual`: a `/sub/{token}/{client_type}` request): a refusal,
   * or `null` to serve it.
   */
  checkDevice(user: SimUser, request: Request, manual: boolean): Response | null;
}

/** `encode_title`: `base64:` + the title's base64. */
function encodeTitle(text: string): string {
  return `base64:${Buffer.from(text).toString('base64')}`;
}

/** `create_response_headers`, as v5.2.1 sends them (an empty announcement still sends its two headers). */
export function subscriptionHeaders(
  user: SimUser,
  requestUrl: string,
  context: SubscriptionContext,
  extension = '',
): Record<string, string> {
  const info = {
    upload: 0,
    download: user.usedTraffic,
    total: user.dataLimit ?? 0,
    expire: user.expire === null ? 0 : Math.floor(user.expire / 1000),
  };
  const headers: Record<string, string> = {
    'content-disposition': `attachment; filename="${user.username}${extension}"`,
    'profile-web-page-url': requestUrl,
    'support-url': context.supportUrl,
    'profile-title': encodeTitle(context.profileTitle),
    'profile-update-interval': String(context.updateInterval),
    'subscription-userinfo': Object.entries(info)
      .map(([key, value]) => `${key}=${value}`)
      .join('; '),
    announce: encodeTitle(context.announce),
    'announce-url': context.announceUrl,
  };
  return headers;
}

/** The user a token names, or the panel's 404 (`get_validated_sub`). */
function validated(token: string, context: SubscriptionContext): SimUser | Response {
  const read = readSubscriptionToken(token, context.wire.secret);
  const user = read === null ? undefined : context.userById(read.userId);
  const signedAt = read?.signedAtMs ?? 0;
  // Tokens carry whole seconds: a user made within the second it was signed is still its user.
  if (!user || Math.floor(user.createdAt / 1000) * 1000 > signedAt || (user.subRevokedAt !== null && user.subRevokedAt > signedAt + 999)) {
    return json({ detail: 'Not Found' }, 404, { 'content-type': 'application/json' });
  }
  return user;
}

/** Answers `/sub/{token}[/{kind}]`. */
export function subscriptionResponse(request: Request, token: string, kind: string | null, context: SubscriptionContext): Response {
  const user = validated(token, context);
  if (user instanceof Response) return user;
  if (kind === 'info') {
    const body = userBody(user, context.wire, { withSubscription: false });
    for (const key of ['admin', 'note', 'auto_delete_in_days', 'subscription_url']) delete body[key];
    return json({ ...body, ip: '127.0.0.1' }, 200, { 'content-type': 'application/json' });
  }
  if (kind === null || kind === 'links' || kind === 'links_base64' || kind === 'wireguard') {
    const refused = context.checkDevice(user, request, kind !== null);
    if (refused !== null) return refused;
  }
  if (kind === 'wireguard') {
    // Always a zip, even of one config (`ConfigFormat.wireguard`: `application/zip`, `.zip`).
    return new Response(new Uint8Array(context.wireGuardZip(user)), {
      status: 200,
      headers: { ...subscriptionHeaders(user, request.url, context, '.zip'), 'content-type': 'application/zip' },
    });
  }
  const links = context.links(user).join('\n');
  if (kind === 'links' || kind === 'links_base64') {
    const text = kind === 'links' ? links : Buffer.from(links).toString('base64');
    return new Response(text, {
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8', ...subscriptionHeaders(user, request.url, context, '.txt') },
    });
  }
  if (kind !== null) return json({ detail: 'Client not supported' }, 406, { 'content-type': 'application/json' });
  return new Response(Buffer.from(links).toString('base64'), {
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...subscriptionHeaders(user, request.url, context) },
  });
}
