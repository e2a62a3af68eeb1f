/**
 * How a request to a buyer's link wants its answer. Every client app the shop's guides name (v2rayNG,
 * v2rayN, Hiddify, Streisand, NekoBox, Shadowrocket, Happ) reads the panels' default: the share links,
 * newline-joined, base64-encoded. A browser (it asks for `text/html`) gets the links as plain text, readable.
 */
export type FeedFormat = 'base64' | 'plain';

export function feedFormat(accept: string | undefined): FeedFormat {
  return accept !== undefined && /\btext\/html\b/i.test(accept) ? 'plain' : 'base64';
}

/** The body for `links` in `format`. */
export function feedBody(links: readonly string[], format: FeedFormat): string {
  const text = links.join('\n');
  return format === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text;
}

/** The `profile-title` header value: `base64:` and the UTF-8 title (a Farsi shop name survives HTTP headers). */
export function profileTitle(title: string): string {
  return `base64:${Buffer.from(title, 'utf8').toString('base64')}`;
}
