export { buyerPlan } from './buyer-price.js';
export type { TargetSyncOptions, TargetSyncResult } from './target-sync.js';
export type { PanelAdapterFactory } from './adapters.js';
export { DEFAULT_JOB_RETRY } from './policy.js';
export type { EnginePolicy, JobRetryPolicy } from './policy.js';
export { CheckoutItemSchema, CheckoutRequestSchema } from './checkout.js';
export type { CheckoutItem, CheckoutRequest, CheckoutResult } from './checkout.js';
export { ExtendRequestSchema } from './extension.js';
export type { ExtendRequest, ExtendResult, ExtensionQuoteResult } from './extension.js';
export { BuyTrafficRequestSchema, TOP_UP_NEEDS_IN_PLACE } from './traffic-top-up.js';
export type { BuyTrafficRequest, BuyTrafficResult, TrafficTopUpQuoteResult } from './traffic-top-up.js';
export { ChangePlanRequestSchema } from './plan-change.js';
export type { ChangePlanRequest, ChangePlanResult, PlanChangeQuoteResult } from './plan-change.js';
export { ApplyCurrentTermsRequestSchema } from './current-terms.js';
export type { ApplyCurrentTermsRequest, ApplyCurrentTermsResult } from './current-terms.js';
export { MoneyMovementSchema, SubscriptionActionSchema } from './operations.js';
export { AdjustmentSchema } from './adjust.js';
export type { Adjustment } from './adjust.js';
export type { MoneyMovement, SubscriptionAction } from './operations.js';
export type { PanelHealthCheckOptions, PanelHealthResult } from './health.js';
export type { PendingReason } from './pending.js';
export type { AutoRenewRequest } from './auto-renew.js';
export type { SubscriptionCondition, WaitForSubscriptionOptions } from './wait.js';
export type { Worker, WorkerOptions } from './worker.js';
export type { WorkerStep } from './handler.js';
export { JOB_TYPES } from './job-types.js';
export type { EngineJobType } from './job-types.js';
export { CheckoutQuoteRequestSchema } from './checkout-quote.js';
export type { CheckoutQuote, CheckoutQuoteRequest } from './checkout-quote.js';
export { orderPurchaseKey } from './discount.js';
export { RecordReferralRequestSchema } from './referral.js';
export type { RecordReferralRequest, RecordReferralResult } from './referral.js';
export { defineHostJob, enqueueHostJob, enqueuePeriodicHostJob, hostJobId, periodicSlot } from './host-jobs.js';
export type {
  HostJobContext,
  HostJobDefinition,
  HostJobEnqueueOptions,
  HostJobItemRun,
  HostJobRetry,
  HostJobSpec,
  PeriodicStorage,
} from './host-jobs.js';
export { withAuditOutbox } from './audit-outbox.js';
export type { AuditOutboxHook, AuditOutboxManyHook, AuditOutboxOptions } from './audit-outbox.js';
export { RefundRequestSchema } from './refund.js';
export type { RefundRequest, RefundResult } from './refund.js';
export { orderMoney } from './order-money.js';
export type { OrderMoney } from './order-money.js';
export { DEFAULT_STORAGE_RETRY, isRetryableStorageError, withStorageRetry } from './storage-retry.js';
export type { StorageRetryOptions } from './storage-retry.js';
export {
  ImportBatchSchema,
  ImportCustomerSchema,
  ImportOptionsSchema,
  ImportPlanSchema,
  ImportServiceSchema,
  ImportSkippedRowSchema,
} from './import/import-batch.js';
export type {
  ImportBatch,
  ImportCustomer,
  ImportOptions,
  ImportPlan,
  ImportProgress,
  ImportService,
  ImportSkippedRow,
} from './import/import-batch.js';
export type { ImportOutcome, ImportReport, ImportRowResult, ImportTally, ImportUnmappedReason } from './import/import-report.js';
export { FALLBACK_PLAN_REF, IMPORT_CHUNK_SIZE, openingBalanceKey } from './import/import-shop.js';
export { importedSubscriptionId } from './import/adopt-service.js';
export { EvacuationRequestSchema } from './evacuation/evacuate.js';
export type { EvacuationItem, EvacuationOutcome, EvacuationProgress, EvacuationReport, EvacuationRequest } from './evacuation/evacuate.js';
export * from './payments/index.js';
