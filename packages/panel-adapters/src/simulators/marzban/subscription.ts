/**
 * Marzban's subscription routes (`app/routers/subscription.py`, 0.8.4), without a login:
 * `GET /sub/{token}` picks the format by the request (an HTML page for a browser's `Accept:
 * text/html`, Clash YAML for Clash-family user agents, otherwise base64 of the links) and always
 * sends the six profile headers; `GET /sub/{token}/info` is the user minus the private keys. Every
 * token the panel ever minted for the user works (each read mints a new one).
 */
import { json } from '../harness/index.js';
import { shareLinks, type RandomPick } from './links.js';
import { subscriptionToken, type SimInbound, type SimUser } from './state.js';
import { subscriptionInfoBody, type WireContext } from './wire.js';

/** `SUB_PROFILE_TITLE`, `SUB_SUPPORT_URL`, `SUB_UPDATE_INTERVAL` at their defaults. */
const PROFILE_TITLE = 'Subscription';
const SUPPORT_URL = 'https://t.me/';
const UPDATE_INTERVAL = '12';
const CLASH_META = /^([Cc]lash-verge|[Cc]lash[-.]?[Mm]eta|[Ff][Ll][Cc]lash|[Mm]ihomo)/;
const CLASH = /^([Cc]lash|[Ss]tash)/;

/** What `subscriptionResponse` needs from the simulator; `nowMs` is the simulated time of the request. */
export interface SubscriptionContext {
  readonly users: ReadonlyMap<string, SimUser>;
  readonly keyOf: (username: string) => string;
  readonly secret: string;
  readonly inbounds: readonly SimInbound[];
  readonly serverIp: string;
  readonly random: RandomPick;
  readonly nowMs: number;
  readonly wire: () => WireContext;
}

/** The user a token names, when its signature holds. */
function userOf(token: string, ctx: SubscriptionContext): SimUser | undefined {
  const [username, seconds] = Buffer.from(token.slice(0, -10), 'base64url').toString().split(',');
  const user = username === undefined ? undefined : ctx.users.get(ctx.keyOf(username));
  if (!user || subscriptionToken(user.username, Number(seconds) * 1000, ctx.secret) !== token) return undefined;
  return user;
}

function clashYaml(user: SimUser, links: readonly string[]): string {
  const proxies = links.map(
    (link, i) => `  - name: "${user.username} ${i + 1}"\n    type: ${link.slice(0, link.indexOf(':'))}\n    # ${link.split('#')[0]}`,
  );
  return `proxies:\n${proxies.join('\n')}\nproxy-groups:\n  - name: "♻️ Automatic"\n    type: url-test\n`;
}

/**
 * The answer to `GET /sub/{token}` (`info` false) or `GET /sub/{token}/info` (`info` true): 404 `Not Found`
 * for a token whose signature does not hold or that names no live user. Serving the links (not the HTML page or
 * `/info`) records `sub_updated_at` and `sub_last_user_agent` on the user, as the panel does.
 */
export function subscriptionResponse(request: Request, token: string, info: boolean, ctx: SubscriptionContext): Response {
  const user = userOf(token, ctx);
  if (!user) return json({ detail: 'Not Found' }, 404, { 'content-type': 'application/json' });
  if (info) return json(subscriptionInfoBody(user, ctx.wire()), 200, { 'content-type': 'application/json' });
  if ((request.headers.get('accept') ?? '').includes('text/html')) {
    return new Response(`<!DOCTYPE html><html><head><title>${user.username} Sub Stats</title></head><body></body></html>`, {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
    });
  }
  const userAgent = request.headers.get('user-agent') ?? '';
  user.subUpdatedAt = ctx.nowMs;
  user.subLastUserAgent = userAgent;
  const headers: Record<string, string> = {
    'content-disposition': `attachment; filename="${user.username}"`,
    'profile-web-page-url': request.url,
    'support-url': SUPPORT_URL,
    'profile-title': `base64:${Buffer.from(PROFILE_TITLE).toString('base64')}`,
    'profile-update-interval': UPDATE_INTERVAL,
    'subscription-userinfo': `upload=0; download=${user.usedTraffic}; total=${user.dataLimit ?? 0}; expire=${user.expire ?? 0}`,
  };
  const links = shareLinks(user, ctx.inbounds, ctx.serverIp, ctx.random);
  if (CLASH_META.test(userAgent) || CLASH.test(userAgent)) {
    return new Response(clashYaml(user, links), { status: 200, headers: { ...headers, 'content-type': 'text/yaml; charset=utf-8' } });
  }
  return new Response(Buffer.from(links.join('\n')).toString('base64'), {
    status: 200,
    headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
  });
}
