import { PanelkitEventBus } from './events.js';
import { ConfigurationError } from './errors.js';
import type { Clock } from './ports/clock.js';
import { systemClock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import { silentLogger } from './ports/logger.js';
import { STORAGE_PORT_VERSION } from './ports/storage.js';
import type { CustomerWithPriceBook, StoragePort } from './ports/storage.js';
import type { RandomSource } from './retry.js';
import type { Subscription } from './domain/subscription.js';
import type { SubscriptionStatus } from './domain/subscription-status.js';
import type { LedgerEntry } from './domain/ledger.js';
import { LifecycleScheduler } from './scheduler/scheduler.js';
import type { Scheduler, SchedulerOptions } from './scheduler/scheduler.js';
import { reconcile } from './scheduler/reconcile.js';
import type { ReconciliationReport } from './scheduler/reconcile.js';
import { dryRun } from './scheduler/dry-run.js';
import type { DryRunOptions, PlannedItem } from './scheduler/dry-run.js';
import { PanelRegistry } from './engine/adapters.js';
import type { PanelAdapterFactory } from './engine/adapters.js';
import { adjust } from './engine/adjust.js';
import type { Adjustment } from './engine/adjust.js';
import { checkout } from './engine/checkout.js';
import { quoteCheckout } from './engine/checkout-quote.js';
import { planLocations, type PlanLocation } from './engine/plan-locations.js';
import { createLocations, type PanelkitLocations } from './engine/location-catalog.js';
import type { CheckoutQuote, CheckoutQuoteRequest } from './engine/checkout-quote.js';
import { createDiscountCode, setReferralProgram, updateDiscountCode } from './engine/discount-admin.js';
import { recordReferral } from './engine/referral.js';
import type { RecordReferralRequest, RecordReferralResult } from './engine/referral.js';
import type { Actor, ActorInput } from './domain/common.js';
import type { DiscountCode, DiscountCodePatch, NewDiscountCode } from './domain/discount.js';
import type { ReferralProgram, ReferralProgramInput, ReferralStats } from './domain/referral.js';
import type { CheckoutRequest, CheckoutResult } from './engine/checkout.js';
import type { EngineContext } from './engine/context.js';
import { extend, quoteExtension, updateInFlight } from './engine/extension.js';
import { type ExtendBundleRequest, type ExtendBundleResult, extendBundle } from './engine/bundle-extension.js';
import { type BundleExtensionQuote, liveBundleParts, quoteBundleExtension } from './engine/bundle-quote.js';
import type { ExtendRequest, ExtendResult, ExtensionQuoteResult } from './engine/extension.js';
import { checkPanelHealth } from './engine/health.js';
import { measureClockOffset } from './scheduler/clock-check.js';
import type { ClockOffset } from './scheduler/clock-check.js';
import { buyTraffic, quoteTrafficTopUp } from './engine/traffic-top-up.js';
import type { BuyTrafficRequest, BuyTrafficResult, TrafficTopUpQuoteResult } from './engine/traffic-top-up.js';
import { changePlan, quotePlanChange } from './engine/plan-change.js';
import { planChangeOptions } from './engine/plan-change-options.js';
import type { PlanChangeOption } from './engine/plan-change-options.js';
import type { ChangePlanRequest, ChangePlanResult, PlanChangeQuoteResult } from './engine/plan-change.js';
import { applyCurrentTerms, subscribersOnOlderTerms } from './engine/current-terms.js';
import { removeResellerPrice, setCreditLimit, setResellerPrice, setResellerTerms, spendableBalance } from './engine/reseller-admin.js';
import type { ResellerTermsChange, ResellerTermsResult } from './engine/reseller-admin.js';
import type { CreditLimit, NewPriceBookEntry, PriceBookEntry } from './domain/price-book.js';
import type { Money } from './domain/money.js';
import type { ApplyCurrentTermsRequest, ApplyCurrentTermsResult } from './engine/current-terms.js';
import { pendingReason } from './engine/pending.js';
import { setAutoRenew, type AutoRenewRequest } from './engine/auto-renew.js';
import { waitForSubscription } from './engine/wait.js';
import type { SubscriptionCondition, WaitForSubscriptionOptions } from './engine/wait.js';
import type { PendingReason } from './engine/pending.js';
import type { PanelHealthCheckOptions, PanelHealthResult } from './engine/health.js';
import { provisionHandler } from './engine/handlers/provision.js';
import { pushHandler, removeHandler, removeOrphanHandler } from './engine/handlers/push.js';
import { buyDevicePack, quoteDevicePack } from './engine/device-pack.js';
import type { BuyDevicePackRequest, BuyDevicePackResult, DevicePackQuoteResult } from './engine/device-pack.js';
import { pushDeviceLimitHandler, removePanelDeviceHandler, resetPanelDevicesHandler } from './engine/handlers/devices.js';
import { devicePackLapseHandler } from './engine/device-pack-lapse.js';
import { updateHandler } from './engine/handlers/update.js';
import { approveProvisioning, resume, retryFailed, suspend, terminate, topUp } from './engine/operations.js';
import { refundOrder } from './engine/refund.js';
import { buyGift, claimGift, expireDueGifts } from './engine/gifts.js';
import { createPayouts, createStorefronts } from './engine/storefront-kit.js';
import type { PanelkitPayouts, PanelkitStorefronts } from './engine/storefront-kit.js';
import type { BuyGiftRequest, BuyGiftResult, ClaimGiftRequest, ClaimGiftResult } from './engine/gifts.js';
import type { Gift } from './domain/gift.js';
import { normalizeGiftCode } from './domain/gift.js';
import type { RefundRequest, RefundResult } from './engine/refund.js';
import { salesFigures } from './engine/sales-figures.js';
import { campaignFigures } from './engine/campaign-figures.js';
import type { CampaignFigures } from './domain/campaign.js';
import type { SalesFigures, SalesFiguresQuery } from './domain/sales.js';
import type { MoneyMovement, SubscriptionAction } from './engine/operations.js';
import { resolvePolicy } from './engine/policy.js';
import type { EnginePolicy } from './engine/policy.js';
import { createWorker } from './engine/worker.js';
import { hostJobHandlers } from './engine/host-jobs.js';
import { addPanel, panelAdapter, setPanelEnabled, updatePanel } from './engine/panel-admin.js';
import { updateTargetSettings } from './engine/target-admin.js';
import { createPlan, updatePlan } from './engine/plan-admin.js';
import {
  createCustomer,
  customerBalances,
  customerByTelegramId,
  customerSubscriptions,
  customerWithPriceBook,
  getCustomer,
} from './engine/customer-admin.js';
import { checkLinksOptions, createLinks } from './engine/links.js';
import { createSharing, type PanelkitSharing } from './engine/sharing-kit.js';
import { sharingFollowHandler } from './engine/sharing-follow.js';
import type { PanelkitLinks, PanelkitLinksOptions } from './engine/links.js';
import { syncTargets } from './engine/target-sync.js';
import type { TargetSyncOptions, TargetSyncResult } from './engine/target-sync.js';
import type { NewPanel, Panel, PanelPatch } from './domain/panel.js';
import type { Target, TargetSettings } from './domain/target.js';
import type { NewPlan, Plan, PlanPatch } from './domain/plan.js';
import type { Customer, NewCustomer } from './domain/customer.js';
import type { PanelAdapter } from './ports/panel.js';
import type { Worker, WorkerOptions } from './engine/worker.js';
import { DEFAULT_STORAGE_RETRY, withStorageRetry, type StorageRetryOptions } from './engine/storage-retry.js';
import { importShop } from './engine/import/import-shop.js';
import type { ImportBatch, ImportOptions } from './engine/import/import-batch.js';
import type { ImportReport } from './engine/import/import-report.js';
import { evacuate, evacuationProgress } from './engine/evacuation/evacuate.js';
import { moveSubscription, type MoveSubscriptionRequest, type MoveSubscriptionResult } from './engine/evacuation/move.js';
import type { EvacuationProgress, EvacuationReport, EvacuationRequest } from './engine/evacuation/evacuate.js';
import { createPayments, paymentJobHandlers, PaymentProviderRegistry, type PanelkitPayments } from './engine/payments/index.js';
import { renewAfterCharge } from './scheduler/renewals.js';
import type { SecretBox } from './secrets/secret-box.js';
import type { PaymentProvider } from './ports/payment-provider.js';
import { listDevices, removeDevice, resetDevices, touchDevice } from './engine/devices.js';
import type { DeviceCheck, DeviceRequest } from './engine/devices.js';
import type { ListedDevice } from './domain/device.js';
import { createTrials, type PanelkitTrials } from './engine/trials.js';
import type { PanelkitGuard } from './domain/guard.js';
import { createGuard } from './engine/guard/kit.js';
import { guardActHandler } from './engine/guard/act.js';
import { guardReadHandler } from './engine/guard/read.js';
import type { FiguresOptions, PanelkitFigures } from './domain/owner-figures.js';
import { createFigures } from './engine/figures/kit.js';
import { figuresFoldHandler } from './engine/figures/fold.js';
import { figuresRebuildHandler } from './engine/figures/rebuild.js';
import { salesFiguresFromBuckets } from './engine/figures/daily-sales.js';
import { resolveFigures } from './engine/figures/settings.js';

/** What `createPanelkit` needs: one storage, a factory that gives each stored panel its adapter, and the policy. */
export interface PanelkitOptions {
  /** Where all state lives; its `portVersion` must be `STORAGE_PORT_VERSION`. */
  storage: StoragePort;
  /** Gives the adapter for each stored panel (e.g. by `panel.kind`, with its URL and credentials). */
  panels: PanelAdapterFactory;
  /** Engine settings; `identity.secret` (at least 16 characters, stable for the shop's life) derives every client's credentials. */
  policy: EnginePolicy;
  /** Default the system clock. */
  clock?: Clock;
  /** pino-compatible; default silent. */
  logger?: Logger;
  /** Jitter source for retry backoff; default `Math.random`. */
  random?: RandomSource;
  /** How the engine reruns a transaction the storage could not complete (see `withStorageRetry`); default {@link DEFAULT_STORAGE_RETRY}. */
  storageRetry?: StorageRetryOptions;
  /**
   * The ways buyers pay into their wallets (`kit.payments`); none by default. `secrets` seals the references
   * of saved payment methods (required to keep or charge them; the same box that seals panel credentials will do).
   */
  payments?: { providers: readonly PaymentProvider[]; secrets?: SecretBox };
  /** What buyers' link tokens are derived with (`kit.links`); without it `kit.links` refuses every call. */
  links?: PanelkitLinksOptions;
  /**
   * Where and how the owner figures (`kit.figures`) cut months and how often they are folded (default `UTC`,
   * Gregorian). Given (even `{}`), the scheduler keeps the figures: it starts a rebuild when the stored settings differ
   * and enqueues `figures.fold` while the inbox has rows. Absent, it leaves them alone (`kit.figures.foldNow()` and
   * `rebuild()` still work).
   */
  figures?: FiguresOptions;
}

/**
 * Refuses options the engine cannot start with, each with a `ConfigurationError` that says what to pass: a
 * developer calling from plain JavaScript meets these before anything else.
 */
function checkPanelkitOptions(options: PanelkitOptions | undefined): void {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('createPanelkit needs its options: createPanelkit({ storage, panels, policy })');
  }
  const storage: unknown = options.storage;
  if (storage === undefined || storage === null) {
    throw new ConfigurationError(
      'options.storage is missing: pass a StoragePort, e.g. createMemoryStorage() from @panelkit/storage-memory or createPostgresStorage({ client }) from @panelkit/storage-postgres',
    );
  }
  const version = (storage as { portVersion?: unknown }).portVersion;
  if (version === undefined) {
    throw new ConfigurationError(
      'options.storage is not a StoragePort (it has no portVersion): pass the storage itself, e.g. createPostgresStorage({ client }), not its client or pool',
    );
  }
  if (version !== STORAGE_PORT_VERSION) {
    throw new ConfigurationError(
      `the storage implements port version ${String(version)}; this engine needs ${STORAGE_PORT_VERSION}: install storage and SDK versions that match`,
    );
  }
  if (typeof options.panels !== 'function') {
    throw new ConfigurationError(
      'options.panels must be a function that gives a stored panel its adapter, e.g. (panel) => createPanelAdapter(panel) from @panelkit/panel-adapters',
    );
  }
  checkLinksOptions(options.links);
  resolveFigures(options.figures);
}

