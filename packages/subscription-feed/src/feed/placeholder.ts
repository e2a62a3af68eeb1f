/**
 * What a client app finds in the link when the buyer cannot connect: instead of an empty answer (the app says "no
 * servers" and nothing more), entries named after the reason and where to renew, as the panels do. They connect
 * nowhere (`0.0.0.0`, port 1, an all-zero id) and survive every format the shop serves (base64/plain, Clash,
 * sing-box). The feed returns to the real links the moment a subscription is usable again (or, for a device
 * refused by its subscriptions, the moment a slot frees).
 */
import { fillText, type FeedTexts } from './texts.js';

/** Why the link carries placeholders instead of servers. */
export type BlockReason = 'expired' | 'limited' | 'suspended' | 'device_limit_reached' | 'hwid_required' | 'trial_already_used';

/**
 * A further check the link runs for client apps before serving real links, after the device limits (the handler's
 * `gates`): the reason to serve placeholders instead, or `null` to go on. It sees the buyer and the request's
 * headers (User-Agent, `x-hwid` and the like).
 */
export type LinkGate = (request: { customerId: string; header(name: string): string | undefined }) => Promise<BlockReason | null>;

/** Every {@link BlockReason}. */
export const BLOCK_REASONS: readonly BlockReason[] = [
  'expired',
  'limited',
  'suspended',
  'device_limit_reached',
  'hwid_required',
  'trial_already_used',
];

const NOWHERE = 'vless://00000000-0000-0000-0000-000000000000@0.0.0.0:1?type=tcp&security=none&encryption=none';

/** The reasons that come from the requesting device rather than the subscription: their fix is managing devices. */
const DEVICE_REASONS: ReadonlySet<BlockReason> = new Set(['device_limit_reached', 'hwid_required', 'trial_already_used']);

/** The line after the reason: where to renew, or where to manage devices for a device reason. */
export function whereTo(reason: BlockReason, texts: FeedTexts, pageUrl: string): string {
  return fillText(DEVICE_REASONS.has(reason) ? texts.devicesAt : texts.renewAt, { url: pageUrl });
}

/**
 * The placeholder entries for `reason`, named in the buyer's language (`texts`, `feedTexts(locale)`): the reason,
 * then where to renew or manage devices (`pageUrl`, the link's own page).
 */
export function placeholderLinks(reason: BlockReason, texts: FeedTexts, pageUrl: string): string[] {
  return [texts[reason], whereTo(reason, texts, pageUrl)].map((name) => `${NOWHERE}#${encodeURIComponent(name)}`);
}
