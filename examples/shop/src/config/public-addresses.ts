/**
 * The one builder of the shop's public addresses: the buyer's link (`/s/<token>`), referral, gateway-callback and
 * password-reset links. Every address comes from the settings (PUBLIC_URLS, or PUBLIC_URL as a list of one), never
 * from a request's `Host` header, which anyone can set. The first address is the one shown (pages, QR codes, bot
 * messages, e-mails); the shop answers on all of them, and a token is the same on each, so retiring an address
 * changes no token. Without a configured address (a shop on a laptop) links use the address the shop listens on.
 * `test/public-addresses.test.ts` checks that no other module builds these URLs.
 */
import type { ShopConfig } from './config.js';

type AddressConfig = Pick<ShopConfig, 'publicUrls' | 'host' | 'port'>;

/** The address shown to buyers: the first of PUBLIC_URLS, else the local address the shop listens on. */
export function shownBase(config: AddressConfig): string {
  return config.publicUrls[0] ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
}

/** Every address the link is served on, the shown one first. */
export function allBases(config: AddressConfig): string[] {
  return config.publicUrls.length > 0 ? [...config.publicUrls] : [shownBase(config)];
}

/** The buyer's link on the shown address, or on `base` (one of {@link allBases}). */
export function subscriptionLinkUrl(config: AddressConfig, token: string, base = shownBase(config)): string {
  return `${base}/s/${token}`;
}

/** A referral sign-up link for `code` (the referrer's customer id). */
export function referralUrl(config: AddressConfig, code: string): string {
  return `${shownBase(config)}/signup?ref=${encodeURIComponent(code)}`;
}

/** The page where a gift is claimed by its code (`/gift/<code>`): the one link a giver hands over on every channel. */
export function giftUrl(config: AddressConfig, code: string): string {
  return `${shownBase(config)}/gift/${encodeURIComponent(code)}`;
}

/** The page where a family plan's invite is accepted (`/family/join/<token>`): the link the payer hands over. */
export function familyInviteUrl(config: AddressConfig, token: string): string {
  return `${shownBase(config)}/family/join/${encodeURIComponent(token)}`;
}

/** The bot's `/start` payload that opens a gift's claim (`gift_<code>`; Telegram allows `[A-Za-z0-9_-]`, 64 at most). */
export function giftStartPayload(code: string): string {
  return `gift_${code}`;
}

/**
 * The base of the payment gateway's callbacks and return pages: the shown address (a real gateway needs a public
 * one; the demo gateway, in-process, also reaches the local address).
 */
export function gatewayBase(config: AddressConfig): string {
  return shownBase(config);
}

/** A buyer's support ticket on the web (`/support/<id>`), or `null` without a configured public address (a notice
 * sent to a phone must not carry the address of the shop's laptop). */
export function ticketUrl(config: AddressConfig, ticketId: string): string | null {
  const base = config.publicUrls[0];
  return base === undefined ? null : `${base}/support/${encodeURIComponent(ticketId)}`;
}

/**
 * A password-reset link, or `null` without a configured public address: a reset link is never built from a guess
 * (the listen address) or a request's Host, or a forged Host could send a buyer's reset token elsewhere.
 */
export function passwordResetUrl(config: AddressConfig, token: string): string | null {
  const base = config.publicUrls[0];
  return base === undefined ? null : `${base}/reset-password/${encodeURIComponent(token)}`;
}

/**
 * Which configured address a request came to, by its Host (compared, never used to build a link): its index in
 * {@link allBases}, or `-1` for a host the list does not name (a retired address still pointed at the shop).
 */
export function addressIndexOf(config: AddressConfig, host: string | undefined): number {
  if (host === undefined) return -1;
  const wanted = host.toLowerCase();
  return allBases(config).findIndex((base) => new URL(base).host.toLowerCase() === wanted);
}

