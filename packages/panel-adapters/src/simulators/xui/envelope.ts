/**
 * 3x-ui's answers: the `{success, msg, obj}` envelope with HTTP 200 even on failure, messages
 * formatted per version (v2.6.0+: `msg (err)`; earlier: `msg Failed: err`), and error texts built
 * like Go's `common.NewError` (parts joined by spaces, trailing newline).
 */
import { json } from '../harness/index.js';
import type { XuiVersionTraits } from './version.js';

export const MSG = {
  added: 'Inbound client(s) have been added.',
  updated: 'Inbound client has been updated.',
  deleted: 'Inbound client has been deleted.',
  reset: 'Traffic has been reset.',
  obtain: 'Obtain',
  wrong: 'Something went wrong',
  trafficError: 'Error getting traffics.',
  loginFail: 'Invalid username or password or two-factor code.',
  sessionExpired: 'Your session has expired, please log in again',
} as const;

/** Go `common.NewError(parts...)`: `fmt.Sprintln` of the parts. */
export function goError(...parts: (string | number)[]): string {
  return `${parts.join(' ')}\n`;
}

export function ok(obj: unknown = null, msg = ''): Response {
  return json({ success: true, msg, obj });
}

export function fail(traits: XuiVersionTraits, msg: string, error: string): Response {
  const text = traits.modernMessages ? `${msg} (${error})` : `${msg} Failed: ${error}`;
  return json({ success: false, msg: text, obj: null });
}

/** The gin default for an unknown route. */
export function noRoute(): Response {
  return new Response('404 page not found', { status: 404, headers: { 'content-type': 'text/plain' } });
}
