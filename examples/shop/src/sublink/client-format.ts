import { clashProfile } from './clash.js';

/**
 * How a request to a buyer's link wants its answer, by User-Agent as the panels decide it. Clash apps
 * (Clash Verge, FlClash, ClashX Meta, Stash, mihomo) read only a Clash profile: they get YAML. Every other
 * client app the shop's guides name (v2rayNG, v2rayN, Hiddify, Streisand, NekoBox, Shadowrocket, Happ) reads
 * the panels' default: the share links, newline-joined, base64-encoded. Hiddify says "like ClashMeta" in its
 * User-Agent but reads base64 too. A browser (it asks for `text/html`) gets the links as plain text.
 */
export type FeedFormat = 'base64' | 'plain' | 'clash';

const CLASH_APPS = /\b(clash|mihomo|stash|flclash)/i;

export function feedFormat(userAgent: string | undefined, accept: string | undefined): FeedFormat {
  const ua = userAgent ?? '';
  if (CLASH_APPS.test(ua) && !/hiddify/i.test(ua)) return 'clash';
  return accept !== undefined && /\btext\/html\b/i.test(accept) ? 'plain' : 'base64';
}

/** The body and its content type for `links` in `format`; `title` names the Clash proxy group. */
export function feedBody(links: readonly string[], format: FeedFormat, title: string): { body: string; type: string } {
  if (format === 'clash') return { body: clashProfile(links, title), type: 'text/yaml; charset=utf-8' };
  const text = links.join('\n');
  return { body: format === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text, type: 'text/plain; charset=utf-8' };
}

/** The `profile-title` header value: `base64:` and the UTF-8 title (a Farsi shop name survives HTTP headers). */
export function profileTitle(title: string): string {
  return `base64:${Buffer.from(title, 'utf8').toString('base64')}`;
}
