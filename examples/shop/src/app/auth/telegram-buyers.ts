import { ConflictError, type Customer, type Money, type NewCustomer, type PriceBookEntry } from '@panelkit/sdk';
import type { CustomerWithPriceBook } from '@panelkit/sdk/storage';
import type { User } from 'grammy/types';
import type { Locale } from '../../i18n/translate.js';
import type { Shop } from '../shop.js';
import { TelegramLinkStore, type TelegramLink } from '../../db/telegram-links.js';
import type { NewSenderQuery, NewSenderRead } from '../../db/telegram-updates.js';
import { localeOfLanguageCode } from '../../i18n/language-choice.js';
import { newAccountsSlowed, newTelegramAccounts, takeNewAccountSlot } from './new-account-throttle.js';

/** The customer's own id for a buyer who came through Telegram first (unique in the engine). */
export function telegramExternalRef(telegramUserId: string): string {
  return `telegram:${telegramUserId}`;
}

/**
 * The sign-in email of the account a Mini App gives a Telegram buyer who has no web account: on the reserved
 * `.invalid` domain (RFC 2606), so it reaches nobody and no one can sign up with it.
 */
export function telegramAccountEmail(telegramUserId: string): string {
  return `telegram-${telegramUserId}@telegram.invalid`;
}

/** Whether an account's email is one {@link telegramAccountEmail} made (an account Telegram signs in, no password). */
export function isTelegramAccountEmail(email: string): boolean {
  return /^telegram-[0-9]+@telegram\.invalid$/.test(email);
}

/** The language a new buyer starts in: their Telegram's (`ru`, `zh-hans` → `zh`) when the shop speaks it, else English. */
export function localeOfTelegramUser(user: Pick<User, 'language_code'>): Locale {
  return localeOfLanguageCode(user.language_code) ?? 'en';
}

/** The subject the new-accounts limit counts Telegram's first contacts under: one, shop-wide. */
const TELEGRAM_ACCOUNTS = 'telegram';

/** The customer a Telegram user's first contact makes: keyed by their Telegram id, named and speaking as their Telegram. */
function newTelegramCustomer(user: User, storefrontId: string | null): NewCustomer {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ').slice(0, 200) || null;
  return {
    externalRef: telegramExternalRef(String(user.id)),
    telegramId: String(user.id),
    name,
    locale: localeOfTelegramUser(user),
    ...(storefrontId === null ? {} : { storefrontId }),
  };
}

/**
 * What an update's claim reads for a Telegram user who may have no link yet (`TelegramUpdateLog.claimReadingLink`):
 * their customer by {@link telegramExternalRef}, and the new-accounts slot under the shop's limit when there is none.
 * `create`: the claim also makes and links the customer {@link customerOfTelegramUser} would make for them (the
 * owner's buyer), when it takes their slot. The bot asks it for a `/start`, nearly every first contact: the others
 * are made as before, and no other update builds a customer it will not make.
 */
export function newTelegramSender(shop: Shop, user: User, create: boolean): NewSenderQuery {
  const rule = newTelegramAccounts(shop.config.telegramNewAccountsPerMinute);
  return {
    externalRef: telegramExternalRef(String(user.id)),
    slot: rule === null ? null : { rule, subject: TELEGRAM_ACCOUNTS },
    ...(create ? { create: { customer: newTelegramCustomer(user, null), username: user.username ?? null } } : {}),
  };
}

/**
 * The customer keyed by the user's Telegram id, and whether this call made it (their first contact). `read`: that
 * customer and the slot as the update's claim read and took them ({@link newTelegramSender}), else looked up and taken
 * here. The existing customer comes with its price book when the claim read it.
 */
async function customerByRef(
  shop: Shop,
  user: User,
  storefrontId: string | null,
  read: NewSenderRead | undefined,
): Promise<{ customer: Customer; created: boolean; withPriceBook?: CustomerWithPriceBook }> {
  if (read?.customer != null) return { customer: read.customer.customer, created: false, withPriceBook: read.customer };
  if (read?.made !== undefined) return { customer: read.made.customer, created: true };
  const ref = telegramExternalRef(String(user.id));
  // First contact of a Telegram user: new accounts through Telegram are limited shop-wide (Telegram gives no network),
  // and only a user with no customer yet takes a slot, so the limit needs the lookup first (the claim's, or here).
  // Without a limit the insert is the lookup (a taken ref is a `ConflictError`): a first contact's customer is one
  // statement.
  const rule = newTelegramAccounts(shop.config.telegramNewAccountsPerMinute);
  if (rule !== null) {
    if (read === undefined) {
      const existing = await shop.storage.customers.getByExternalRef(ref);
      if (existing !== null) return { customer: existing, created: false };
    }
    const slot = read?.slot ?? (await takeNewAccountSlot(shop, rule, TELEGRAM_ACCOUNTS));
    if (!slot.allowed) throw newAccountsSlowed(slot.retryAfterMs);
  }
  try {
    const customer = await shop.kit.customers.create(newTelegramCustomer(user, storefrontId));
    return { customer, created: true };
  } catch (error) {
    // Made before (an imported buyer, a first contact whose link was not written), or two first updates at once:
    // the existing customer, the winner's.
    const existing = ConflictError.is(error) ? await shop.storage.customers.getByExternalRef(ref) : null;
    if (existing === null) throw error;
    return { customer: existing, created: false };
  }
}

