import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseInput } from '../domain/validate.js';

/** The kinds of identity a trial is claimed under; one key of each kind the buyer has. */
export type TrialIdentityKind = 'telegram' | 'email' | 'phone' | 'hwid';

/** Mail hosts where dots in the local part are ignored (`j.o.e@gmail.com` is `joe@gmail.com`). */
const DOTLESS_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * An e-mail as a trial sees it: lower-cased, the `+alias` cut off the local part, and for Gmail the dots dropped
 * and `googlemail.com` read as `gmail.com`; `null` for anything that is not an address.
 */
export function normalizeTrialEmail(email: string): string | null {
  const at = email.trim().toLowerCase().lastIndexOf('@');
  if (at <= 0) return null;
  const address = email.trim().toLowerCase();
  let local = address.slice(0, at);
  let domain = address.slice(at + 1);
  if (domain === '' || domain.includes('@')) return null;
  local = local.split('+', 1)[0]!;
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (DOTLESS_DOMAINS.has(domain)) local = local.replaceAll('.', '');
  if (local === '') return null;
  return `${local}@${domain}`;
}

/** A phone number in E.164 (`+` and 7 to 15 digits, no leading zero). */
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Who takes a trial, as far as the host can tell beyond the customer record (whose e-mail and Telegram id the SDK
 * reads itself). `telegramId` is a Telegram account the host linked to the customer; `phone` is a number the host verified (a code sent to it, Telegram's shared contact), in E.164;
 * `hwids` are hardware ids of the buyer's devices the host has seen. Nothing here is shown to anyone: it is kept only
 * as SHA-256 keys.
 */
export const TrialIdentitySchema = z.strictObject({
  /** A Telegram user id the host linked to the customer besides `customer.telegramId` (a web buyer who linked the bot). */
  telegramId: z.string().trim().min(1).max(64).optional(),
  /** A verified phone number in E.164, e.g. `+989121234567`. */
  phone: z.string().regex(E164, 'must be E.164, e.g. +989121234567').optional(),
  /** Hardware ids of the buyer's devices (1–200 characters each, at most 10). */
  hwids: z.array(z.string().trim().min(1).max(200)).max(10).optional(),
});
/** Input of {@link trialIdentityKeys} and `CheckoutRequest.trialIdentity` (see `TrialIdentitySchema`). */
export type TrialIdentity = z.input<typeof TrialIdentitySchema>;

/** One identity a trial is claimed under: its kind and the SHA-256 of the normalised value, as `kind:hex`. */
export interface TrialIdentityKey {
  readonly kind: TrialIdentityKind;
  /** `kind:` and 64 lower-case hex digits; what `trialClaims` stores. */
  readonly key: string;
}

function keyOf(kind: TrialIdentityKind, value: string): TrialIdentityKey {
  return { kind, key: `${kind}:${createHash('sha256').update(value).digest('hex')}` };
}

/**
 * The keys a trial is claimed under: the customer's Telegram id and normalised e-mail (see {@link normalizeTrialEmail}),
 * and the host's verified phone and device ids. Keys are hashes, so the claims table holds no address or number.
 * A bad `identity` throws `ValidationError`.
 */
export function trialIdentityKeys(
  customer: { email: string | null; telegramId: string | null },
  identity: TrialIdentity = {},
): TrialIdentityKey[] {
  const parsed = parseInput(TrialIdentitySchema, identity, 'trial identity');
  const keys: TrialIdentityKey[] = [];
  const telegramIds = new Set([customer.telegramId?.trim() ?? '', parsed.telegramId ?? '']);
  for (const id of telegramIds) if (id !== '') keys.push(keyOf('telegram', id));
  const email = customer.email === null ? null : normalizeTrialEmail(customer.email);
  if (email !== null) keys.push(keyOf('email', email));
  if (parsed.phone !== undefined) keys.push(keyOf('phone', parsed.phone));
  for (const hwid of new Set(parsed.hwids ?? [])) keys.push(hwidTrialKey(hwid));
  return keys;
}

/** The key a device's hardware id is claimed under (the id as the app sent it, trimmed). */
export function hwidTrialKey(hwid: string): TrialIdentityKey {
  return keyOf('hwid', hwid.trim());
}
