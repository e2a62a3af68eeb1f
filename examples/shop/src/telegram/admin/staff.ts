import type { Actor } from '@panelkit/sdk';
import { roleMayUse } from '../../app/auth/staff-roles.js';
import { ShopError } from '../../app/shop-error.js';
import type { Shop } from '../../app/shop.js';
import type { BotUser } from '../context.js';

/** A bot admin as staff: the role the web would give them, and the actor their decisions are recorded under. */
export interface BotStaff {
  role: 'admin' | 'support';
  actor: Actor;
}

/** The actor id of a bot admin with no staff account of their own (payments and audit name them by it). */
export function telegramReviewer(telegramUserId: string): string {
  return `telegram:${telegramUserId}`;
}

/**
 * Who a bot admin (listed in `TELEGRAM_ADMIN_IDS`) is as staff. Linked to a web staff account, they act as that
 * account, with its role (support staff keep support's limits in the bot too) and its id in the audit log;
 * otherwise the operator listed them, and they act as an owner under `telegram:<id>`.
 */
export async function botStaffOf(shop: Shop, user: BotUser): Promise<BotStaff> {
  if (!user.isAdmin) throw new ShopError('forbidden', 'telegram.notYours');
  return staffOfTelegramAdmin(shop, user.telegramUserId, user.customer.id);
}

/** {@link botStaffOf} for a listed admin known by their Telegram id and the customer they act as (host jobs). */
export async function staffOfTelegramAdmin(shop: Shop, telegramUserId: string, customerId: string | null): Promise<BotStaff> {
  const account = customerId === null ? null : await shop.accounts.getByCustomer(customerId);
  if (account !== null && (account.role === 'admin' || account.role === 'support'))
    return { role: account.role, actor: { type: 'admin', id: account.id } };
  return { role: 'admin', actor: { type: 'admin', id: telegramReviewer(telegramUserId) } };
}

/**
 * Refuses (`forbidden`) what the web would refuse this role: `path` is the web route the bot action mirrors, checked
 * against the one table of staff routes (`STAFF_ROUTES`).
 */
export function assertStaffMay(staff: BotStaff, method: 'GET' | 'POST', path: string): void {
  if (!roleMayUse(staff.role, method, path)) throw new ShopError('forbidden', 'telegram.admin.forbidden');
}
