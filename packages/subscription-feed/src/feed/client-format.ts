import { clashProfile } from './clash.js';
import type { DirectRouting } from './routing.js';
import { DEFAULT_SING_BOX_VERSION, singBoxProfile, singBoxVersion, wantsSingBox } from './sing-box.js';

/**
 * How a request to a buyer's link wants its answer, by User-Agent as the panels decide it. Apps built on sing-box
 * (SFA, SFI, SFM, SFT, Karing, Hiddify) get a sing-box profile (JSON) for their version. Clash apps (Clash Verge,
 * FlClash, ClashX Meta, Stash, mihomo, Clash Mi) read only a Clash profile, and NekoBox and Throne ask for one ("Prefer
 * ClashMeta Format"): they get YAML. Every other client app the shop's guides name (v2rayNG, v2rayN, Streisand,
 * Shadowrocket, Happ) reads the panels' default: the share links,
 * newline-joined, base64-encoded. A browser (it asks for `text/html`) gets the links as plain text.
 */
export type FeedFormat = 'base64' | 'plain' | 'clash' | 'sing-box';

const CLASH_APPS = /\b(clash|mihomo|stash|flclash)/i;

/** The format the app asking with `userAgent` (and `accept`) reads (see {@link FeedFormat}). */
export function feedFormat(userAgent: string | undefined, accept: string | undefined): FeedFormat {
  const ua = userAgent ?? '';
  // Hiddify names ClashMeta in its User-Agent too ("HiddifyNext/2.5.7 (android) like ClashMeta v2ray sing-box").
  if (wantsSingBox(ua)) return 'sing-box';
  if (CLASH_APPS.test(ua)) return 'clash';
  return accept !== undefined && /\btext\/html\b/i.test(accept) ? 'plain' : 'base64';
}

/**
 * The body and its content type for `links` in `format`; `title` names the Clash proxy group and the sing-box
 * selector; `userAgent` gives the sing-box version to write for; `routing` is what the profiles send direct (share
 * links carry no routing: those apps get it by header, `routing-apps.ts`).
 */
export function feedBody(
  links: readonly string[],
  format: FeedFormat,
  title: string,
  userAgent = '',
  routing: DirectRouting | null = null,
): { body: string; type: string } {
  if (format === 'clash') return { body: clashProfile(links, title, routing), type: 'text/yaml; charset=utf-8' };
  if (format === 'sing-box') {
    const version = singBoxVersion(userAgent) ?? DEFAULT_SING_BOX_VERSION;
    return { body: singBoxProfile(links, title, version, routing), type: 'application/json; charset=utf-8' };
  }
  const text = links.join('\n');
  return { body: format === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text, type: 'text/plain; charset=utf-8' };
}

/** The `profile-title` header value: `base64:` and the UTF-8 title (a Farsi shop name survives HTTP headers). */
export function profileTitle(title: string): string {
  return `base64:${Buffer.from(title, 'utf8').toString('base64')}`;
}

/**
 * The `content-disposition` header: shown inline, named after the shop. Clash apps (Clash Verge Rev's "url
 * schemes" guide, FlClash's lib/models/profile.dart) name the imported profile after its `filename`; the RFC 8187
 * form carries a non-Latin shop name.
 */
export function profileDisposition(title: string): string {
  return `inline; filename*=UTF-8''${encodeURIComponent(title)}`;
}
