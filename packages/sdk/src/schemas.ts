/**
 * `@panelkit/sdk/schemas`: the zod schemas behind the domain types and the kit's requests, for a host that
 * validates input at its own edge (a form, an import file) with the same rules the kit applies. The kit parses
 * its own input; a shop does not need these to call it.
 *
 * @module
 */
export { ActorSchema, BytesSchema, IdSchema, JsonObjectSchema, JsonValueSchema, PageRequestSchema, TagSchema } from './domain/common.js';
export { CurrencySchema, MoneySchema, NonNegativeMoneySchema } from './domain/money.js';
export {
  NewPanelSchema,
  PanelCredentialsSchema,
  PanelHealthSchema,
  PanelHealthStatusSchema,
  PanelKindSchema,
  PanelPatchSchema,
  PanelSchema,
} from './domain/panel.js';
export { NewTargetSchema, TargetPatchSchema, TargetSchema, TargetSettingsSchema } from './domain/target.js';
export {
  ExtensionPolicySchema,
  NewPlanSchema,
  PlacementPolicySchema,
  PlanPatchSchema,
  PlanSchema,
  TrafficTopUpSchema,
  TrialSchema,
} from './domain/plan.js';
export { CustomerPatchSchema, CustomerSchema, NewCustomerSchema } from './domain/customer.js';
export { LedgerEntrySchema, LedgerKindSchema, NewLedgerEntrySchema } from './domain/ledger.js';
export { NewOrderSchema, OrderItemSchema, OrderPatchSchema, OrderSchema, OrderStatusSchema } from './domain/order.js';
export { RemoteIdentitySchema } from './domain/remote-identity.js';
export { EntitlementKindSchema, EntitlementKindsSchema, MtprotoSecretCoreSchema, WireGuardKeySchema } from './domain/entitlement.js';
export { SubscriptionStatusSchema } from './domain/subscription-status.js';
export {
  NewSubscriptionSchema,
  PanelUsageReadingSchema,
  SubscriptionPatchSchema,
  SubscriptionSchema,
  UsageReadingSchema,
} from './domain/subscription.js';
export { SubscriptionTermsSchema } from './domain/subscription-terms.js';
export { DeviceInfoSchema, DeviceSchema, NoHwidPolicySchema } from './domain/device.js';
export { JobSchema, JobStateSchema, NewJobSchema, SerializedErrorSchema } from './domain/job.js';
export { AuditEventSchema, NewAuditEventSchema } from './domain/audit.js';
export {
  DiscountCodePatchSchema,
  DiscountCodeSchema,
  DiscountCodeTextSchema,
  DiscountRedemptionSchema,
  DiscountUseSchema,
  DiscountValueSchema,
  NewDiscountCodeSchema,
  NewDiscountRedemptionSchema,
} from './domain/discount.js';
export { NewReferralSchema, ReferralProgramSchema, ReferralSchema } from './domain/referral.js';
export { CreditLimitSchema, NewPriceBookEntrySchema, PriceBookEntrySchema } from './domain/price-book.js';
export { ExternalRefSchema, ImportedPaymentSchema, NewPaymentSchema, PaymentPatchSchema, PaymentSchema } from './domain/payment.js';
export { NewSavedPaymentMethodSchema, SavedPaymentMethodSchema } from './domain/payment-method.js';
export { PaymentRefundRecordSchema } from './domain/payment-refund.js';
export { RefundPaymentSchema } from './engine/payments/refunds.js';
export { ChargeSavedMethodSchema } from './engine/payments/saved-methods.js';
export { CheckoutItemSchema, CheckoutRequestSchema } from './engine/checkout.js';
export { ExtendRequestSchema } from './engine/extension.js';
export { ExtendBundleRequestSchema } from './engine/bundle-extension.js';
export { BuyTrafficRequestSchema } from './engine/traffic-top-up.js';
export { ChangePlanRequestSchema } from './engine/plan-change.js';
export { ApplyCurrentTermsRequestSchema } from './engine/current-terms.js';
export { MoneyMovementSchema, SubscriptionActionSchema } from './engine/operations.js';
export { AdjustmentSchema } from './engine/adjust.js';
export { CheckoutQuoteRequestSchema } from './engine/checkout-quote.js';
export { RecordReferralRequestSchema } from './engine/referral.js';
export { RefundRequestSchema } from './engine/refund.js';
export {
  ImportBatchSchema,
  ImportCustomerSchema,
  ImportOptionsSchema,
  ImportPlanSchema,
  ImportServiceSchema,
  ImportSkippedRowSchema,
} from './engine/import/import-batch.js';
export { EvacuationRequestSchema } from './engine/evacuation/evacuate.js';
export { PaymentActionSchema, StartPaymentSchema } from './engine/payments/paths.js';
export { CalendarDaySchema, SalesFiguresQuerySchema } from './domain/sales.js';
