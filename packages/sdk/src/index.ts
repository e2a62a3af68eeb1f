/**
 * `@panelkit/sdk`: what a shop calls. `createPanelkit` and the kit's types, the errors it throws, the events it
 * emits, the domain types it reads and writes, host jobs, the scheduler's reports and the secret box.
 *
 * Everything else has an entry point of its own (the README's "Entry points" lists them):
 * `@panelkit/sdk/adapter` (writing a panel adapter), `@panelkit/sdk/storage` (writing a storage),
 * `@panelkit/sdk/schemas` (the zod schemas), `@panelkit/sdk/rules` (the pure pricing and eligibility rules, time
 * helpers), `@panelkit/sdk/testing` (conformance suites, vitest) and `@panelkit/sdk/fakes` (test doubles).
 *
 * The names here are listed one by one, not re-exported with `*`, so a new export is a decision: the packed test
 * (examples/minimal/test/packed.test.ts) fails when the root grows past its documented size.
 *
 * @module
 */
export { createPanelkit } from './panelkit.js';
export type { ClockOffset } from './scheduler/clock-check.js';
export type {
  Panelkit,
  PanelkitCustomers,
  PanelkitDevices,
  PanelkitOptions,
  PanelkitPanels,
  PanelkitPlans,
  PanelkitResellers,
  PanelkitTargets,
} from './panelkit.js';
export { SYSTEM_ACTOR } from './domain/common.js';
export type { Actor, ActorInput, JsonObject, JsonValue, Page, PageRequest } from './domain/common.js';
export { addMoney, money, multiplyMoney, subtractMoney, sumMoney } from './domain/money.js';
export type { Money } from './domain/money.js';
export { createId, keyedId } from './domain/ids.js';
export { KNOWN_PANEL_KINDS, UNKNOWN_HEALTH, redactPanel } from './domain/panel.js';
export type { KnownPanelKind, NewPanel, Panel, PanelCredentials, PanelHealth, PanelHealthStatus, PanelPatch } from './domain/panel.js';
export { KNOWN_PROTOCOLS } from './domain/target.js';
export type { NewTarget, Target, TargetPatch, TargetSettings } from './domain/target.js';
export { DEFAULT_EXTENSION_POLICY } from './domain/plan.js';
export type {
  ExtensionPolicy,
  ExtensionPolicyInput,
  NewPlan,
  PlacementPolicy,
  Plan,
  PlanPatch,
  TrafficTopUp,
  Trial,
} from './domain/plan.js';
export type { Customer, CustomerPatch, NewCustomer } from './domain/customer.js';
export { LEDGER_KINDS, LEDGER_KIND_SIGN } from './domain/ledger.js';
export type { LedgerEntry, LedgerKind, NewLedgerEntry } from './domain/ledger.js';
export { ORDER_STATUSES } from './domain/order.js';
export type { NewOrder, Order, OrderItem, OrderPatch, OrderStatus } from './domain/order.js';
export { deriveRemoteIdentity, identityAtGeneration } from './domain/remote-identity.js';
export type { RemoteIdentity, RemoteIdentityOptions } from './domain/remote-identity.js';
export {
  HAS_REMOTE_CLIENT,
  HOLDS_CAPACITY,
  SUBSCRIPTION_STATUSES,
  SUBSCRIPTION_TRANSITIONS,
  assertTransition,
  canTransition,
} from './domain/subscription-status.js';
export type { SubscriptionStatus } from './domain/subscription-status.js';
export type { NewSubscription, PanelUsageReading, Subscription, SubscriptionPatch, UsageReading } from './domain/subscription.js';
export { planAsSold, sameTerms, termsOf } from './domain/subscription-terms.js';
export type { SubscriptionTerms } from './domain/subscription-terms.js';
export type { Device, DeviceInfo, DeviceInfoInput, DeviceSource, ListedDevice, NoHwidPolicy } from './domain/device.js';
export type { DeviceCheck, DeviceRequest } from './engine/devices.js';
export { DEVICE_HEADERS, appFromUserAgent, parseDeviceHeaders } from './devices/request-headers.js';
export type { RequestHeaders } from './devices/request-headers.js';
export { JOB_STATES } from './domain/job.js';
export type { ClaimedJob, Job, JobState, Lease, NewJob } from './domain/job.js';
export type { AuditEvent, NewAuditEvent } from './domain/audit.js';
export { DISCOUNT_USES, normalizeDiscountCode } from './domain/discount.js';
export type {
  DiscountCode,
  DiscountCodePatch,
  DiscountRedemption,
  DiscountUse,
  DiscountValue,
  NewDiscountCode,
  NewDiscountRedemption,
} from './domain/discount.js';
export { REFERRAL_STATUSES } from './domain/referral.js';
export type { NewReferral, Referral, ReferralProgram, ReferralProgramInput, ReferralStats, ReferralStatus } from './domain/referral.js';
export type { CreditLimit, NewPriceBookEntry, PriceBookEntry } from './domain/price-book.js';
export { PAYMENT_CONFIRMATIONS, PAYMENT_STATUSES, paymentLedgerKey } from './domain/payment.js';
export type { NewPayment, Payment, PaymentConfirmation, PaymentPatch, PaymentStatus } from './domain/payment.js';
export { viewOfSavedMethod } from './domain/payment-method.js';
export type { SavedPaymentMethodView } from './domain/payment-method.js';
export { PaymentProviderUnavailableError, PaymentSignatureError } from './ports/payment-provider.js';
// The port's records and capabilities are on `@panelkit/sdk/payments`, for provider authors.
export type { PaymentProvider } from './ports/payment-provider.js';
export { systemClock } from './ports/clock.js';
export type { Clock } from './ports/clock.js';
export { silentLogger } from './ports/logger.js';
export type { LogFn, Logger } from './ports/logger.js';
export {
  CapacityExhaustedError,
  ConfigurationError,
  ConflictError,
  EligibilityError,
  IdempotencyConflictError,
  InsufficientFundsError,
  InternalError,
  InvalidTransitionError,
  LeaseLostError,
  NotFoundError,
  PanelAuthError,
  PanelConflictError,
  PanelConnectionError,
  PanelError,
  PanelNameTakenError,
  PanelNotFoundError,
  PanelOutcomeUnknownError,
  PanelRateLimitError,
  PanelRejectedError,
  PanelResponseError,
  PanelServerError,
  PanelTimeoutError,
  PanelUnsupportedError,
  PanelkitError,
  RefundRefusedError,
  RetryLaterError,
  StorageMisuseError,
  StorageUnavailableError,
  ValidationError,
  WaitTimeoutError,
  toPanelkitError,
} from './errors.js';
export type {
  PanelErrorContext,
  PanelkitErrorCode,
  PanelkitErrorOptions,
  SafeDetails,
  SerializedError,
  ValidationIssue,
} from './errors.js';
export { PanelkitEventBus } from './events.js';
export type { Listener, PanelkitEventName, PanelkitEvents, SubscriptionEvent } from './events.js';
export { buyerPlan } from './engine/buyer-price.js';
export type { TargetSyncOptions, TargetSyncResult } from './engine/target-sync.js';
export type { PanelAdapterFactory } from './engine/adapters.js';
export { DEFAULT_JOB_RETRY } from './engine/policy.js';
export type { EnginePolicy, JobRetryPolicy } from './engine/policy.js';
export type { CheckoutItem, CheckoutRequest, CheckoutResult } from './engine/checkout.js';
export type { ExtendRequest, ExtendResult, ExtensionQuoteResult } from './engine/extension.js';
export type { BuyTrafficRequest, BuyTrafficResult, TrafficTopUpQuoteResult } from './engine/traffic-top-up.js';
export type { ChangePlanRequest, ChangePlanResult, PlanChangeQuoteResult } from './engine/plan-change.js';
export type { ApplyCurrentTermsRequest, ApplyCurrentTermsResult } from './engine/current-terms.js';
export type { Adjustment } from './engine/adjust.js';
export type { MoneyMovement, SubscriptionAction } from './engine/operations.js';
export type { PanelHealthCheckOptions, PanelHealthResult } from './engine/health.js';
export type { PendingReason } from './engine/pending.js';
export type { AutoRenewRequest } from './engine/auto-renew.js';
export type { SubscriptionCondition, WaitForSubscriptionOptions } from './engine/wait.js';
export type { Worker, WorkerOptions } from './engine/worker.js';
export type { WorkerStep } from './engine/handler.js';
export { JOB_TYPES } from './engine/job-types.js';
export type { EngineJobType } from './engine/job-types.js';
export type { CheckoutQuote, CheckoutQuoteRequest } from './engine/checkout-quote.js';
export { orderPurchaseKey } from './engine/discount.js';
export type { RecordReferralRequest, RecordReferralResult } from './engine/referral.js';
export { defineHostJob, enqueueHostJob, enqueuePeriodicHostJob, hostJobId } from './engine/host-jobs.js';
export type {
  HostJobContext,
  HostJobDefinition,
  HostJobEnqueueOptions,
  HostJobRetry,
  HostJobSpec,
  PeriodicStorage,
} from './engine/host-jobs.js';
export { withAuditOutbox } from './engine/audit-outbox.js';
export type { AuditOutboxHook } from './engine/audit-outbox.js';
export type { RefundRequest, RefundResult } from './engine/refund.js';
export { orderMoney } from './engine/order-money.js';
export type { OrderMoney } from './engine/order-money.js';
export type {
  ImportBatch,
  ImportCustomer,
  ImportOptions,
  ImportPlan,
  ImportProgress,
  ImportService,
  ImportSkippedRow,
} from './engine/import/import-batch.js';
export type { ImportOutcome, ImportReport, ImportRowResult, ImportTally, ImportUnmappedReason } from './engine/import/import-report.js';
export { importedSubscriptionId } from './engine/import/adopt-service.js';
export type {
  EvacuationItem,
  EvacuationOutcome,
  EvacuationProgress,
  EvacuationReport,
  EvacuationRequest,
} from './engine/evacuation/evacuate.js';
export type { PanelkitPayments } from './engine/payments/index.js';
export type { PaymentOutcome, PaymentResult } from './engine/payments/settle.js';
export type { PaymentAction, SignalResult, StartPaymentRequest, StartPaymentResult } from './engine/payments/paths.js';
export { cardToCardProvider, testPaymentProvider } from './engine/payments/builtin-providers.js';
export type { RefundPaymentRequest, RefundPaymentResult } from './engine/payments/refunds.js';
export type { ChargeSavedMethodRequest } from './engine/payments/saved-methods.js';
export type { Scheduler, SchedulerOptions, TickReport } from './scheduler/scheduler.js';
export type { UsageSyncReport } from './scheduler/usage-sync.js';
export type { DriftField, PanelReconciliation, ReconciliationReport } from './scheduler/reconcile.js';
export type { DryRunOptions, PlannedAction, PlannedItem } from './scheduler/dry-run.js';
export {
  SecretKeyError,
  createSecretBox,
  formatSecretKeys,
  generateSecretKey,
  isSealedValue,
  parseSecretKeys,
} from './secrets/secret-box.js';
export type { SecretBox, SecretKey } from './secrets/secret-box.js';
export { openPanelCredentials, panelCredentialsContext, sealPanelCredentials } from './secrets/panel-credentials.js';
export type { StoredSealedSecret } from './secrets/panel-credentials.js';
export { MAX_SALES_DAYS, REVENUE_LEDGER_KINDS, totalsOf } from './domain/sales.js';
export type { SalesDay, SalesDayBounds, SalesFigures, SalesFiguresQuery, SalesFiguresRange } from './domain/sales.js';
export type { ResellerTermsChange, ResellerTermsResult } from './engine/reseller-admin.js';