/** Panels as the kit manages them (see `Panelkit.panels`). */
export interface PanelkitPanels {
  /** Stores a new panel, validated and audited; `ValidationError` for bad input (see `addPanel`). */
  add(input: NewPanel, actor?: Actor): Promise<Panel>;
  /** Changes a panel's settings (not its kind), validated and audited; `NotFoundError` for an unknown panel. */
  update(panelId: string, patch: PanelPatch, actor?: Actor): Promise<Panel>;
  /** Turns a panel on or off, audited as `panel.enabled`/`panel.disabled`; unchanged writes nothing (see `setPanelEnabled`). */
  setEnabled(panelId: string, enabled: boolean, actor?: Actor): Promise<Panel>;
  /** The engine's own adapter for the panel, for the host's calls (test connection, list clients); see `panelAdapter`. */
  adapter(panelId: string): Promise<PanelAdapter>;
}

/** A panel's targets as the kit manages them (see `Panelkit.targets`). */
export interface PanelkitTargets {
  /** Creates, updates and retires the panel's stored targets from what its adapter lists now (see `syncTargets`). */
  sync(panelId: string, options?: TargetSyncOptions): Promise<TargetSyncResult>;
  /** Changes a target's capacity, tags, default and provisioning, validated and audited as `target.updated` (see `updateTargetSettings`). */
  update(targetId: string, settings: TargetSettings, actor?: Actor): Promise<Target>;
}