/** What was read of a Telegram user just before {@link customerOfTelegramUser} (the update's claim reads it). */
export interface TelegramSenderRead {
  /** The user's link (`null`: none). */
  link: TelegramLink | null;
  /** That link's customer with its price book, as read with the link; absent: not read. */
  customer?: CustomerWithPriceBook | null;
  /** With no link: the customer keyed by the user's Telegram id and the new account's slot ({@link newTelegramSender}); absent: not read. */
  newSender?: NewSenderRead;
}

/**
 * The customer a Telegram user acts as: the linked one, else one keyed by their Telegram id
 * (created on first contact and linked; a `too_many_requests` `ShopError` while new Telegram users are
 * slowed: `newTelegramAccounts`). Safe under concurrent first updates. `read`: the user's link as read just before
 * (the update's claim reads it, with its customer, and for a user with no link their customer by reference and the
 * new account's slot), else it is read here. `storefrontId`: the storefront a customer made now
 * is the buyer of (a Mini App opened after that storefront's web address, as a web sign-up from it: `newAccountStorefrontOf`);
 * `null`, the owner's. An existing customer is never moved. The customer's price book comes in the same read
 * (`kit.customers.withPriceBook`; empty, and not read, for the customer made now), for the screens that price plans,
 * and its balances (not read for the customer made now); the customer read with `read`'s link (or by reference) is
 * used when it is the link's.
 */
export async function customerOfTelegramUser(
  shop: Shop,
  links: TelegramLinkStore,
  user: User,
  chatId: string,
  read?: TelegramSenderRead,
  storefrontId: string | null = null,
): Promise<{ link: TelegramLink; customer: Customer; priceBook: PriceBookEntry[]; balances?: Money[] }> {
  const telegramUserId = String(user.id);
  const known = read !== undefined && (read.link === null || read.link.telegramUserId === telegramUserId) ? read : undefined;
  let link = known === undefined ? await links.byTelegramUser(telegramUserId) : known.link;
  let knownCustomer = known?.customer;
  if (link === null) {
    const { customer, created, withPriceBook } = await customerByRef(shop, user, storefrontId, known?.newSender);
    // The claim that made the customer linked it too, unless the user was linked meanwhile (then read that link).
    link =
      known?.newSender?.made?.link ??
      (await links.linkIfNew({ telegramUserId, chatId, customerId: customer.id, username: user.username ?? null }));
    // The customer this call made and linked has no price book yet: nothing to read back.
    if (created && link.customerId === customer.id) return { link, customer, priceBook: [] };
    knownCustomer = withPriceBook;
  }
  // The customer read with the link (the update's claim), or by reference, serves when it is this link's.
  if (knownCustomer != null && knownCustomer.customer.id === link.customerId) return { link, ...knownCustomer };
  return { link, ...(await shop.kit.customers.withPriceBook(link.customerId)) };
}

/** Whether a Telegram user acts as this customer (a bot or Mini App buyer, or a web buyer who linked their Telegram). */
export async function telegramIsLinked(shop: Shop, customerId: string): Promise<boolean> {
  return (await new TelegramLinkStore(shop.db, shop.shopSchema, shop.clock).byCustomer(customerId)) !== null;
}

export type DeepLinkResult = 'linked' | 'already' | 'expired' | 'has_own_purchases';

/**
 * `/start <token>` from the web account page: the Telegram user now acts as that web customer.
 * Refused (token kept) when the user's current customer has its own money or subscriptions, so
 * nothing is stranded on a customer nobody can reach.
 */
export async function linkByToken(shop: Shop, links: TelegramLinkStore, current: TelegramLink, token: string): Promise<DeepLinkResult> {
  const target = await links.peekToken(token);
  if (target === null) return 'expired';
  if (target === current.customerId) return 'already';
  const [entries, subs] = await Promise.all([
    shop.storage.ledger.list(current.customerId, { limit: 1 }),
    shop.storage.subscriptions.listByCustomer(current.customerId, { limit: 1 }),
  ]);
  if (entries.items.length > 0 || subs.items.length > 0) return 'has_own_purchases';
  const customerId = await links.useToken(token);
  if (customerId === null) return 'expired';
  await links.relink({ ...current, customerId });
  return 'linked';
}