/**
 * The shop's address on host name `hostName` (lower case, no port): the configured address on that host, else the
 * shown address with `hostName` in place of its host (same scheme, port and path), which is how a storefront's own
 * host name the owner set (`storefrontOfHost`) reaches the shop. The caller has found `hostName` among those two:
 * a request's Host taken on trust must never name an address the shop sends a browser to.
 */
export function baseOnHost(config: AddressConfig, hostName: string): string {
  const own = allBases(config).find((base) => new URL(base).hostname.toLowerCase() === hostName);
  if (own !== undefined) return own;
  const url = new URL(shownBase(config));
  url.hostname = hostName;
  return url.href.replace(/\/$/, '');
}

/** The host names (lower case, no port) of the shop's own configured addresses: never a storefront's. */
export function shopHostNames(config: AddressConfig): Set<string> {
  return new Set(config.publicUrls.map((url) => new URL(url).hostname.toLowerCase()));
}

/**
 * The host name a request was made for, lower case, without a port or a trailing dot (`req.hostname` honours the
 * trusted proxy): for choosing whose site a request shows (a storefront's own domain), never for building a link.
 */
export function requestHostName(req: { hostname?: string }): string {
  return (req.hostname ?? '').toLowerCase().replace(/\.$/, '');
}

/**
 * Whether a request came to a retired address: one the list no longer puts first (moved down, or gone from the list
 * while still pointed at the shop). A shop without configured addresses has nothing to move to.
 */
export function isRetiredAddress(config: AddressConfig, host: string | undefined): boolean {
  return config.publicUrls.length > 0 && addressIndexOf(config, host) !== 0;
}

/**
 * The https hop that opens the buyer's link in a client app (`app`, an id of `@panelkit/subscription-feed/apps`), on the shown
 * address: for channels that can carry only http(s) links (Telegram's buttons, e-mails).
 */
export function appOpenUrl(config: AddressConfig, token: string, app: string): string {
  return `${subscriptionLinkUrl(config, token)}/open/${encodeURIComponent(app)}`;
}

/** The path of the page Telegram opens as the shop's Mini App (`routes/mini-app.ts`). */
export const MINI_APP_PATH = '/tg/app';

/**
 * The Mini App's address for the bot's buttons, on the shown address; `null` unless the Mini App is on (a bot,
 * TELEGRAM_MINI_APP not off) and that address is https (Telegram opens a Mini App only over https, from the domain
 * set in BotFather).
 */
export function miniAppUrl(config: AddressConfig & Pick<ShopConfig, 'telegram'>): string | null {
  const base = config.publicUrls[0];
  return config.telegram?.miniApp != null && base?.startsWith('https://') ? `${base}${MINI_APP_PATH}` : null;
}

/** What a `/start` payload of a campaign's bot link starts with (the slug follows). */
export const CAMPAIGN_START_PREFIX = 'campaign_';
/** The query parameter of a campaign's web link that names it. */
export const CAMPAIGN_PARAM = 'c';

/**
 * A campaign's two links: into the bot (`https://t.me/<bot>?start=campaign_<slug>`, `null` without a bot) and to the
 * web sign-up (`/signup?c=<slug>` on the shown address).
 */
export function campaignUrls(config: AddressConfig, botUsername: string | null, slug: string): { bot: string | null; web: string } {
  return {
    bot: botUsername === null ? null : `https://t.me/${botUsername}?start=${CAMPAIGN_START_PREFIX}${encodeURIComponent(slug)}`,
    web: `${shownBase(config)}/signup?${CAMPAIGN_PARAM}=${encodeURIComponent(slug)}`,
  };
}

/**
 * Where Telegram posts a storefront bot's updates (`/telegram/<bot id>/webhook` on the shown address), or `null`
 * without a configured public address (Telegram cannot reach a laptop's).
 */
export function storefrontWebhookUrl(config: AddressConfig, botId: string): string | null {
  const base = config.publicUrls[0];
  return base === undefined ? null : `${base}/telegram/${botId}/webhook`;
}