/** Plans as the kit manages them (see `Panelkit.plans`). */
export interface PanelkitPlans {
  /** Stores a new plan, validated (its preferred targets must exist) and audited. */
  create(input: NewPlan, actor?: Actor): Promise<Plan>;
  /** Changes a plan, validated and audited; `NotFoundError` for an unknown plan. */
  update(planId: string, patch: PlanPatch, actor?: Actor): Promise<Plan>;
}

/** Customers as the kit manages them (see `Panelkit.customers`). */
export interface PanelkitCustomers {
  /** Stores a new customer; `ValidationError` for bad input, `ConflictError` for an email or external ref in use. */
  create(input: NewCustomer): Promise<Customer>;
  /** The customer; `NotFoundError` when there is none. */
  get(customerId: string): Promise<Customer>;
  /**
   * The customer and its whole price book (its lines in plan id order; none for a buyer at list prices) in one read,
   * to price every plan a buyer's screens show with `plansPricedByBook` (`@panelkit/sdk/rules`) without a read a plan,
   * and its ledger balances (`ledger.balances`), which those screens show; `NotFoundError` when there is none.
   */
  withPriceBook(customerId: string): Promise<CustomerWithPriceBook>;
  /** The customer with this Telegram user id (`Customer.telegramId`; the oldest when several carry it), or `null`. */
  byTelegramId(telegramId: string): Promise<Customer | null>;
  /** Every subscription of the customer, newest first, only those in `options.statuses` when given; empty for an unknown customer. */
  subscriptions(customerId: string, options?: { statuses?: readonly SubscriptionStatus[] }): Promise<Subscription[]>;
  /** The customer's balance in each currency it has entries or a credit limit in, by currency; empty when none. */
  balances(customerId: string): Promise<Money[]>;
}

