import type { Customer, Money, Plan } from '@panelkit/sdk';

/** A storefront as its bot needs it: whether it sells, and the name the owner gave it. */
export interface StorefrontView {
  id: string;
  name: string;
  status: 'active' | 'suspended';
}

/** A plan a storefront sells, at its retail price. */
export interface StorefrontOffer {
  plan: Plan;
  retail: Money;
}

/**
 * What a storefront's bot reads of the SDK's storefronts (`kit.storefronts`): the storefront, its menu, and its
 * buyers. Sales themselves go through the engine's checkout, which prices a storefront buyer at the retail price
 * and splits the money (`buyPlansFor`).
 */
export interface StorefrontSales {
  /** The storefront, or `null` when there is none with this id. */
  storefront(storefrontId: string): Promise<StorefrontView | null>;
  /** Its menu: the plans on sale it sells, at its retail prices, in the owner's plan order. */
  offers(storefrontId: string): Promise<StorefrontOffer[]>;
  /** A new customer who is this storefront's buyer (`customers.storefrontId`). */
  createBuyer(storefrontId: string, input: { externalRef: string; name: string | null; locale: string }): Promise<Customer>;
}
