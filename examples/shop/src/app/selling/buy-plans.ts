import type { CheckoutQuote, CheckoutResult } from '@panelkit/sdk';
import type { BuiltChoice } from '@panelkit/sdk/plan-builder';
import { checkoutRefusal, type Refusal } from '../subscriptions/refusals.js';
import type { Shop } from '../shop.js';
import { TelegramLinkStore } from '../../db/telegram-links.js';

/** One line of a purchase as a buyer asks for it, in any channel. */
export interface PurchaseLine {
  planId: string;
  quantity: number;
  trial: boolean;
  autoRenew: boolean;
  /** A plan the buyer composes: the parts chosen (priced by `quoteBuiltPlan`, one subscription per location). */
  choice?: BuiltChoice | undefined;
  /** A fixed plan pinned to one of the locations it offers (`kit.planLocations`). */
  location?: string | undefined;
}

/** A purchase: its lines, the key that makes a resend (double click, retried request, redelivered tap) buy once, and a code. */
export interface PurchaseRequest {
  items: readonly PurchaseLine[];
  idempotencyKey: string;
  /** A discount code as typed; empty or absent: none. The engine judges it. */
  discountCode?: string | undefined;
  /**
   * A phone number the channel itself verified (in the bot: the contact Telegram shares of the sender's own account),
   * in E.164; it makes a trial whose plan asks for a verified phone (`requirePhone`) claimable, once per number.
   */
  verifiedPhone?: string | undefined;
}

/** What buying came to: the order (`replayed` when the key had bought already), or why nothing was charged. */
export type Purchase = { ok: true; result: CheckoutResult } | { ok: false; refusal: Refusal };

/** What a purchase would cost (with the code's discount, or why the code does not apply), or why it cannot be bought. */
export type PurchaseQuote = { ok: true; quote: CheckoutQuote } | { ok: false; refusal: Refusal };

/** A line as the engine takes it: a choice and a location only when there is one. */
const lineOf = ({ choice, location, ...line }: PurchaseLine) => ({
  ...line,
  ...(choice === undefined ? {} : { choice }),
  ...(location === undefined ? {} : { location }),
});

const codeOf = (code: string | undefined) => (code === undefined || code === '' ? {} : { discountCode: code });

/**
 * What the shop knows of a trial taker beyond the customer record: the Telegram account linked to it (a web buyer who
 * linked the bot), so a trial taken in the bot and one taken on the web by the same Telegram user are one person.
 */
async function trialIdentityOf(
  shop: Shop,
  customerId: string,
  verifiedPhone: string | undefined,
): Promise<{ telegramId?: string; phone?: string } | undefined> {
  const link = await new TelegramLinkStore(shop.db, shop.shopSchema, shop.clock).byCustomer(customerId);
  const identity = {
    ...(link === null ? {} : { telegramId: link.telegramUserId }),
    ...(verifiedPhone === undefined ? {} : { phone: verifiedPhone }),
  };
  return Object.keys(identity).length === 0 ? undefined : identity;
}

/**
 * Buys plans from the buyer's wallet: one order, its debit and its subscriptions, once per key (the engine's
 * checkout). The one use case behind the web checkout, `POST /api/v1/checkout` and the bot's buy buttons.
 */
export async function buyPlansFor(shop: Shop, customerId: string, request: PurchaseRequest): Promise<Purchase> {
  try {
    const trialIdentity = request.items.some((item) => item.trial)
      ? await trialIdentityOf(shop, customerId, request.verifiedPhone)
      : undefined;
    const result = await shop.kit.checkout({
      customerId,
      items: request.items.map(lineOf),
      idempotencyKey: request.idempotencyKey,
      ...codeOf(request.discountCode),
      ...(trialIdentity === undefined ? {} : { trialIdentity }),
      actor: { type: 'customer', id: customerId },
    });
    return { ok: true, result };
  } catch (error) {
    const refusal = checkoutRefusal(error);
    if (refusal === null) throw error;
    return { ok: false, refusal };
  }
}

/** Prices a purchase without charging anything (the engine's quote): the web's "apply code", the API's quote, the bot's offers. */
export async function quotePlansFor(
  shop: Shop,
  customerId: string,
  request: Pick<PurchaseRequest, 'items' | 'discountCode'>,
): Promise<PurchaseQuote> {
  try {
    const quote = await shop.kit.quoteCheckout({
      customerId,
      items: request.items.map(lineOf),
      ...codeOf(request.discountCode),
    });
    return { ok: true, quote };
  } catch (error) {
    const refusal = checkoutRefusal(error);
    if (refusal === null) throw error;
    return { ok: false, refusal };
  }
}