/** `kit.devices`: the devices registered on each subscription (the registry), and the check a link makes per request. */
export interface PanelkitDevices {
  /**
   * Decides a request from a device on the subscription (a link's fetch by an app): registers it, refreshes it,
   * serves it uncounted (no hardware id, policy `serve`) or refuses it (`limit_reached`, `hwid_required`), by
   * the subscription's frozen device terms. Exact across replicas at the last slot. `NotFoundError` for an
   * unknown subscription; `ValidationError` for a bad description. A known device's refresh writes its
   * `lastSeenAt` at most every `policy.deviceSeenEveryMs`; pass the subscription already read as
   * `options.subscription` and it is not read again.
   */
  touch(subscriptionId: string, device: DeviceRequest, options?: { subscription?: Subscription }): Promise<DeviceCheck>;
  /**
   * The subscription's devices, first seen first: the registry's, merged with those the panel registered on its
   * own link where its adapter lists them (`capabilities.deviceList`), each with its `source`. A panel that fails
   * to answer shows nothing; the registry's are listed alone.
   */
  list(subscriptionId: string): Promise<ListedDevice[]>;
  /**
   * Removes one device, by the id `list` gave (its slot frees at once), audited with `actor`; where the panel can
   * forget devices, a job in the same transaction makes it forget this one. `NotFoundError` when it has no such device.
   */
  remove(subscriptionId: string, deviceId: string, actor: ActorInput): Promise<ListedDevice>;
  /**
   * Removes every device of the subscription, audited with `actor` and `reason` (and, where the panel can forget
   * devices, every device on the panel through a job); the devices removed.
   */
  reset(subscriptionId: string, actor: ActorInput, reason: string): Promise<ListedDevice[]>;
  /**
   * Quotes `devices` extra devices for the subscription now: the rule's decision (`decideDevicePack`, prorated to
   * its end), the offer as sold and the extra devices it holds. Writes nothing.
   */
  quotePack(subscriptionId: string, devices: number): Promise<DevicePackQuoteResult>;
  /**
   * Buys a device pack from the wallet: an order and its `device_pack` debit, the limit raised at once on the link
   * and, where the panel enforces one, by a job; once per key across replicas (see `buyDevicePack`). Refundable
   * like any order (`kit.refund`): a full refund takes the devices back. At renewal the extra devices fall back
   * unless the buyer extends with `keepExtraDevices`; an auto-renewal renews the plan alone.
   */
  buyPack(request: BuyDevicePackRequest): Promise<BuyDevicePackResult>;
}

/** Resellers: customers who buy at their own prices (a price book) and may owe up to a credit limit (see `Panelkit.resellers`). */
export interface PanelkitResellers {
  /** Sets the customer's price for a plan (audited); see `setResellerPrice`. */
  setPrice(input: NewPriceBookEntry, actor?: Actor): Promise<PriceBookEntry>;
  /** Removes a plan from the customer's price book (audited); whether there was a line. */
  removePrice(customerId: string, planId: string, actor?: Actor): Promise<boolean>;
  /** The customer's price book, ordered by plan id (empty for a customer buying at list prices). */
  priceBook(customerId: string): Promise<PriceBookEntry[]>;
  /** Sets the customer's credit limit in a currency (audited); a limit below the current debt is a `ConflictError`. */
  setCreditLimit(input: CreditLimit, actor?: Actor): Promise<Money>;
  /** Sets a credit limit and price book lines at once, in one transaction, each change audited (see `setResellerTerms`). */
  setTerms(change: ResellerTermsChange, actor?: Actor): Promise<ResellerTermsResult>;
  /** The customer's credit limit in a currency (0 when none). */
  creditLimit(customerId: string, currency: string): Promise<number>;
  /** Balance plus credit limit: what the customer can spend now (never below 0). */
  spendable(customerId: string, currency: string): Promise<number>;
}

/** Gift subscriptions: a plan one customer pays for and another claims once (see `@panelkit/sdk/gifts`). */
export interface PanelkitGifts {
  /** Sells a plan as a gift from the giver's wallet (see `buyGift`). */
  buy(request: BuyGiftRequest): Promise<BuyGiftResult>;
  /** Claims a gift by its code for another customer, placing their order (see `claimGift`). */
  claim(request: ClaimGiftRequest): Promise<ClaimGiftResult>;
  /** The gift with this code as typed (normalised), or `null`. */
  byCode(code: string): Promise<Gift | null>;
  /** The giver's gifts, newest first (at most `limit`, default 1000). */
  listByGiver(customerId: string, limit?: number): Promise<Gift[]>;
  /** Expires the gifts due now and refunds their givers, once each; the scheduler's tick does this too. */
  expireDue(options?: { limit?: number }): Promise<number>;
}

