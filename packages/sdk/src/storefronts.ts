/**
 * `@panelkit/sdk/storefronts`: resellers who run their own storefront on the owner's panels. A storefront
 * (`kit.storefronts`) sells the plans on its menu at its retail prices to its own buyers (`Customer.storefrontId`);
 * each sale (a checkout, and every later charge: extension, auto-renewal, plan change, device pack, traffic top-up, gift),
 * in that charge's one transaction, debits the reseller's wallet at their price book (their credit limit
 * applies) and credits the retail collected for them, with a volume tier's bonus, to their payout balance: they
 * earn the margin, the owner keeps the wholesale. Partners ask for withdrawals of that balance (`kit.payouts`; a
 * reseller's keeps what their wallet owes), which the owner approves and pays or refuses. The records, their
 * schemas, the pure rules, the refusal reasons and the figures.
 *
 * @module
 */
export {
  CommissionTierSchema,
  MAX_COMMISSION_TIERS,
  MenuItemSchema,
  NewMenuItemSchema,
  NewStorefrontSaleSchema,
  NewStorefrontSchema,
  STOREFRONT_SALE_KINDS,
  STOREFRONT_SALE_SOURCES,
  STOREFRONT_STATUSES,
  StorefrontPatchSchema,
  StorefrontQuotasSchema,
  StorefrontSaleSchema,
  StorefrontSchema,
} from './domain/storefront.js';
export type {
  CommissionTier,
  MenuItem,
  NewMenuItem,
  NewStorefront,
  NewStorefrontSale,
  Storefront,
  StorefrontPatch,
  StorefrontQuotas,
  StorefrontQuotasInput,
  StorefrontSale,
  StorefrontSaleSource,
  StorefrontStatus,
  StorefrontUsage,
} from './domain/storefront.js';
export {
  NewPayoutEntrySchema,
  NewWithdrawalSchema,
  PAYOUT_ENTRY_KINDS,
  PAYOUT_KIND_SIGN,
  PayoutEntrySchema,
  WITHDRAWAL_STATUSES,
  WITHDRAWAL_TRANSITIONS,
  WithdrawalSchema,
  WithdrawalTransitionSchema,
} from './domain/payout.js';
export type {
  NewPayoutEntry,
  NewWithdrawal,
  PayoutEntry,
  PayoutEntryKind,
  Withdrawal,
  WithdrawalStatus,
  WithdrawalTransition,
} from './domain/payout.js';
export {
  commissionBonusBps,
  decideStorefrontSale,
  reverseStorefrontSplit,
  splitStorefrontSale,
  takesDiscountCodes,
} from './rules/storefront.js';
export type { StorefrontRefusalReason, StorefrontSaleSize, StorefrontSplit } from './rules/storefront.js';
export { StorefrontRefusedError } from './engine/storefront-sale.js';
export { MoveBuyerRequestSchema } from './engine/storefronts.js';
export type { MoveBuyerRequest, StorefrontCatalogItem, StorefrontUsageReport } from './engine/storefronts.js';
export { PayoutCreditSchema, WithdrawalRefusedError, WithdrawalRequestSchema } from './engine/payouts.js';
export type { PayoutCredit, PayoutPosition, WithdrawalRefusalReason, WithdrawalRequest, WithdrawalStepResult } from './engine/payouts.js';
export type { ResellerFigures, StorefrontFigures, StorefrontSplitFigures } from './engine/storefront-figures.js';
export type { StorefrontPeriodTotals } from './ports/storage-storefronts.js';
export type { PanelkitPayouts, PanelkitStorefronts } from './engine/storefront-kit.js';
export type { PlanChangeOption } from './engine/plan-change-options.js';
