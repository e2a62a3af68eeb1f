/**
 * The Marzneshin simulator's public subscription routes (`app/routes/subscription.py`): `/sub/{username}/{key}`
 * in the format its User-Agent rules pick (or the HTML page for `Accept: text/html`), `/info`, `/usage`, and
 * `/{client_type}`; the six subscription headers. A key that is not hex, or not the user's, is a 404.
 */
import type { Router } from '../harness/index.js';
import { placeholderProxy, render, subscriptionPage, type SimProxy, type SubscriptionFormat } from './share.js';
import { isActive, type MarzneshinSimUser } from './state.js';
import { pyJson, userBody, type WireContext } from './wire.js';

/** What the routes need from the simulator. */
export interface SubscriptionHost {
  now(): number;
  /** The live (not removed) user with exactly this name. */
  liveUser(username: string): MarzneshinSimUser | undefined;
  /** The user's proxies if it were active: one per inbound of its services. */
  proxiesOf(user: MarzneshinSimUser): Promise<SimProxy[]>;
  wire(user: MarzneshinSimUser): WireContext;
  /** `placeholder_if_disabled` (default on). */
  readonly placeholderIfDisabled: boolean;
  /** The traffic the user used per hour, `[unix hour, bytes]`. */
  usageSeries(user: MarzneshinSimUser): [number, number][];
}

/** The default `subscription.rules` (migration `9001356f0063`), first match wins. */
const RULES: readonly [RegExp, SubscriptionFormat][] = [
  [/^([Cc]lash-verge|[Cc]lash-?[Mm]eta)/, 'clash-meta'],
  [/^([Cc]lash|[Ss]tash)/, 'clash'],
  [/^(SFA|SFI|SFM|SFT|[Kk]aring|[Hh]iddify[Nn]ext)/, 'sing-box'],
  [/^v2rayN\/(:?6\.(?:[5-9]\d+|4[1-9])|[7-9]\d*\.\d+)/, 'xray'],
  [/^v2rayN\//, 'base64-links'],
  [/^v2rayNG\/([2-9]|1\.(9|\d{2,})|1\.8\.(1[7-9]|[2-9]\d|\d{3,}))/, 'xray'],
  [/^v2rayNG\//, 'base64-links'],
  [/^[Ss]treisand/, 'xray'],
  [/^/, 'base64-links'],
];

const CLIENT_TYPES: Record<string, { format: SubscriptionFormat; mime: string }> = {
  'sing-box': { format: 'sing-box', mime: 'application/json' },
  'clash-meta': { format: 'clash-meta', mime: 'text/yaml' },
  clash: { format: 'clash', mime: 'text/yaml' },
  xray: { format: 'xray', mime: 'application/json' },
  v2ray: { format: 'base64-links', mime: 'text/plain' },
  links: { format: 'links', mime: 'text/plain' },
  wireguard: { format: 'wireguard', mime: 'application/json' },
};

const FORMAT_MIME: Record<SubscriptionFormat, string> = {
  links: 'text/plain',
  'base64-links': 'text/plain',
  'sing-box': 'application/json',
  xray: 'application/json',
  clash: 'text/yaml',
  'clash-meta': 'text/yaml',
  wireguard: 'application/json',
};

/** Starlette adds a charset to `text/*` media types. */
function mediaType(mime: string): string {
  return mime.startsWith('text/') ? `${mime}; charset=utf-8` : mime;
}

const notFound = (): Response => pyJson({ detail: 'Not Found' }, 404);

/** Adds the `GET /sub/{username}/{key}…` routes to `router`; each answers 404 unless the key is the live user's. */
export function subscriptionRoutes(router: Router, host: SubscriptionHost): void {
  /** `get_subscription_user`: the key must be hex, and the live user's. */
  const withUser =
    (handler: (request: Request, user: MarzneshinSimUser, params: Record<string, string>) => Response | Promise<Response>) =>
    (request: Request, params: Record<string, string>): Response | Promise<Response> => {
      const user = host.liveUser(params.username!);
      if (!/^[0-9a-f]+$/i.test(params.key!) || user === undefined || user.key !== params.key) return notFound();
      return handler(request, user, params);
    };

  const configs = async (user: MarzneshinSimUser): Promise<SimProxy[]> => {
    if (!isActive(user, host.now()) && host.placeholderIfDisabled) return [placeholderProxy()];
    return host.proxiesOf(user);
  };

  const headers = (request: Request, user: MarzneshinSimUser): Record<string, string> => {
    const expire = user.expireStrategy === 'fixed_date' && user.expireDate !== null ? Math.floor(user.expireDate / 1000) : 0;
    return {
      'content-disposition': `attachment; filename="${user.username}"`,
      'profile-web-page-url': request.url,
      'support-url': 't.me/support',
      'profile-title': `base64:${Buffer.from('Support').toString('base64')}`,
      'profile-update-interval': '12',
      'subscription-userinfo': `upload=0; download=${user.usedTraffic}; total=${user.dataLimit ?? 0}; expire=${expire}`,
    };
  };

  router.on(
    'GET',
    '/sub/:username/:key',
    withUser(async (request, user) => {
      const agent = request.headers.get('user-agent') ?? '';
      user.subUpdatedAt = host.now();
      user.subLastUserAgent = agent;
      if ((request.headers.get('accept') ?? '').includes('text/html')) {
        const page = subscriptionPage(user.username, await configs(user));
        return new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } });
      }
      const format = RULES.find(([pattern]) => pattern.test(agent))![1];
      const body = render(await configs(user), format);
      return new Response(body, { headers: { 'content-type': mediaType(FORMAT_MIME[format]), ...headers(request, user) } });
    }),
  );
  router.on(
    'GET',
    '/sub/:username/:key/info',
    withUser((_request, user) => pyJson(userBody(host.wire(user), user))),
  );
  router.on(
    'GET',
    '/sub/:username/:key/usage',
    withUser((_request, user) => {
      const usages = host.usageSeries(user);
      return pyJson({ usages, total: usages.reduce((sum, [, bytes]) => sum + bytes, 0), step: 3600 });
    }),
  );
  router.on(
    'GET',
    '/sub/:username/:key/:clientType',
    withUser(async (request, user, params) => {
      const type = Object.hasOwn(CLIENT_TYPES, params.clientType!) ? CLIENT_TYPES[params.clientType!] : undefined;
      if (type === undefined) {
        return pyJson({ detail: { client_type: `String should match pattern '^(${Object.keys(CLIENT_TYPES).join('|')})$'` } }, 422);
      }
      const body = render(await configs(user), type.format);
      return new Response(body, { headers: { 'content-type': mediaType(type.mime), ...headers(request, user) } });
    }),
  );
}