/** The engine: checkout, extension, operations, and factories for the worker and scheduler. */
export interface Panelkit {
  /** Typed events; subscribe to `error` too. */
  readonly events: PanelkitEventBus;
  /** Adding and editing panels, and the adapter the engine uses for each. */
  readonly panels: PanelkitPanels;
  /** Keeping a panel's targets (inbounds, services) in step with the panel. */
  readonly targets: PanelkitTargets;
  /** Creating and editing plans. */
  readonly plans: PanelkitPlans;
  /** Creating and reading customers. */
  readonly customers: PanelkitCustomers;
  /** Resellers' price books and credit limits. */
  readonly resellers: PanelkitResellers;
  /** Payments into wallets: intents, providers, the one place that credits (see `PanelkitPayments`). */
  readonly payments: PanelkitPayments;
  /** The devices registered on each subscription, and the device limit's check (see {@link PanelkitDevices}). */
  readonly devices: PanelkitDevices;
  /** Gift subscriptions: bought by one customer, claimed once by another (see {@link PanelkitGifts}). */
  readonly gifts: PanelkitGifts;
  /** Each customer's one subscription link token: made, rotated (audited) and resolved; needs `options.links`. */
  readonly links: PanelkitLinks;
  /** Subscriptions named by their buyer, and family or team groups (see `@panelkit/sdk/sharing`). */
  readonly sharing: PanelkitSharing;
  /** Resellers' storefronts: their menus, quotas, buyers and figures (see `@panelkit/sdk/storefronts`). */
  readonly storefronts: PanelkitStorefronts;
  /** Partners' payout balances and withdrawals (see `@panelkit/sdk/storefronts`). */
  readonly payouts: PanelkitPayouts;
  /** Trials: the owner's view of refused attempts (see {@link PanelkitTrials}, `@panelkit/sdk/trials`). */
  readonly trials: PanelkitTrials;
  /** The sharing guard: the owner's policy, cases by step and a staff lift (see {@link PanelkitGuard}, `@panelkit/sdk/guard`). */
  readonly guard: PanelkitGuard;
  /**
   * The owner figures: cohorts, churn, renewals, trials, LTV by source and cash by gateway, read from rollups a
   * durable job folds (see {@link PanelkitFigures}, `@panelkit/sdk/figures`).
   */
  readonly figures: PanelkitFigures;
  /**
   * Sells plans: writes the order, the debit, capacity reservations, `pending` subscriptions and their
   * provisioning jobs in one transaction. The same idempotency key replays the first result; a
   * different request under it throws `IdempotencyConflictError`. Throws `InsufficientFundsError`,
   * `CapacityExhaustedError`, `EligibilityError` or `ValidationError` having written nothing.
   */
  checkout(request: CheckoutRequest): Promise<CheckoutResult>;
  /** Prices an order as `checkout` would now, with a discount code's decision, writing nothing (see `quoteCheckout`). */
  quoteCheckout(request: CheckoutQuoteRequest): Promise<CheckoutQuote>;
  /**
   * The locations a plan offers its buyers (a built plan's options, else its allowed locations, else every panel's),
   * each `available` or `busy` now, never a figure (see `planLocations` on `@panelkit/sdk/plan-builder`).
   */
  planLocations(planId: string): Promise<PlanLocation[]>;
  /** The owner's location catalog: each location tag's country and display name (see `@panelkit/sdk/plan-builder`). */
  readonly locations: PanelkitLocations;
  /**
   * Moves a live subscription to another location its plan offers: one durable job, the slot reserved at the
   * destination now and released at the source when the move is recorded; the expiry and traffic left are kept,
   * the buyer's link unchanged. The same key queues once. See `moveSubscription`.
   */
  moveSubscription(request: MoveSubscriptionRequest): Promise<MoveSubscriptionResult>;
  /** Quotes an extension now; with `discountCode`, the code's decision on it too. */
  quoteExtension(subscriptionId: string, options?: { discountCode?: string }): Promise<ExtensionQuoteResult>;
  /**
   * Pays for an extension from the wallet once per idempotency key and queues the panel update; throws
   * `EligibilityError` with the rule's reason when it is not allowed now.
   */
  extend(request: ExtendRequest): Promise<ExtendResult>;
  /**
   * Extends every live part of the subscription's bundle (a plan's kinds, a built plan's locations) as one purchase,
   * each at its share, all or none, once per key (see `extendBundle`); a subscription in no bundle alone.
   */
  extendBundle(request: ExtendBundleRequest): Promise<ExtendBundleResult>;
  /**
   * The live parts of the subscription's bundle (those `extendBundle` extends: not failed, not terminated), in
   * creation order; the subscription alone when it is in no bundle.
   */
  bundleParts(subscriptionId: string): Promise<Subscription[]>;
  /** Quotes `extendBundle` now: every live part's extension quote and their total, or the first part's refusal. */
  quoteBundleExtension(subscriptionId: string): Promise<BundleExtensionQuote>;
  /**
   * Quotes `gib` GiB of extra traffic for the subscription now (price per GiB from its plan's
   * `trafficTopUp`), and a discount code's decision on it when `discountCode` is given.
   */
  quoteTrafficTopUp(subscriptionId: string, gib: number, options?: { discountCode?: string }): Promise<TrafficTopUpQuoteResult>;
  /** Buys extra traffic from the wallet; the limit is raised on the panel in place by a job (see `buyTraffic`). */
  buyTraffic(request: BuyTrafficRequest): Promise<BuyTrafficResult>;
  /**
   * Quotes a move to another plan now: prorated charge or refund, whether it moves to another panel,
   * and a discount code's decision on the amount due when `discountCode` is given (see `quotePlanChange`).
   */
  quotePlanChange(subscriptionId: string, planId: string, options?: { discountCode?: string }): Promise<PlanChangeQuoteResult>;
  /**
   * The plans the subscription's buyer may move it to (a storefront's buyer: those on its menu, at its prices), each
   * with its quote now, and a code's decision when `discountCode` is given (see `planChangeOptions`).
   */
  planChangeOptions(subscriptionId: string, options?: { discountCode?: string }): Promise<PlanChangeOption[]>;
  /** Moves a subscription to another plan, paid or credited through the ledger and applied by a job (see `changePlan`). */
  changePlan(request: ChangePlanRequest): Promise<ChangePlanResult>;
  /** Moves a plan's subscribers (or the ones named) from the terms they were sold with to the plan's current terms, audited (see `applyCurrentTerms`). */
  applyCurrentTerms(request: ApplyCurrentTermsRequest): Promise<ApplyCurrentTermsResult>;
  /** How many live subscribers of the plan are on terms other than its current ones (see `subscribersOnOlderTerms`). */
  subscribersOnOlderTerms(planId: string): Promise<number>;
  /**
   * Turns a subscription's auto-renewal on or off (audited; the same value again writes nothing). With
   * `customerId`, only that buyer's subscription (another's is `NotFoundError`). `EligibilityError` with
   * `trial`, `not_renewable` or `ended` when turning it on cannot work. See `setAutoRenew`.
   */
  setAutoRenew(request: AutoRenewRequest): Promise<Subscription>;
  /** Whether an extension, renewal, top-up or plan change of the subscription is queued or running (a new one is refused meanwhile). */
  changeInFlight(subscriptionId: string): Promise<boolean>;
  /**
   * Why a subscription is still pending (its server down, an admin's approval, or being set up), or
   * `null` when it is not pending. Show `panel_unavailable` as "temporarily unavailable; this
   * completes automatically".
   */
  pendingReason(subscription: Subscription | string): Promise<PendingReason | null>;
  /**
   * Waits until a subscription meets a condition (a status, several, or a test) and returns it: e.g.
   * `await kit.waitForSubscription(sub.id, 'active')` after a checkout, while a worker (here or on another replica)
   * provisions it. `WaitTimeoutError` after `timeoutMs`; `InvalidTransitionError` at once when a wanted status can no
   * longer be reached.
   */
  waitForSubscription(subscriptionId: string, until: SubscriptionCondition, options?: WaitForSubscriptionOptions): Promise<Subscription>;
  /** Credits a customer's wallet once per idempotency key (a payment's own id); `created: false` on a replay. */
  topUp(movement: MoneyMovement): Promise<{ entry: LedgerEntry; created: boolean }>;
  /**
   * Refunds (part of) an order to its own customer's wallet, never more than was paid for it over all
   * its refunds; a full refund frees its discount code use and ends its subscriptions, and a referral
   * reward on it shrinks in the share returned (within the program's window). Refusals throw
   * `RefundRefusedError`. See `refundOrder`.
   */
  refund(request: RefundRequest): Promise<RefundResult>;
  /**
   * The owner's sales figures by day in a time zone, with totals: net revenue (one definition,
   * `REVENUE_LEDGER_KINDS`), paid orders, new subscriptions, subscriptions in service. See `salesFigures`. With
   * `options.figures` given, read from the figures' 15-minute buckets after folding what is pending (same numbers;
   * `sales.figures` while a rebuild runs or the backlog is large, see `salesFiguresFromBuckets`).
   */
  salesFigures(query: SalesFiguresQuery): Promise<SalesFigures>;
  /**
   * Each campaign's sign-ups, first purchases and net revenue (refunds taken out) over the days `from`..`to` of
   * `timeZone`, under the sales figures' definitions; the query is checked as for `salesFigures`. See `campaignFigures`
   * in `@panelkit/sdk/campaigns`.
   */
  campaignFigures(query: SalesFiguresQuery): Promise<CampaignFigures[]>;
  /** Creates a discount code (audited); see `DiscountCode` for its limits. */
  createDiscountCode(input: NewDiscountCode, actor?: Actor): Promise<DiscountCode>;
  /** Disables a code or changes its end, limits or note (audited). */
  updateDiscountCode(id: string, patch: DiscountCodePatch, actor?: Actor): Promise<DiscountCode>;
  /** The owner's referral program, or `null` before one was set (no referral is recorded then). */
  referralProgram(): Promise<ReferralProgram | null>;
  /** Replaces the referral program (audited). */
  setReferralProgram(program: ReferralProgramInput, actor?: Actor): Promise<ReferralProgram>;
  /** Records a sign-up through a referral link, or says why not (see `recordReferral`). */
  recordReferral(request: RecordReferralRequest): Promise<RecordReferralResult>;
  /** A referrer's referred count and earnings. */
  referralStats(customerId: string): Promise<ReferralStats>;
  /** An admin's signed correction of a wallet, with a required note; a debit below the customer's floor (zero, or minus its credit limit) is refused. */
  adjust(adjustment: Adjustment): Promise<{ entry: LedgerEntry; created: boolean }>;
  /**
   * Disables a live subscription (queued to its panel) until `resume`; `InvalidTransitionError` from a
   * state that cannot be suspended.
   */
  suspend(action: SubscriptionAction): Promise<Subscription>;
  /** Lifts a suspension into what time and usage imply (active, limited, expired or on hold). */
  resume(action: SubscriptionAction): Promise<Subscription>;
  /** Ends a subscription for good: releases its slot and queues removal of its client. */
  terminate(action: SubscriptionAction): Promise<Subscription>;
  /** Provisions a `failed` subscription again: takes a slot, charges again what was refunded, queues a new job. */
  retryFailed(action: SubscriptionAction): Promise<Subscription>;
  /** Starts provisioning a subscription whose plan waits for an admin (`autoProvision: false`). */
  approveProvisioning(action: SubscriptionAction): Promise<Subscription>;
  /** Checks one panel, or every enabled one; `actor` (default the system) is recorded on status changes. */
  checkPanelHealth(panelId?: string, options?: PanelHealthCheckOptions): Promise<PanelHealthResult[]>;
  /**
   * How far this process's clock is off the storage's (one `ticks.now()`), against `policy.maxClockOffsetMs`:
   * a replica whose scheduler would refuse its ticks says `off` here, for a health check or an admin page.
   */
  clockOffset(): Promise<ClockOffset>;
  /** Compares stored subscriptions with each panel's clients: orphans, missing clients and drift; with `repair: true` queues fixes. */
  reconcile(options?: { repair?: boolean; panelId?: string }): Promise<ReconciliationReport>;
  /** What the scheduler would do over the next hours (default 24) and why; writes nothing. */
  dryRun(options?: DryRunOptions): Promise<PlannedItem[]>;
  /** A worker that runs the jobs this kit writes; call `start()` (or `drain()` in scripts and tests). */
  createWorker(options?: WorkerOptions): Worker;
  /** The leaderless scheduler: call its `tick()` on an interval on every replica; one replica wins each slot and runs health checks, usage sync and the lifecycle sweeps. */
  createScheduler(options?: SchedulerOptions): Scheduler;
  /**
   * Brings another shop over (customers, opening balances, plans, and live services adopted on their
   * panels as they are); idempotent and resumable, with a dry run. See `importShop`.
   */
  importShop(batch: ImportBatch, options?: ImportOptions): Promise<ImportReport>;
  /**
   * Moves every live subscription off a panel (or one target) to other targets by the placement
   * rules, one durable job each (new client first, old one removed once the panel answers); with a
   * dry run. See `evacuate`.
   */
  evacuate(request: EvacuationRequest): Promise<EvacuationReport>;
  /** What is left on a panel (or target) being evacuated. */
  evacuationProgress(panelId: string, targetId?: string | null): Promise<EvacuationProgress>;
}

