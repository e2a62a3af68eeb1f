/**
 * `@panelkit/sdk/gifts`: gift subscriptions. A customer buys a plan as a gift from their wallet (`kit.gifts.buy`);
 * the gift's code is claimed once by another customer (`kit.gifts.claim`), who gets an order of the plan and its
 * subscription, provisioned like any purchase; a gift unclaimed in time goes back to the giver's wallet (the
 * scheduler's tick, or `kit.gifts.expireDue`). The records, their schemas, the requests and the refusal reasons.
 *
 * @module
 */
export {
  GIFT_CODE_ALPHABET,
  GIFT_CODE_LENGTH,
  GIFT_STATUSES,
  GiftClaimSchema,
  GiftCodeSchema,
  GiftSchema,
  NewGiftSchema,
  normalizeGiftCode,
} from './domain/gift.js';
export type { Gift, GiftClaim, GiftStatus, NewGift } from './domain/gift.js';
export { BuyGiftRequestSchema, ClaimGiftRequestSchema, MAX_GIFT_VALID_DAYS } from './engine/gifts.js';
export type {
  BuyGiftRequest,
  BuyGiftResult,
  ClaimGiftRequest,
  ClaimGiftResult,
  GiftClaimRefusal,
  GiftPurchaseRefusal,
} from './engine/gifts.js';
export type { PanelkitGifts } from './panelkit.js';
