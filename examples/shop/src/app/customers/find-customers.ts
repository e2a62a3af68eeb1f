import type { Customer } from '@panelkit/sdk';
import type { AccountRole } from '../../db/accounts.js';
import { searchCustomers } from '../../db/customer-search.js';
import { TelegramLinkStore } from '../../db/telegram-links.js';
import { telegramExternalRef } from '../auth/telegram-buyers.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';

/** One customer an admin's search found. */
export interface FoundCustomer {
  customerId: string;
  /** The web account's email, else the customer's own; `null` for a buyer who only ever used the bot. */
  email: string | null;
  /** The web account's role; `null` without a web account. */
  role: AccountRole | null;
  name: string | null;
  createdAt: Date;
}

/** What an admin typed, read as one kind of lookup. */
export type CustomerQuery =
  | { kind: 'all' }
  | { kind: 'telegram_id'; telegramUserId: string }
  | { kind: 'username'; username: string }
  | { kind: 'email'; text: string };

/** The longest query either channel takes. */
export const CUSTOMER_QUERY_MAX = 100;

/**
 * Reads a search: `@name` is a Telegram username, digits a Telegram user id, anything else part of an email
 * (as the web's search always read it). Longer than {@link CUSTOMER_QUERY_MAX}, or an `@` with no valid
 * username after it, is `invalid_input`.
 */
export function readCustomerQuery(raw: string): CustomerQuery {
  const text = raw.trim();
  if (text.length > CUSTOMER_QUERY_MAX) throw new ShopError('invalid_input', 'adminOps.find.invalid');
  if (text === '') return { kind: 'all' };
  if (/^[0-9]{1,20}$/.test(text)) return { kind: 'telegram_id', telegramUserId: text };
  if (text.startsWith('@')) {
    // Telegram usernames: 5-32 characters of a-z, 0-9 and _, starting with a letter.
    if (!/^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(text)) throw new ShopError('invalid_input', 'adminOps.find.invalid');
    return { kind: 'username', username: text.slice(1) };
  }
  return { kind: 'email', text };
}

/** The one customer a query names exactly: a Telegram user, or a customer's own email (one with no web account too). */
async function exactMatch(shop: Shop, query: CustomerQuery): Promise<Customer | null> {
  if (query.kind === 'email') return query.text.includes('@') ? shop.storage.customers.getByEmail(query.text.toLowerCase()) : null;
  const links = new TelegramLinkStore(shop.db, shop.shopSchema, shop.clock);
  if (query.kind === 'username') {
    const link = await links.byUsername(query.username);
    return link === null ? null : shop.storage.customers.get(link.customerId);
  }
  if (query.kind !== 'telegram_id') return null;
  // The customer the Telegram user acts as now (a web customer after a deep link), else the one the bot made for them.
  const link = await links.byTelegramUser(query.telegramUserId);
  if (link !== null) return shop.storage.customers.get(link.customerId);
  return shop.storage.customers.getByExternalRef(telegramExternalRef(query.telegramUserId));
}

/**
 * An admin's customer search, the same for the web's customer list and the bot's `/find`: the customer the text
 * names exactly (a Telegram id or `@username`, an email) first, then the accounts whose email contains the text,
 * newest first, a page at a time (the first page holds the exact match on top of `limit` others).
 */
export async function findCustomers(
  shop: Shop,
  input: { query: string; limit: number; offset: number },
): Promise<{ query: CustomerQuery; items: FoundCustomer[]; hasMore: boolean }> {
  const query = readCustomerQuery(input.query);
  const items: FoundCustomer[] = [];
  const telegram = input.offset === 0 ? await exactMatch(shop, query) : null;
  if (telegram !== null) {
    const account = await shop.accounts.getByCustomer(telegram.id);
    items.push({
      customerId: telegram.id,
      email: account?.email ?? telegram.email,
      role: account?.role ?? null,
      name: telegram.name,
      createdAt: telegram.createdAt,
    });
  }
  if (query.kind === 'username') return { query, items, hasMore: false };
  const text = query.kind === 'all' ? '' : query.kind === 'email' ? query.text : query.telegramUserId;
  const found = await searchCustomers(shop.db, shop.shopSchema, { query: text, limit: input.limit, offset: input.offset });
  for (const row of found.items) {
    if (row.customerId === telegram?.id) continue;
    items.push({ customerId: row.customerId, email: row.email, role: row.role, name: null, createdAt: row.createdAt });
  }
  // The exact match comes on top of a full page (not in place of its last row, which page 2 would then skip).
  return { query, items, hasMore: found.hasMore };
}
