/**
 * The check of a Telegram Mini App's launch data (`Telegram.WebApp.initData`, or `tgWebAppData` in the launch URL's
 * fragment), as Telegram documents it: the secret key is HMAC-SHA256 of the bot token keyed with "WebAppData", and
 * `hash` must be the hex HMAC-SHA256, under that key, of every other field sorted by name as `key=value` lines.
 * Written on node:crypto: the npm checkers that fit (`@tma.js/init-data-node`) bring half a dozen packages (fp-ts
 * among them) for these few lines, and none of them knows the shop's replay table.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** How far (seconds) `auth_date` may lie ahead of the shop's clock: clocks of Telegram and the shop differ a little. */
export const INIT_DATA_CLOCK_SKEW_SECONDS = 60;
/** The longest launch data the shop reads (Telegram's is a few hundred characters; a photo URL makes it longer). */
export const INIT_DATA_MAX_LENGTH = 4096;

/** The Telegram user in the launch data (the fields the shop uses; Telegram sends more). */
const InitDataUser = z.object({
  id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  is_bot: z.boolean().optional(),
  first_name: z.string().max(256),
  last_name: z.string().max(256).optional(),
  username: z.string().max(64).optional(),
  language_code: z.string().max(35).optional(),
});

/** The Telegram user a Mini App was opened by, as its signed launch data names them. */
export type InitDataUser = z.infer<typeof InitDataUser>;

/** Launch data whose signature and age were checked. */
export interface VerifiedInitData {
  user: InitDataUser;
  /** When Telegram signed it. */
  authDate: Date;
  /** Its `hash` (hex): the same launch data presented twice has the same one (the replay table's key). */
  hash: string;
  /** The `startapp` parameter of the link the Mini App was opened by (`start_param`), or `null`. */
  startParam: string | null;
}

/** Why launch data was refused: malformed, signed by someone else (or altered), too old, or from the future. */
export type InitDataRefusal = 'malformed' | 'bad_signature' | 'expired' | 'future';

/** The key every launch data of this bot is signed with. */
function secretKeyOf(botToken: string): Buffer {
  return createHmac('sha256', 'WebAppData').update(botToken).digest();
}

/** The data-check-string: every field but `hash`, sorted by name, as `key=value` joined by line feeds. */
function dataCheckString(fields: ReadonlyArray<[string, string]>): string {
  return fields
    .filter(([key]) => key !== 'hash')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
}

/** Signs launch data as Telegram does (tests, and the fake Telegram): returns `initData` with its `hash`. */
export function signInitData(botToken: string, fields: Record<string, string>): string {
  const hash = createHmac('sha256', secretKeyOf(botToken))
    .update(dataCheckString(Object.entries(fields)))
    .digest('hex');
  return new URLSearchParams({ ...fields, hash }).toString();
}

/**
 * Checks launch data against the bot's token and the clock: the signature (compared in constant time), a field
 * given twice refused, `auth_date` no older than `maxAgeSeconds` and no further ahead than the clock skew, and a
 * `user` that parses. Says nothing of replays: the caller records the hash ({@link VerifiedInitData.hash}).
 */
export function verifyInitData(
  initData: string,
  botToken: string,
  now: Date,
  maxAgeSeconds: number,
): { ok: true; data: VerifiedInitData } | { ok: false; reason: InitDataRefusal } {
  if (initData.length === 0 || initData.length > INIT_DATA_MAX_LENGTH) return { ok: false, reason: 'malformed' };
  const fields = [...new URLSearchParams(initData).entries()];
  const names = new Set(fields.map(([key]) => key));
  const hash = fields.find(([key]) => key === 'hash')?.[1];
  if (names.size !== fields.length || hash === undefined || !/^[0-9a-f]{64}$/.test(hash)) return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', secretKeyOf(botToken)).update(dataCheckString(fields)).digest();
  if (!timingSafeEqual(expected, Buffer.from(hash, 'hex'))) return { ok: false, reason: 'bad_signature' };
  // Signed by Telegram from here on: what follows is judged, not distrusted.
  const authDate = Number(fields.find(([key]) => key === 'auth_date')?.[1]);
  if (!Number.isSafeInteger(authDate) || authDate <= 0) return { ok: false, reason: 'malformed' };
  const ageSeconds = now.getTime() / 1000 - authDate;
  if (ageSeconds < -INIT_DATA_CLOCK_SKEW_SECONDS) return { ok: false, reason: 'future' };
  if (ageSeconds > maxAgeSeconds) return { ok: false, reason: 'expired' };
  const user = userOf(fields.find(([key]) => key === 'user')?.[1]);
  if (user === null || user.is_bot === true) return { ok: false, reason: 'malformed' };
  const startParam = fields.find(([key]) => key === 'start_param')?.[1] ?? null;
  return { ok: true, data: { user, authDate: new Date(authDate * 1000), hash, startParam } };
}

/** The `user` field's JSON, or `null` when it is missing or not a user. */
function userOf(json: string | undefined): InitDataUser | null {
  if (json === undefined) return null;
  try {
    const parsed = InitDataUser.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
