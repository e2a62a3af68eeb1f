import { isIP } from 'node:net';
import type { SqlQueryable } from '@panelkit/storage-postgres';
import { signInThrottleOf, type ThrottleRule, type ThrottleVerdict } from '../../db/sign-in-throttle.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';

/**
 * New accounts from one network (an IPv4 /24 or an IPv6 /64) per 10 minutes; past ten, one a minute. A delay and not
 * a wall: a farm making 20 accounts a minute from one network is slowed to one a minute, while a shared network (a
 * carrier's NAT, an office) still gets its next sign-up within a minute. Counted in PostgreSQL, so every replica counts
 * the same.
 */
export const NEW_ACCOUNTS_PER_NETWORK = { limit: 10, windowMs: 10 * 60_000, thenOneEveryMs: 60_000 } as const;

/**
 * New Telegram users (first contact with the bot or the Mini App) per minute, shop-wide (`perMinute`, the config's
 * `TELEGRAM_NEW_ACCOUNTS_PER_MINUTE`, default 30; 0: none): Telegram tells nothing of a user's network, so the bot's
 * farm is limited as one. Past the limit, one every 2 seconds.
 */
export function newTelegramAccounts(perMinute: number): ThrottleRule | null {
  return perMinute === 0 ? null : { kind: 'new-account', limit: perMinute, windowMs: 60_000, thenOneEveryMs: 2_000 };
}

/** The network an address belongs to, as the limit counts it: `a.b.c.0/24` for IPv4, the first four groups `/64` for IPv6. */
export function networkOf(ip: string | undefined): string {
  const address = (ip ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (isIP(address) === 4) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIP(address) === 6) {
    const [head = '', tail = ''] = address.toLowerCase().split('::');
    const left = head === '' ? [] : head.split(':');
    const right = tail === '' ? [] : tail.split(':');
    const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
    return `${groups
      .slice(0, 4)
      .map((g) => Number.parseInt(g || '0', 16).toString(16))
      .join(':')}::/64`;
  }
  return 'unknown';
}

/** Takes a slot for one new account under `rule` for `subject` (a network, or `telegram`), on `db` when given. */
export function takeNewAccountSlot(shop: Shop, rule: ThrottleRule, subject: string, db?: SqlQueryable): Promise<ThrottleVerdict> {
  return signInThrottleOf(shop).take(rule, subject, db);
}

/** The refusal a slowed sign-up answers with (429 on the web, a message in the bot): it names no account. */
export function newAccountsSlowed(retryAfterMs: number): ShopError {
  return new ShopError('too_many_requests', 'auth.newAccountsSlowed', { seconds: Math.ceil(retryAfterMs / 1000) });
}