/**
 * Wires the engine. Refuses a storage or (on first use) an adapter built for another port
 * version with a `ConfigurationError`.
 */
export function createPanelkit(options: PanelkitOptions): Panelkit {
  checkPanelkitOptions(options);
  const { storage } = options;
  const policy = resolvePolicy(options.policy);
  const figures = resolveFigures(options.figures);
  const logger = options.logger ?? silentLogger;
  const events = new PanelkitEventBus(logger);
  const random = options.random ?? Math.random;
  const paymentsContext = {
    registry: new PaymentProviderRegistry(options.payments?.providers ?? []),
    secrets: options.payments?.secrets ?? null,
  };
  const ctx: EngineContext = {
    payments: paymentsContext,
    storage: withStorageRetry(storage, options.storageRetry, { logger, random }),
    panels: new PanelRegistry(storage, options.panels, policy, logger),
    clock: options.clock ?? systemClock,
    logger,
    events,
    policy,
    random,
    ...(options.figures === undefined ? {} : { figures }),
  };
  const handlers = [
    figuresFoldHandler(figures),
    figuresRebuildHandler(figures),
    provisionHandler,
    updateHandler,
    pushHandler,
    removeHandler,
    removeOrphanHandler,
    removePanelDeviceHandler,
    resetPanelDevicesHandler,
    pushDeviceLimitHandler,
    devicePackLapseHandler,
    guardActHandler,
    guardReadHandler,
    sharingFollowHandler,
    ...paymentJobHandlers(renewAfterCharge),
  ];
  return {
    events,
    panels: {
      add: (input, actor) => addPanel(ctx, input, actor),
      update: (id, patch, actor) => updatePanel(ctx, id, patch, actor),
      setEnabled: (id, enabled, actor) => setPanelEnabled(ctx, id, enabled, actor),
      adapter: (id) => panelAdapter(ctx, id),
    },
    targets: {
      sync: (id, o) => syncTargets(ctx, id, o),
      update: (id, settings, actor) => updateTargetSettings(ctx, id, settings, actor),
    },
    plans: {
      create: (input, actor) => createPlan(ctx, input, actor),
      update: (id, patch, actor) => updatePlan(ctx, id, patch, actor),
    },
    customers: {
      create: (input) => createCustomer(ctx, input),
      get: (id) => getCustomer(ctx, id),
      withPriceBook: (id) => customerWithPriceBook(ctx, id),
      byTelegramId: (telegramId) => customerByTelegramId(ctx, telegramId),
      subscriptions: (id, o) => customerSubscriptions(ctx, id, o),
      balances: (id) => customerBalances(ctx, id),
    },
    resellers: {
      setPrice: (input, actor) => setResellerPrice(ctx, input, actor),
      removePrice: (customerId, planId, actor) => removeResellerPrice(ctx, customerId, planId, actor),
      priceBook: (customerId) => storage.priceBooks.list(customerId),
      setCreditLimit: (input, actor) => setCreditLimit(ctx, input, actor),
      setTerms: (change, actor) => setResellerTerms(ctx, change, actor),
      creditLimit: (customerId, currency) => storage.ledger.creditLimit(customerId, currency),
      spendable: (customerId, currency) => spendableBalance(ctx, customerId, currency),
    },
    payments: createPayments(ctx, paymentsContext.registry),
    devices: {
      touch: (id, device, o) => touchDevice(ctx, id, device, o),
      list: (id) => listDevices(ctx, id),
      remove: (id, deviceId, actor) => removeDevice(ctx, id, deviceId, actor),
      reset: (id, actor, reason) => resetDevices(ctx, id, actor, reason),
      quotePack: (id, devices) => quoteDevicePack(ctx, id, devices),
      buyPack: (request) => buyDevicePack(ctx, request),
    },
    gifts: {
      buy: (request) => buyGift(ctx, request),
      claim: (request) => claimGift(ctx, request),
      byCode: async (code) => {
        const normal = normalizeGiftCode(code);
        return normal === null ? null : storage.gifts.getByCode(normal);
      },
      listByGiver: (customerId, limit) => storage.gifts.listByGiver(customerId, limit),
      expireDue: (o) => expireDueGifts(ctx, o),
    },
    links: createLinks(ctx, options.links),
    sharing: createSharing(ctx),
    storefronts: createStorefronts(ctx),
    payouts: createPayouts(ctx),
    trials: createTrials(ctx),
    guard: createGuard(ctx),
    figures: createFigures(ctx, figures),
    checkout: (request) => checkout(ctx, request),
    quoteCheckout: (request) => quoteCheckout(ctx, request),
    planLocations: (planId) => planLocations(ctx, planId),
    locations: createLocations(ctx),
    moveSubscription: (request) => moveSubscription(ctx, request),
    quoteExtension: (id, o) => quoteExtension(ctx, id, o),
    extend: (request) => extend(ctx, request),
    extendBundle: (request) => extendBundle(ctx, request),
    bundleParts: (id) => liveBundleParts(ctx, id),
    quoteBundleExtension: (id) => quoteBundleExtension(ctx, id),
    quoteTrafficTopUp: (id, gib, o) => quoteTrafficTopUp(ctx, id, gib, o),
    buyTraffic: (request) => buyTraffic(ctx, request),
    quotePlanChange: (id, planId, o) => quotePlanChange(ctx, id, planId, o),
    planChangeOptions: (id, o) => planChangeOptions(ctx, id, o),
    changePlan: (request) => changePlan(ctx, request),
    applyCurrentTerms: (request) => applyCurrentTerms(ctx, request),
    subscribersOnOlderTerms: (planId) => subscribersOnOlderTerms(ctx, planId),
    setAutoRenew: (request) => setAutoRenew(ctx, request),
    changeInFlight: (id) => updateInFlight(storage, id),
    pendingReason: (subscription) => pendingReason(storage, subscription),
    waitForSubscription: (id, until, o) => waitForSubscription(ctx, id, until, o),
    topUp: (m) => topUp(ctx, m),
    refund: (r) => refundOrder(ctx, r),
    salesFigures: (q) => (ctx.figures === undefined ? salesFigures(ctx.storage, q) : salesFiguresFromBuckets(ctx, ctx.figures, q)),
    campaignFigures: (q) => campaignFigures(ctx.storage, q),
    createDiscountCode: (input, actor) => createDiscountCode(ctx, input, actor),
    updateDiscountCode: (id, patch, actor) => updateDiscountCode(ctx, id, patch, actor),
    referralProgram: () => storage.referrals.getProgram(),
    setReferralProgram: (program, actor) => setReferralProgram(ctx, program, actor),
    recordReferral: (request) => recordReferral(ctx, request),
    referralStats: (id) => storage.referrals.stats(id),
    adjust: (a) => adjust(ctx, a),
    suspend: (a) => suspend(ctx, a),
    resume: (a) => resume(ctx, a),
    terminate: (a) => terminate(ctx, a),
    retryFailed: (a) => retryFailed(ctx, a),
    approveProvisioning: (a) => approveProvisioning(ctx, a),
    checkPanelHealth: (id, o) => checkPanelHealth(ctx, id, o),
    clockOffset: async () => {
      const { offsetMs, roundTripMs, maxOffsetMs, status } = await measureClockOffset(ctx);
      return { offsetMs, roundTripMs, maxOffsetMs, status };
    },
    reconcile: (o) => reconcile(ctx, o),
    dryRun: (o) => dryRun(ctx, o),
    createWorker: (o) => createWorker(ctx, [...(o?.engineJobs === false ? [] : handlers), ...hostJobHandlers(o?.hostJobs)], o),
    createScheduler: (o) => new LifecycleScheduler(ctx, o),
    importShop: (batch, o) => importShop(ctx, batch, o),
    evacuate: (request) => evacuate(ctx, request),
    evacuationProgress: (panelId, targetId) => evacuationProgress(ctx, panelId, targetId ?? null),
  };
}
