import { passwordResetUrl } from '../../config/public-addresses.js';
import type { Account } from '../../db/accounts.js';
import { passwordResetsOf, type ResetIssuer } from '../../db/password-resets.js';
import { hashToken } from '../../db/sessions.js';
import { isLocale, translator } from '../../i18n/translate.js';
import type { NotificationChannel } from '../notifications/channel.js';
import type { Shop } from '../shop.js';
import { hashPassword } from './password.js';
import { isStaffRole } from './staff-roles.js';

/** Links sent to one account per hour at most (the per-address limit on the route comes on top). */
export const RESETS_PER_HOUR = 3;

/** The reset page's address for a token; `null` when the shop does not know its public address. */
export function resetUrl(shop: Shop, token: string): string | null {
  return passwordResetUrl(shop.config, token);
}

/**
 * A buyer forgot their password: when the email has an account (and it has not had too many links
 * this hour), a one-time link goes to every channel that reaches it (email, the linked Telegram
 * chat). The caller answers the same way whatever happened, so the answer says nothing about
 * which emails have accounts: it does not wait for the sending either (an SMTP round trip would
 * show in the answer's time), only for the checks and the token's row. `sending` settles with how
 * many messages went out (for tests and logs only); it never rejects.
 */
export async function requestPasswordReset(
  shop: Shop,
  channels: readonly NotificationChannel[],
  email: string,
): Promise<{ sending: Promise<number> }> {
  const log = shop.logger.child({ component: 'password-reset' });
  const account = await shop.accounts.getByEmail(email);
  const none = { sending: Promise.resolve(0) };
  if (account === null || channels.length === 0 || shop.config.publicUrl === null) return none;
  const store = passwordResetsOf(shop);
  if ((await store.issuedSince(account.id, new Date(shop.clock.now().getTime() - 3_600_000))) >= RESETS_PER_HOUR) {
    log.warn({ accountId: account.id }, 'password reset refused: too many links this hour');
    return none;
  }
  const targets: { channel: NotificationChannel; address: string }[] = [];
  for (const channel of channels) {
    for (const address of await channel.addressesOf({ kind: 'customer', customerId: account.customerId }))
      targets.push({ channel, address });
  }
  if (targets.length === 0) return none;
  const { token } = await store.issue(account.id, targets.some((x) => x.channel.name === 'email') ? 'email' : 'telegram');
  const message = await resetMessage(shop, account, token);
  // Sent now rather than through the notification outbox: the outbox keeps messages, and this one holds a live credential.
  // A lost message costs the buyer one more request.
  const sendOne = async ({ channel, address }: { channel: NotificationChannel; address: string }): Promise<number> => {
    try {
      await channel.send(address, message, `pwreset-${hashToken(token).slice(0, 16)}-${channel.name}`);
      return 1;
    } catch (error) {
      log.error({ err: error, channel: channel.name, accountId: account.id }, 'could not send a password reset link');
      return 0;
    }
  };
  return { sending: Promise.all(targets.map(sendOne)).then((counts) => counts.reduce((a, b) => a + b, 0)) };
}

async function resetMessage(shop: Shop, account: Account, token: string): Promise<{ subject: string; text: string }> {
  const locale = (await shop.storage.customers.get(account.customerId))?.locale;
  const t = translator(isLocale(locale) ? locale : 'en');
  return {
    subject: t('credentials.resetMail.subject', { shop: shop.config.shopName }),
    text: t('credentials.resetMail.text', { url: resetUrl(shop, token) ?? '', minutes: t('subscription.duration.minutes', { count: 30 }) }),
  };
}

/**
 * A staff member issues a link for the buyer to use (shown once on the customer's page). Staff accounts are the
 * owner's to manage: support staff may issue links for buyers' accounts only (`null` for a staff account), so a
 * support session cannot take over the owner's or a colleague's account.
 */
export async function issueResetByAdmin(shop: Shop, account: Account, staff: Pick<Account, 'id' | 'role'>): Promise<string | null> {
  if (staff.role !== 'admin' && (staff.role !== 'support' || isStaffRole(account.role))) return null;
  const adminAccountId = staff.id;
  const { token } = await passwordResetsOf(shop).issue(account.id, `admin:${adminAccountId}` as ResetIssuer);
  await shop.storage.audit.append({
    actor: { type: 'admin', id: adminAccountId },
    action: 'account.password_reset_issued',
    subjectType: 'customer',
    subjectId: account.customerId,
    data: {},
  });
  return resetUrl(shop, token) ?? `/reset-password/${token}`;
}

/** Sets a new password with a reset token; `false` when the token is unknown, used or expired (nothing changes then). */
export async function resetPassword(shop: Shop, token: string, password: string): Promise<boolean> {
  const accountId = await passwordResetsOf(shop).redeem(token, await hashPassword(password, shop.passwordCost));
  if (accountId === null) return false;
  const account = await shop.accounts.get(accountId);
  if (account !== null) {
    await shop.storage.audit.append({
      actor: { type: 'customer', id: account.customerId },
      action: 'account.password_reset',
      subjectType: 'customer',
      subjectId: account.customerId,
      data: {},
    });
  }
  return true;
}
