import type { Customer } from '@panelkit/sdk';

/** A storefront as its bot needs it: whether it sells, the name the owner gave it, and who runs it. */
export interface StorefrontView {
  id: string;
  name: string;
  status: 'active' | 'suspended';
  /** The reseller's customer id (the shop account whose linked Telegram user gets the back office in the bot). */
  resellerId: string;
}

/**
 * What a storefront's bot reads of the SDK's storefronts (`kit.storefronts`): the storefront and its buyers. Its
 * catalog is the buyer's (`buyerCatalog`: a storefront's buyer sees its menu at retail), and sales go through the
 * engine's checkout, which prices a storefront buyer at the retail price and splits the money (`buyPlansFor`).
 */
export interface StorefrontSales {
  /** The storefront, or `null` when there is none with this id. */
  storefront(storefrontId: string): Promise<StorefrontView | null>;
  /** A new customer who is this storefront's buyer (`customers.storefrontId`). */
  createBuyer(storefrontId: string, input: { externalRef: string; name: string | null; locale: string }): Promise<Customer>;
}
