/**
 * Share links out of Marzneshin's `/sub/{username}/{key}/links` answer. For a user that is not active
 * (disabled, expired or over its limit) the panel serves a placeholder instead of its links (the
 * default `placeholder_if_disabled`): one `vmess://` link with id `None`, address 127.0.0.1 and the
 * name `disabled`. That is never the buyer's link, so none is given while the user is inactive.
 */
import type { MarzneshinUser } from './schemas.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `link` is the placeholder: a `vmess://` link whose id is not a uuid (`None`). */
export function isPlaceholderLink(link: string): boolean {
  if (!link.startsWith('vmess://')) return false;
  try {
    const config = JSON.parse(Buffer.from(link.slice('vmess://'.length), 'base64').toString('utf8')) as { id?: unknown };
    return typeof config.id !== 'string' || !UUID.test(config.id);
  } catch {
    return false;
  }
}

/**
 * The user's real share links from the plain-text answer, one per line: none while the user is inactive
 * (the answer is the placeholder), and never a placeholder line (the user may turn inactive between
 * the read of the user and the read of its links).
 */
export function shareLinksOf(user: MarzneshinUser, body: string): string[] {
  if (!user.is_active) return [];
  return body
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes('://') && !isPlaceholderLink(line));
}
