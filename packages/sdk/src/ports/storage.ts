import type { AuditEvent, NewAuditEvent } from '../domain/audit.js';
import type { Page, PageRequest, JsonValue, Actor } from '../domain/common.js';
import type { Customer, CustomerPatch, NewCustomer } from '../domain/customer.js';
import type { ClaimedJob, Job, JobState, Lease, NewJob } from '../domain/job.js';
import type { LedgerEntry, NewLedgerEntry } from '../domain/ledger.js';
import type { Money } from '../domain/money.js';
import type { NewOrder, Order, OrderPatch, OrderStatus } from '../domain/order.js';
import type { NewPanel, Panel, PanelPatch } from '../domain/panel.js';
import type { NewPlan, Plan, PlanPatch } from '../domain/plan.js';
import type { NewSubscription, PanelUsageReading, Subscription, SubscriptionPatch, UsageReading } from '../domain/subscription.js';
import type { SubscriptionStatus } from '../domain/subscription-status.js';
import type { NewTarget, Target, TargetPatch } from '../domain/target.js';
import type { SerializedError } from '../errors.js';
import type { CreditLimit, PriceBookEntry } from '../domain/price-book.js';
import type { DiscountRepository, ReferralRepository } from './storage-promotions.js';
import type { PriceBookRepository } from './storage-price-books.js';
import type { SalesRepository } from './storage-sales.js';
import type { CampaignRepository } from './storage-campaigns.js';
import type { SubscriptionTerms } from '../domain/subscription-terms.js';
import type { PaymentRepository } from './storage-payments.js';
import type { OrderPlacement, PlaceOptions, PlaceResult } from './storage-order-placement.js';
import type { CheckoutContext, CheckoutContextRequest } from './storage-checkout-context.js';
import type { DeviceRepository } from './storage-devices.js';
import type { SavedPaymentMethodRepository } from './storage-payment-methods.js';
import type { JobQueueSignal } from './storage-job-signal.js';
import type { GiftRepository } from './storage-gifts.js';
import type { LinkTokenRepository } from './storage-link-tokens.js';
import type { SharingRepository } from './storage-sharing.js';
import type { LocationRepository } from './storage-locations.js';
import type { PayoutRepository, StorefrontRepository } from './storage-storefronts.js';
import type { TrialClaimRepository } from './storage-trial-claims.js';
import type { FigureRepository } from './storage-figures.js';
import type { GuardRepository } from './storage-guard.js';

/**
 * The version of the {@link StoragePort} contract this SDK expects; a storage reports the one it
 * implements as `portVersion`, and `createPanelkit` refuses a mismatch. 2 added job serialisation
 * keys, 3 discount codes and referrals, 4 the terms a subscription was sold with
 * (`Subscription.terms`, stored and returned as given), 5 `subscriptions.getByUsernames`, 6 resellers:
 * credit limits in the ledger (`ledger.setCreditLimit`, a balance may go down to minus the limit) and
 * price books (`priceBooks`), 7 the books read by order and by day (`ledger.listByOrder`,
 * `referrals.reduceReward`, the sales read model `sales.figures`) and payment intents (`payments`), 8
 * `subscriptions.countOnOtherTerms` (how many subscribers a plan edit has not reached), 9 `panelSlots` (a panel's
 * concurrency limit held across replicas, by leases on the database's clock), 10
 * `subscriptions.recordPanelUsage` (a page of a panel's readings keyed by username, written in one go), 11 `orders.place` (a checkout's
 * rows and slots in one call, the slots taken last), 12 job batch keys (`Job.batchKey`, stored and merged
 * like serialisation keys) and `ClaimRequest.batchLimit`: a claim takes a key's due jobs together; 13
 * `panelSlots.renew` (a slot held across many calls, its lease kept alive) and `ticks.now` (the storage's time,
 * which a replica measures its clock's offset against); 14 `devices` (the devices registered on each
 * subscription, a new one registered exactly up to the limit under concurrency) and `Plan.noHwidPolicy` (stored,
 * and in `Subscription.terms`); 15 writes and reads of many rows in one call (`customers.createMany`,
 * `customers.getByExternalRefs`, `ledger.appendMany`, `subscriptions.createMany`, `subscriptions.getMany`,
 * `audit.appendMany`: a shop's import brings thousands of rows over in a few statements), 16 `devices.refresh` (a
 * known device refreshed without ever registering one, so a registration can run in a transaction with its audit
 * event while a refresh stays one statement), an order settled in one call (`orders.settle`) and a batch of jobs
 * completed in one (`jobs.completeMany`), 17 a panel's name is unique (`PanelNameTakenError` from `panels.create`
 * and a renaming `panels.update`), so processes adding the same panel at once store it once, and `paymentMethods`
 * (payment methods buyers saved for off-session charges, their provider references sealed, one row per customer,
 * provider and fingerprint), 18 `campaigns` (the campaign each customer came through, the first one winning),
 * `sales.campaigns` (sign-ups, first purchases and net revenue per campaign), `gifts` (plans paid by one customer
 * for another to claim once: `gifts.claim` and `gifts.expire` change an unclaimed gift in one conditional step, so
 * exactly one of them wins a race), `Plan.devicePack` (extra devices a plan sells, stored with the plan and frozen in
 * `Subscription.terms`), the ledger kind `device_pack` (a sales kind, paid on its order like a purchase),
 * `ClaimRequest.awaitWakeMs` (a worker sleeping on `jobsQueued` after an empty claim may be woken alone, one worker a
 * queued job, through its subscription's `workerId`) and `devices.refresh`'s `seenAfter` (a device seen since then and
 * described as stored is answered without a write, in the same one statement: an app's refresh reads and refreshes
 * its device in one round trip), 19 a discount code made for one customer (`DiscountCode.customerId`, stored with the
 * code; `discounts.redeem` refuses anyone else `wrong_customer` and changes nothing) and the queue in batches:
 * `jobs.enqueueMany` (many jobs in one call, one statement on a database, each row's result as `enqueue`'s) and
 * `jobs.settleMany` (many failed, dead, released or parked jobs settled in one statement, each under its own lease),
 * 20 `linkTokens` (each customer's one subscription link token, kept as a nonce and the token's SHA-256: the first one
 * made once under concurrency, a rotation killing the old token at once) and `customers.getByTelegramId`,
 * 21 a subscription's own link token (`linkTokens.ensureForSubscription`, `rotateForSubscription`,
 * `revokeForSubscription`, `scopeByHash`), the buyer's name for a subscription (`Subscription.label`), family and
 * team plans (`Plan.sharing`) and their groups (`sharing`: invites, and members whose seats `sharing.join` counts
 * exactly under concurrency), and resellers' storefronts: `storefronts` (a storefront, its menu, its buyers through `Customer.storefrontId`, the
 * record of each sale's split, locked for a sale before its reseller), `payouts` (partners' payout balances and
 * withdrawals, a withdrawal moved in one conditional step) and the ledger kind `wholesale`, `Plan.builder` (a plan the buyer composes from priced parts, stored with the plan) and
 * `SubscriptionTerms.built` (the choice and quote frozen in a built plan's subscriptions; older terms read as `null`),
 * `OrderItem.built` and `Subscription.bundleId` (stored with the subscription, never patched), and `trialClaims` (who has had a trial of a plan
 * family, by identity key: one customer per key, claimed all or none, exactly one winner under concurrency across
 * replicas), 22 `locations` (the owner's location catalog: each location tag with its country and display name),
 * `SubscriptionTerms.sharing` (a group's seats frozen at purchase; older terms have none and read the plan's), and a
 * storefront sale may be a charge with no order (`StorefrontSale.orderId` `null`, with `chargeKey`, `subscriptionId`
 * and `source`; `storefronts.salesOfCharge` reads them back), 23 `linkTokens.scopeWithSubscriptions` (a link token's
 * scope and its customer's first page of subscriptions in one read: a buyer's link refresh resolves and reads in one
 * round trip), 24 `linkTokens.scopeRefreshingDevice` (the same read, and the requesting app's known device refreshed
 * on the subscriptions the token serves in the same statement: an app's checked link refresh in one round trip),
 * 25 `orders.checkoutContext` (a checkout's reads before it writes, the replayed order, the customer, the plans, their
 * price book lines, the targets and the panels, in one read: one statement on a database), 26 `subscriptions.updateMany`
 * (many optimistic updates in one call, each as `update`, one statement on a database: a worker's batch written live
 * in one round trip), 27 `customers.getMany`, `customers.getWithPriceBook` and `linkTokens.ensureMany` (many customers'
 * reads and link tokens in one call each), and `trialClaims.claim` waiting for an open transaction's claim of a key
 * whoever made it, the same customer's too (a customer's second trial checkout then sees the first's trial), and
 * `linkTokens.rotate` and `linkTokens.rotateForSubscription` from a given token only (`fromHash`: of rotations racing
 * from one token, exactly one replaces it) answering whether they replaced, 28 product kinds: `Plan.kinds`,
 * `Target.kinds` and `SubscriptionTerms.kinds` (older records read `['xray']`), `Subscription.kind` (set at create,
 * never patched) and the optional WireGuard and MTProto credentials inside `Subscription.remote` (sealed with it),
 * 29 `figures` (the owner figures' read models: an inbox every figure input's write marks in its own transaction,
 * each customer's folded contribution, the rollups; see {@link FigureRepository}),
 * 30 `guard` (the sharing guard: the owner's policy, each subscription's readings as hourly buckets, one case per
 * subscription moved by conditional transitions, of which racing replicas make exactly one; see {@link GuardRepository}),
 * 31 `subscriptions.getManyWithPlaces` (subscriptions read with their targets and panels in one call: a provisioning
 * claim's reads in one round trip),
 * 32 `figures.bucketSums` (a sales figures read's days summed from the 15-minute buckets in one aggregate),
 * 33 `devices.countSeen` (how many devices each of many subscriptions had fetch its link since an instant, in one
 * statement: the sharing guard's reading where a panel reports no client addresses),
 * 34 the figures' `days` rollup (`FigureCell` and `FigureCellQuery` table `days`: the daily sales per day of the
 * figures' zone, kept by the fold beside the buckets, read by `cells`; `clear` empties it),
 * 35 `CustomerWithPriceBook.balances` (`customers.getWithPriceBook` reads the customer's ledger balances too, as
 * `ledger.balances` answers them: a buyer's screen that shows a balance reads it with the customer, in one statement),
 * 36 `subscriptions.getManyWithCustomers` (subscriptions read with their customers in one call: a notice about a
 * subscription reads its buyer, whose language and storefront it is written in, in the same round trip),
 * 37 `jobsQueued` also tells of a freed key: a job with a dedupe or serialisation key that leaves `running` while a
 * queued job has that key (a worker no longer claims again on its own after each keyed job it settles).
 */
export const STORAGE_PORT_VERSION = 37 as const;

/** The most usernames one `subscriptions.getByUsernames` call takes. */
export const MAX_USERNAMES_PER_LOOKUP = 1000;

/**
 * The most rows one call of a `…Many` method (`customers.createMany`, `ledger.appendMany`, …) takes, and the
 * most keys one of its bulk reads takes (`ValidationError` beyond): one call stays one bounded statement.
 */
export const MAX_ROWS_PER_CALL = 1000;

/** What a storage can promise; hosts check it before running several replicas. */
export interface StorageCapabilities {
  /** `database`: real transactions; `process`: serialised in one process (memory). */
  readonly transactions: 'database' | 'process';
  /** Whether several processes may share this storage safely. */
  readonly multiProcess: boolean;
}

/**
 * The storage port: typed repositories over the shop's state, with the atomic primitives the
 * engine's guarantees rest on. Every storage passes `describeStoragePort` from
 * `@panelkit/sdk/testing`.
 *
 * Rules every implementation keeps:
 * - Inputs are validated with the domain's zod schemas; bad input throws `ValidationError` and
 *   writes nothing.
 * - Reads return copies: mutating a returned object never changes stored state.
 * - A missing row on update throws `NotFoundError`; a broken unique key throws `ConflictError`.
 * - References are foreign keys: creating a row that names a missing panel, target, plan,
 *   customer, order or subscription throws `NotFoundError` and writes nothing.
 * - Patches are strict: a field a patch schema does not know is a `ValidationError`.
 * - Time (createdAt, leases, reaping) comes from the clock the storage was created with.
 * - Text sorts by code point (SQL: `COLLATE "C"`), so every storage lists rows in the same order.
 * - Inside `transaction(fn)`, a call that throws changes nothing, and the transaction may go on
 *   (each call behaves as if under its own savepoint). A read the database itself fails (a timeout,
 *   a lost connection) may end the transaction instead: later calls and the transaction then throw.
 *
 * Lock order for concurrent transactions: see {@link StoragePort.transaction}. Implemented by
 * `createMemoryStorage` (`@panelkit/storage-memory`) and `createPostgresStorage`
 * (`@panelkit/storage-postgres`); the guide is `docs/guides/writing-a-storage.md`.
 */
export interface StoragePort extends StorageRepositories {
  /** A short name for logs and errors (`memory`, `postgres`). */
  readonly kind: string;
  /** The contract version implemented; must equal {@link STORAGE_PORT_VERSION}. */
  readonly portVersion: typeof STORAGE_PORT_VERSION;
  /** Transactions and multi-process safety. */
  readonly capabilities: StorageCapabilities;
  /**
   * Optional (a storage without it is polled): tells subscribers, after the commit, that jobs were queued due now,
   * in every process sharing the data; a started worker subscribes and claims at once. See {@link JobQueueSignal}.
   */
  readonly jobsQueued?: JobQueueSignal;
  /**
   * Runs `fn` in one transaction: everything it wrote through `tx` commits together when it
   * resolves, and nothing does when it throws (the error is rethrown). Use only `tx` inside.
   * Implementations may run `fn` again (after a serialisation failure, to replay it with a savepoint
   * around each call after a call that skipped its savepoint failed, or after an `orders.place` that was to carry
   * the `COMMIT` was refused: `PlaceOptions.last`), so it must not have side effects outside storage.
   *
   * Lock order: on a database storage the calls that write existing rows lock them, so concurrent
   * transactions wait for each other. Make those calls in this order, skipping what you do not need,
   * and they wait instead of deadlocking: the customer (`ledger.append`, `ledger.setCreditLimit`), then a subscription
   * (`subscriptions.update`, `devices.touch`), then capacity (`capacity.reserve`/`release`: plan, then target; `orders.place`: the customer, then its plans, then
   * its targets, each in id order), then a discount code (`discounts.redeem`/`release`), then the order (`orders.update`), then a referral
   * (`referrals.qualify`/`settle`), then jobs. Rows the transaction created itself are outside the order;
   * creating a row that points at another does not lock it against these calls. A payment
   * (`payments.transition`) comes before all of these: crediting it locks it, then its customer. So does a gift
   * (`gifts.claim`, `gifts.expire`): its row first, then the customers. A seat in a group (`sharing.join`) locks
   * its invite first, then the group's subscription. So does a storefront
   * (`storefronts.lockForSale`): its row, then its reseller's customer, then the buyer's; a partner's payout account
   * (`payouts.append`, `payouts.createWithdrawal`) comes last of all.
   * A trial claim (`trialClaims.claim`) comes first of all.
   */
  transaction<T>(fn: (tx: StorageTransaction) => Promise<T>): Promise<T>;
  /**
   * Waits for calls under way, then refuses new ones (`StorageMisuseError`), and ends `jobsQueued` (its subscribers
   * are dropped; a database storage closes its listening connection). The database client the host passed in is not
   * closed: the host owns it.
   */
  close(): Promise<void>;
}

/** The repositories as seen inside {@link StoragePort.transaction}: every call joins the transaction. */
export type StorageTransaction = StorageRepositories;

/** Every repository a storage offers, outside or inside a transaction. */
export interface StorageRepositories {
  readonly panels: PanelRepository;
  readonly targets: TargetRepository;
  readonly plans: PlanRepository;
  readonly capacity: CapacityRepository;
  readonly customers: CustomerRepository;
  readonly ledger: LedgerRepository;
  readonly orders: OrderRepository;
  readonly subscriptions: SubscriptionRepository;
  readonly jobs: JobRepository;
  readonly ticks: TickRepository;
  readonly panelSlots: PanelSlotRepository;
  readonly audit: AuditRepository;
  readonly discounts: DiscountRepository;
  readonly referrals: ReferralRepository;
  readonly priceBooks: PriceBookRepository;
  readonly sales: SalesRepository;
  readonly payments: PaymentRepository;
  readonly devices: DeviceRepository;
  readonly paymentMethods: SavedPaymentMethodRepository;
  readonly campaigns: CampaignRepository;
  readonly gifts: GiftRepository;
  readonly linkTokens: LinkTokenRepository;
  readonly sharing: SharingRepository;
  readonly storefronts: StorefrontRepository;
  readonly payouts: PayoutRepository;
  /** Who has had a trial of each plan family, by identity key (storage port 21). */
  readonly trialClaims: TrialClaimRepository;
  /** The owner's location catalog: each location tag's country and display name (storage port 22). */
  readonly locations: LocationRepository;
  /** The owner figures' inbox, folded contributions and rollups (storage port 29). */
  readonly figures: FigureRepository;
  /** The sharing guard's policy, readings and cases (storage port 30). */
  readonly guard: GuardRepository;
}

/** Panels (remote servers) the shop sells on. */
export interface PanelRepository {
  /**
   * Validates and stores a panel; the storage assigns the id. A panel's name is unique (compared exactly, as
   * stored): a name another panel has is a `PanelNameTakenError` (a `ConflictError`) and stores nothing, also
   * when two creates race from different processes.
   */
  create(input: NewPanel): Promise<Panel>;
  /** The panel, or `null` when there is none with this id. */
  get(id: string): Promise<Panel | null>;
  /** Ordered by name, then id. */
  list(): Promise<Panel[]>;
  /** Applies a strict patch; `NotFoundError` when missing, `PanelNameTakenError` for a name another panel has. */
  update(id: string, patch: PanelPatch): Promise<Panel>;
}

/** Targets: the inbounds or services on a panel that subscriptions are placed on. */
export interface TargetRepository {
  /** `(panelId, remoteRef)` is unique. */
  create(input: NewTarget): Promise<Target>;
  /** The target, or `null`. */
  get(id: string): Promise<Target | null>;
  /** The target with this panel-side reference on the panel (what target sync matches on), or `null`. */
  getByRemoteRef(panelId: string, remoteRef: string): Promise<Target | null>;
  /** Ordered by panel, then name, then id. */
  list(filter?: { panelId?: string }): Promise<Target[]>;
  /** Cannot change `allocated`: only the capacity repository moves it. */
  update(id: string, patch: TargetPatch): Promise<Target>;
}

/** Plans: what is sold (price, duration, traffic, placement). */
export interface PlanRepository {
  /** Validates and stores a plan; the storage assigns the id. */
  create(input: NewPlan): Promise<Plan>;
  /** The plan, or `null`. */
  get(id: string): Promise<Plan | null>;
  /** Ordered by price amount, then name, then id. */
  list(filter?: { onSale?: boolean }): Promise<Plan[]>;
  /** Applies a strict patch; `NotFoundError` when missing. Cannot change `allocated`. */
  update(id: string, patch: PlanPatch): Promise<Plan>;
}

/** Slots to take or give back on one target and one plan together. */
export interface CapacityRequest {
  /** The target whose `allocated` moves. */
  targetId: string;
  /** The plan whose `allocated` moves (checked against `maxClients`). */
  planId: string;
  /** How many slots; at least 1. */
  count: number;
}

/** Whether a reservation took its slots, or which side was full (then nothing changed). */
export type ReserveResult = { ok: true } | { ok: false; reason: 'target_full' | 'plan_full' };

/**
 * Slots on targets (`Target.capacity`) and plans (`Plan.maxClients`). Reservation is one atomic
 * step: concurrent callers can never take more than the capacity, and a refused reservation
 * changes nothing.
 */
export interface CapacityRepository {
  /** Takes `count` slots on the target and the plan, or none (`ok: false` with the reason). */
  reserve(request: CapacityRequest): Promise<ReserveResult>;
  /** Gives slots back; never takes a counter below zero. */
  release(request: CapacityRequest): Promise<void>;
}

/** A customer read with its price book (`CustomerRepository.getWithPriceBook`). */
export interface CustomerWithPriceBook {
  readonly customer: Customer;
  /** The customer's price book lines, in plan id order; empty for a customer who buys at list prices. */
  readonly priceBook: PriceBookEntry[];
  /**
   * The customer's ledger balances, as `ledger.balances` answers them in the same read (storage port 35): one a
   * currency the customer has entries in, by currency; a currency not listed is a balance of 0.
   */
  readonly balances: Money[];
}

/** Customers (buyers). */
export interface CustomerRepository {
  /** `email` and `externalRef` are unique when present. */
  create(input: NewCustomer): Promise<Customer>;
  /** The customer, or `null`. */
  get(id: string): Promise<Customer | null>;
  /** Case-insensitive. */
  getByEmail(email: string): Promise<Customer | null>;
  /** By the host's own reference (a Telegram user id, an account id), exact match; or `null`. */
  getByExternalRef(externalRef: string): Promise<Customer | null>;
  /**
   * The customer with this Telegram user id (exact match), or `null`. The id is not unique: when several customers
   * carry it, the one created first (by `createdAt`, then id).
   */
  getByTelegramId(telegramId: string): Promise<Customer | null>;
  /**
   * The customers with these external references, in no particular order; unknown ones are left out. At
   * most {@link MAX_ROWS_PER_CALL} references a call.
   */
  getByExternalRefs(externalRefs: readonly string[]): Promise<Customer[]>;
  /**
   * The customers with these ids (storage port 27), in no particular order; unknown ids are left out. At most
   * {@link MAX_ROWS_PER_CALL} ids a call.
   */
  getMany(ids: readonly string[]): Promise<Customer[]>;
  /**
   * The customer and its whole price book (`priceBooks.list`'s lines, in plan id order; none for a customer who buys
   * at list prices) in one read (storage port 27), or `null` for an unknown customer: what a buyer's screens price
   * every plan with (`plansPricedByBook` of `@panelkit/sdk/rules`) without a read a plan; and its ledger balances
   * (storage port 35), which those screens show. One statement on a database.
   */
  getWithPriceBook(id: string): Promise<CustomerWithPriceBook | null>;
  /**
   * Creates every customer, as `create` would one by one, in one call: all or none. A taken email or
   * external reference (stored, or twice in `inputs`) is a `ConflictError` and creates none. Returned in
   * the order given; at most {@link MAX_ROWS_PER_CALL} a call.
   */
  createMany(inputs: readonly NewCustomer[]): Promise<Customer[]>;
  /** Newest first. */
  list(page: PageRequest): Promise<Page<Customer>>;
  /** Applies a strict patch; `NotFoundError` when missing, `ConflictError` on a taken email/externalRef. */
  update(id: string, patch: CustomerPatch): Promise<Customer>;
}

/** What `ledger.append` wrote, or found under the same idempotency key. */
export interface LedgerAppendResult {
  entry: LedgerEntry;
  /** False when an entry with the same idempotency key already existed and was returned. */
  created: boolean;
}

/**
 * The append-only ledger. A balance is the sum of a customer's entries in one currency and is
 * never below the customer's floor: zero, or minus its credit limit in that currency.
 */
export interface LedgerRepository {
  /**
   * Appends one entry atomically with the balance check (`decideLedgerMove`), under the lock that
   * serialises the customer's appends and credit-limit changes across every connection.
   * - A debit that would take the balance below the floor (zero, or minus the credit limit) throws
   *   `InsufficientFundsError` (its `balance` is the balance, `details.creditLimit` the limit).
   * - A key already used with the same customer, kind, amount and currency returns that entry
   *   (`created: false`) and changes nothing; with different content it throws
   *   `IdempotencyConflictError`.
   */
  append(input: NewLedgerEntry): Promise<LedgerAppendResult>;
  /**
   * Appends the entries in the order given, each exactly as `append` would (balance check, a key
   * already used returns its entry with `created: false`, a key used again later in `inputs` returns
   * the earlier one), in one call: all or none. Any entry `append` would refuse (`InsufficientFundsError`,
   * `IdempotencyConflictError`, `NotFoundError`) refuses the whole call and writes nothing. The
   * customers' locks are taken in id order. Results in the order given; at most {@link MAX_ROWS_PER_CALL}.
   */
  appendMany(inputs: readonly NewLedgerEntry[]): Promise<LedgerAppendResult[]>;
  /** The entry written under this (globally unique) key, or `null`. */
  getByIdempotencyKey(key: string): Promise<LedgerEntry | null>;
  /** The customer's balance in `currency`, in integer minor units; 0 when there are no entries. */
  balance(customerId: string, currency: string): Promise<number>;
  /** Every currency the customer has entries or a credit limit in, ordered by currency. */
  balances(customerId: string): Promise<Money[]>;
  /** The customer's credit limit in `currency` (integer minor units); 0 when none was set. */
  creditLimit(customerId: string, currency: string): Promise<number>;
  /**
   * Sets the customer's credit limit in a currency (0 removes the credit), under the same lock as
   * `append`, so a debit racing it sees the old limit or the new one, never a mix. A limit below what
   * the customer owes now (`-balance`) is a `ConflictError` (`details.reason: 'balance_below_limit'`)
   * and changes nothing; a missing customer is a `NotFoundError`. Returns the limit as money.
   */
  setCreditLimit(input: CreditLimit): Promise<Money>;
  /** Newest first. */
  list(customerId: string, page: PageRequest): Promise<Page<LedgerEntry>>;
  /**
   * Every entry naming the order (`orderId`), oldest first (by `createdAt`, then id): its purchase
   * debits and the refunds of it. Empty for an unknown order. What a refund checks the order against.
   */
  listByOrder(orderId: string): Promise<LedgerEntry[]>;
}

/** An order `orders.settle` moved out of provisioning. */
export interface OrderSettlement {
  /** The order as settled. */
  order: Order;
  /** Its status before. */
  from: OrderStatus;
  /** Whether its customer has a referral waiting (`pending`) for a first paid order. */
  referralPending: boolean;
}

/** Orders written by checkout, and settled by the worker once their subscriptions are provisioned. */
export interface OrderRepository {
  /** `(customerId, idempotencyKey)` is unique: a second create with the same pair is a `ConflictError`. */
  create(input: NewOrder): Promise<Order>;
  /** The order, or `null`. */
  get(id: string): Promise<Order | null>;
  /** The customer's order made under this checkout idempotency key, or `null`. */
  getByIdempotencyKey(customerId: string, key: string): Promise<Order | null>;
  /** Newest first. */
  list(filter: { customerId?: string; status?: OrderStatus }, page: PageRequest): Promise<Page<Order>>;
  /**
   * Applies a strict patch (status, totals); `NotFoundError` when missing. An empty patch changes
   * nothing (not even `updatedAt`) but still locks the row for the rest of the transaction.
   */
  update(id: string, patch: OrderPatch): Promise<Order>;
  /**
   * Settles the given orders (at most {@link MAX_ROWS_PER_CALL}) once none of their subscriptions is pending:
   * an order whose subscriptions are all past `pending` becomes `completed` (none `failed`), `failed` (all
   * `failed`) or `partially_failed`; one with no subscription, `completed`. Returns, in id order, the orders
   * whose status this changed, with the status each had and whether its customer's referral is `pending` (so
   * the caller knows whether to qualify it without reading it). Orders missing, with a subscription pending, or
   * already in that status are left as they are and not returned.
   *
   * Locks every given order (in id order, as `orders.update` does: the port's lock order) before it reads
   * their subscriptions, so of two transactions settling subscriptions of one order the later sees what the
   * earlier wrote, and one of them settles it. On a database storage this is one statement.
   */
  settle(ids: readonly string[]): Promise<OrderSettlement[]>;
  /**
   * Writes a checkout at once: the order (with `ledgerEntryId` the debit's id), the debit, the
   * subscriptions, their slots, the jobs and the audit events; or nothing. A plan or target without room
   * for the subscriptions placed on it is `{ ok: false }` with the first one found full (plans by id,
   * then targets by id), and nothing is written: the caller may place again on other targets in the same
   * transaction. Other refusals throw and write nothing: a missing customer, plan or target
   * (`NotFoundError`), a target on another panel than its subscription's or rows that do not belong to
   * the order (`ValidationError`), a debit the balance and credit limit do not cover
   * (`InsufficientFundsError`), an idempotency key already taken (`ConflictError`). The taken key is judged
   * before funds and slots: a placement that waited on the customer's lock for one of the same key (a double
   * submit reaching two replicas) learns that the key is taken, never that the wallet it emptied is empty.
   *
   * Locks, in the port's order: the customer (when there is a debit), then the plans' and the targets'
   * slot counters, each kind in id order, taken last and held to the end of the transaction. On a
   * database storage this is one statement: an error the database raises (the `ConflictError`, a lost
   * connection) ends the transaction, as a failed read does, so the caller's transaction fails with it.
   * `options.last`: nothing follows this call in the transaction when it places (see {@link PlaceOptions}).
   */
  place(placement: OrderPlacement, options?: PlaceOptions): Promise<PlaceResult>;
  /**
   * A checkout's reads before it writes, in one read: the order already placed under the key, the customer, the
   * named plans, the customer's price book lines for them, every target and every panel, each as its own
   * repository's read answers it (see {@link CheckoutContext}). Locks nothing, as those reads do not; on a database
   * storage this is one statement, so its parts are read at one moment. A plan id that does not exist is left out
   * (the caller refuses it); a bad id, key or more than {@link MAX_ROWS_PER_CALL} plan ids is a `ValidationError`.
   */
  checkoutContext(request: CheckoutContextRequest): Promise<CheckoutContext>;
}

/**
 * The scheduler's due-queries. Each is served by an index, so its cost follows the number of
 * matching rows, not the size of the table. Time-based queries page in `(time, id)` order.
 */
export type DueQuery =
  /** `expiresAt` in `[from, to)` (`from` omitted: everything before `to`), status in `statuses`. */
  | { kind: 'expiring'; statuses: readonly SubscriptionStatus[]; from?: Date; to: Date }
  /** Status `active` with a traffic limit and `usedBytes >= trafficLimitBytes`. */
  | { kind: 'over_limit' }
  /** Status `on_hold` with `usedBytes > 0`: first use seen, the period should start. */
  | { kind: 'first_use' }
  /** Status in `statuses` with `statusChangedAt < before` (termination after a grace period). */
  | { kind: 'stale_status'; statuses: readonly SubscriptionStatus[]; before: Date };

/** What `subscriptions.recordUsage` did with a batch of readings. */
export interface UsageWriteResult {
  /** Readings applied. */
  applied: number;
  /** Readings ignored: unknown subscription, or not newer than what is stored. */
  ignored: number;
}

/** How `subscriptions.recordPanelUsage` writes a page of one panel's readings. */
export interface PanelUsageOptions {
  /** When the panel was read; a reading applies only to a subscription whose stored reading is older. */
  observedAt: Date;
  /**
   * Also name the matched `active` subscriptions with a traffic limit above 0 whose reading is at or
   * over this percent of it (those a traffic warning may be due for); `null`: none of them.
   */
  watchPercent: number | null;
}

/** What `subscriptions.recordPanelUsage` did with a page of readings. */
export interface PanelUsageWriteResult extends UsageWriteResult {
  /** Readings that matched a subscription with a client on the panel (status in `HAS_REMOTE_CLIENT`). */
  matched: number;
  /**
   * Usernames of the matched subscriptions the engine may have to act on, in no particular order:
   * those `on_hold` (first use may start their period), and those `watchPercent` names.
   */
  watch: string[];
}

/** One row of `subscriptions.updateMany`: what `update` takes. */
export interface SubscriptionUpdate {
  readonly id: string;
  readonly patch: SubscriptionPatch;
  /** The revision the patch was made against; another stored revision leaves the row unwritten. */
  readonly expectedRevision: number;
}

/** A subscription read with where it lives (`SubscriptionRepository.getManyWithPlaces`). */
export interface SubscriptionWithPlace {
  readonly subscription: Subscription;
  /** The subscription's target, or `null` when it is gone. */
  readonly target: Target | null;
  /** The subscription's panel, or `null` when it is gone. */
  readonly panel: Panel | null;
}

/** A subscription read with its customer (`SubscriptionRepository.getManyWithCustomers`). */
export interface SubscriptionWithCustomer {
  readonly subscription: Subscription;
  /** The subscription's customer, or `null` when it is gone. */
  readonly customer: Customer | null;
}

/** Subscriptions: one remote client each. */
export interface SubscriptionRepository {
  /**
   * `id` is required: the remote identity was derived from it. `(panelId, remote.username)` is
   * unique, and the target must be on `panelId` (`ValidationError` otherwise).
   */
  create(input: NewSubscription & { id: string }): Promise<Subscription>;
  /** The subscription, or `null`. */
  get(id: string): Promise<Subscription | null>;
  /** The subscription whose remote client on `panelId` has this username (usage sync, reconciliation), or `null`. */
  getByUsername(panelId: string, username: string): Promise<Subscription | null>;
  /**
   * The subscriptions whose remote clients on `panelId` have these usernames, in no particular
   * order; unknown usernames are left out. At most {@link MAX_USERNAMES_PER_LOOKUP} names a call
   * (`ValidationError` beyond). One round trip for a page of a panel's clients (usage sync).
   */
  getByUsernames(panelId: string, usernames: readonly string[]): Promise<Subscription[]>;
  /**
   * The subscriptions with these ids, in no particular order; unknown ids are left out. At most
   * {@link MAX_ROWS_PER_CALL} ids a call.
   */
  getMany(ids: readonly string[]): Promise<Subscription[]>;
  /**
   * The subscriptions with these ids as `getMany` reads them, each with its target and its panel as `targets.get` and
   * `panels.get` read them (`null` where a row is gone), in one call (a provisioning claim's reads, storage port 31).
   * In no particular order; unknown ids are left out. At most {@link MAX_ROWS_PER_CALL} ids a call.
   */
  getManyWithPlaces(ids: readonly string[]): Promise<SubscriptionWithPlace[]>;
  /**
   * The subscriptions with these ids as `getMany` reads them, each with its customer as `customers.get` reads it
   * (`null` where it is gone), in one call (a notice about a subscription and the buyer it is written for, storage
   * port 36). In no particular order; unknown ids are left out. At most {@link MAX_ROWS_PER_CALL} ids a call.
   */
  getManyWithCustomers(ids: readonly string[]): Promise<SubscriptionWithCustomer[]>;
  /**
   * Creates every subscription, each as `create` would, in one call: all or none. A taken id or
   * `(panelId, remote.username)` (stored, or twice in `inputs`) is a `ConflictError`; a missing
   * reference a `NotFoundError`; either creates none. Takes no capacity (reserve it in the same
   * transaction). Returned in the order given; at most {@link MAX_ROWS_PER_CALL} a call.
   */
  createMany(inputs: readonly (NewSubscription & { id: string })[]): Promise<Subscription[]>;
  /**
   * Applies `patch` if the stored revision is `expectedRevision` and bumps the revision;
   * otherwise throws `ConflictError` and changes nothing. Changing `status` sets
   * `statusChangedAt` to now unless the patch gives it. (The status state machine is the
   * engine's job; storage does not judge transitions.)
   */
  update(id: string, patch: SubscriptionPatch, options: { expectedRevision: number }): Promise<Subscription>;
  /**
   * Applies each update as `update` would (the patch, the revision bumped, `statusChangedAt` moved when the status
   * changes), in one call: one statement on a database, the rows locked in id order. A row whose stored revision is
   * not its `expectedRevision`, or that does not exist, is left as it is and comes back `null` (read it to tell which:
   * where `update` throws `ConflictError` or `NotFoundError`); the others are written whatever became of it. Results
   * in the order given. An invalid patch or an id given twice is a `ValidationError` and writes none; at most
   * {@link MAX_ROWS_PER_CALL} updates a call.
   */
  updateMany(updates: readonly SubscriptionUpdate[]): Promise<(Subscription | null)[]>;
  /** Newest first. */
  listByCustomer(customerId: string, page: PageRequest): Promise<Page<Subscription>>;
  /** Oldest first. */
  listByOrder(orderId: string): Promise<Subscription[]>;
  /** Ordered by id; for usage sync and reconciliation of one panel. */
  listByPanel(panelId: string, filter: { statuses?: readonly SubscriptionStatus[] }, page: PageRequest): Promise<Page<Subscription>>;
  /** What a scheduler sweep must act on; see {@link DueQuery}. */
  listDue(query: DueQuery, page: PageRequest): Promise<Page<Subscription>>;
  /**
   * Writes many usage readings at once. A reading applies only if it is newer than the stored
   * `usageObservedAt`, so replays and late readings are harmless. Does not change `revision`.
   */
  recordUsage(readings: readonly UsageReading[]): Promise<UsageWriteResult>;
  /**
   * Writes one page of a panel's readings, keyed by the clients' usernames on `panelId`: each applies
   * to the subscription with that username whose status has a client there (`HAS_REMOTE_CLIENT`) when
   * its stored `usageObservedAt` is older than `options.observedAt` (as `recordUsage`); unknown
   * usernames are ignored, and a username given twice counts its last reading. Does not change
   * `revision`. At most {@link MAX_USERNAMES_PER_LOOKUP} readings a call (`ValidationError` beyond).
   * One round trip a page, reading no more of a row than the write needs (usage sync).
   */
  recordPanelUsage(panelId: string, readings: readonly PanelUsageReading[], options: PanelUsageOptions): Promise<PanelUsageWriteResult>;
  /** How many subscriptions are in each status (every status present, 0 when none). */
  countByStatus(filter?: { panelId?: string }): Promise<Record<SubscriptionStatus, number>>;
  /**
   * How many subscriptions of the plan, not terminated, were sold on terms other than `terms` (compared as
   * values, key order aside); subscriptions without terms are not counted (they follow the plan).
   */
  countOnOtherTerms(planId: string, terms: SubscriptionTerms): Promise<number>;
}

/** The job `jobs.enqueue` made, or the queued twin it merged into. */
export interface JobEnqueueResult {
  job: Job;
  /**
   * False when a queued job with the same dedupe key existed (it now carries the new payload), or
   * when a job with the given id existed (unchanged).
   */
  created: boolean;
}

/**
 * One running job `jobs.settleMany` hands back, under its lease: `retry` (a failed attempt, queued again at `at`),
 * `dead` (a failed attempt, given up), `released` (not counted, as `release`) or `parked` (not counted, as `park`).
 */
export type JobSettlement =
  | { lease: Lease; outcome: 'retry'; error: SerializedError; at: Date }
  | { lease: Lease; outcome: 'dead'; error: SerializedError }
  | { lease: Lease; outcome: 'released' }
  | { lease: Lease; outcome: 'parked'; parking: JobParking };

/** What a worker asks `jobs.claim` for. */
export interface ClaimRequest {
  /** Recorded on the claimed jobs, for operators. */
  workerId: string;
  /** At most this many jobs; at least 1. */
  limit: number;
  /** Lease length in milliseconds, from the storage clock's now. */
  leaseMs: number;
  /** Only these types; all types when omitted. */
  types?: readonly string[];
  /**
   * Most jobs of one batch key (`Job.batchKey`) in this claim, 1…1000; default `limit`. The worker passes
   * `EnginePolicy.maxBatchSize`: a key never takes more of a claim than one batch write holds, so the rest
   * of it goes to the jobs behind. See `JobRepository.claim`.
   */
  batchLimit?: number;
  /**
   * 1…3 600 000: set by a worker that sleeps on `jobsQueued` (subscribed with this `workerId`) when the claim takes
   * nothing, for about as long as it sleeps before it polls. A storage that wakes one worker a queued job (PostgreSQL)
   * then counts it among the idle workers until that time has passed, it is woken (its subscription alone is called,
   * see `JobQueueSignal`), or one of its claims takes jobs. A storage that tells every subscriber of every commit
   * (memory) ignores it. Omitted: the worker is never counted idle; it hears only what is told every subscriber.
   */
  awaitWakeMs?: number;
}

/** Where and until when `JobRepository.park` parks a job. */
export interface JobParking {
  /** The panel known to be down; `unpark(panelId)` wakes the job. */
  panelId: string;
  /** When the job is due again if nothing wakes it earlier. */
  until: Date;
}

/**
 * Durable jobs with leases. At-least-once: a job whose lease expires is handed to another worker,
 * so handlers must be idempotent. Fencing: complete, fail and heartbeat need the current lease.
 *
 * Serialisation keys (`Job.serialKey`): a key is held while a job with it is `running`, i.e. from
 * its claim until it completes, fails, is released or is reaped (an expired lease holds the key until
 * it is reaped). A claim never hands out a job whose key is held, by any claimer on any connection or
 * replica sharing the storage. One claim may hand out several jobs of one free key (all to the one
 * claimer, which must then run them one after another or as one batch write); no other claim gets
 * that key until all of them have left `running`. Jobs with other keys, or none, are unaffected.
 */
export interface JobRepository {
  /**
   * Adds a job. With a dedupe key and a queued job of that key already present, no second job is
   * made: the queued one takes the new payload, serialisation key and batch key and the earlier of the two
   * run times. Dedupe keys are global, so callers start them with the job type
   * (`subscription.provision:sub_…`). With an `id` given and a job of that id already stored (in
   * any state), nothing is written and that job is returned with `created: false`: a cause that
   * names its job's id enqueues it at most once, from any number of replicas at once.
   */
  enqueue(input: NewJob): Promise<JobEnqueueResult>;
  /**
   * Adds every job as `enqueue` would, one after another in the order given, in one call: all or none, at most
   * {@link MAX_ROWS_PER_CALL} (`ValidationError` beyond, or for any bad row, and nothing is written). One result a
   * row, in order: `created` as `enqueue` would have answered for that row (a later row with the dedupe key or id of
   * an earlier one is `created: false`), and `job` the row's job as the call left it (rows merged into one job all
   * name it, with the last row's payload). On a database storage one statement writes the rows, in dedupe-key order,
   * so concurrent calls with overlapping keys neither deadlock nor leave two queued jobs of one key.
   */
  enqueueMany(inputs: readonly NewJob[]): Promise<JobEnqueueResult[]>;
  /** The job, or `null`. */
  get(id: string): Promise<Job | null>;
  /**
   * Atomically claims up to `limit` queued jobs whose `runAt` has come, by priority then run time,
   * skipping any whose dedupe key has a running job and any whose serialisation key is held (see
   * above). Claimed jobs become `running`, `attempts` goes up by one, and each gets a lease valid for
   * `leaseMs`: its job's id and a token no earlier claim handed out (the jobs of one claim may share it:
   * the pair is what proves ownership). Concurrent claims are disjoint, in jobs and in serialisation keys. A
   * claim racing another for the same free key may return fewer jobs than are due; the next one
   * takes them.
   *
   * Batch keys (`Job.batchKey`, port version 12): the claim's window is the first `limit` jobs it could
   * take in that order (what it takes when no job has a batch key). A window job with a batch key brings
   * the key's other claimable jobs (due, of a requested type, keys free) with it: the claim holds the
   * key's first `batchLimit` claimable jobs in claim order, and no more of that key, window jobs
   * included. Batches and the window's jobs without a key are taken in the order of their first job in
   * the window, until `limit` (the last batch may be cut short). So a key's due jobs arrive together
   * however many keys are due; a key takes at most `batchLimit` of a claim; the first job of the queue
   * is always taken, and a job is passed over only by batches whose first job stood before it (it waits
   * at most for the jobs before it, never for ever). A window holding more than `batchLimit` jobs of one
   * key returns fewer than `limit`; the next claim takes the rest. Across claimers a key's jobs may
   * still split (each claimer skips rows another has locked).
   */
  claim(request: ClaimRequest): Promise<ClaimedJob[]>;
  /**
   * Sets the given leases to expire `leaseMs` from now; returns those still held. A lease is held
   * while its job is running with that token: one past its expiry still holds until it is reaped.
   */
  heartbeat(leases: readonly Lease[], leaseMs: number): Promise<Lease[]>;
  /** Marks the job succeeded. False (and nothing changed) when the lease was lost. */
  complete(lease: Lease, result?: JsonValue): Promise<boolean>;
  /**
   * Marks the jobs of these leases succeeded (no result), at most {@link MAX_ROWS_PER_CALL}, as `complete` does
   * each: a lease no longer held (expired and reaped, taken over, settled) changes nothing. Returns the leases
   * whose jobs this completed. On a database storage this is one statement.
   */
  completeMany(leases: readonly Lease[]): Promise<Lease[]>;
  /**
   * Records a failed attempt: back to `queued` at `retry.at`, or `dead`. Sets `failingSince` to now
   * if it was `null`, and clears `parkedOn`. False when the lease was lost. When another queued job
   * with the same dedupe key appeared meanwhile, this one is `cancelled` as superseded instead of
   * requeued.
   */
  fail(lease: Lease, error: SerializedError, retry: { at: Date } | 'dead'): Promise<boolean>;
  /**
   * Hands a running job back without counting the attempt (graceful shutdown). False when the
   * lease was lost. Superseded like `fail` when a queued twin exists.
   */
  release(lease: Lease): Promise<boolean>;
  /**
   * Settles the jobs of these leases, at most {@link MAX_ROWS_PER_CALL}, each as `fail` (`retry`, `dead`), `release`
   * (`released`) or `park` (`parked`) does it: a lease no longer held changes nothing, and a requeued job with a queued
   * twin is superseded. Returns the leases whose jobs this settled. A job named twice is a `ValidationError` (nothing
   * changed). On a database storage this is one statement.
   */
  settleMany(settlements: readonly JobSettlement[]): Promise<Lease[]>;
  /**
   * Hands a running job back without counting the attempt, parked on `panelId` (a panel known to be
   * down): queued again, due at `until`, with `parkedOn` set and `failingSince` set if it was `null`.
   * `unpark(panelId)` makes it due at once. False when the lease was lost. Superseded like `fail`
   * when a queued twin exists.
   */
  park(lease: Lease, parking: JobParking): Promise<boolean>;
  /**
   * Wakes every queued job parked on the panel: due now (never later than it was), `parkedOn` cleared.
   * Returns how many. Jobs of other panels, and running ones, are untouched.
   */
  unpark(panelId: string): Promise<number>;
  /**
   * Requeues running jobs whose lease expired at or before now, recording a `LEASE_LOST` error;
   * returns how many. A job that has used all its attempts becomes `dead` instead (a job that
   * crashes its worker every time must stop). Superseded like `fail` when a queued twin exists.
   */
  reapExpired(): Promise<number>;
  /**
   * Puts a dead or cancelled job back in the queue, due now, with a fresh attempt budget (an
   * admin's retry): `attempts` 0, `failingSince` and `parkedOn` cleared. `ConflictError` when it is in another state, or when a queued job with the
   * same dedupe key exists.
   */
  retry(id: string): Promise<Job>;
  /** Cancels a queued job; false if it was not queued or does not exist. */
  cancel(id: string): Promise<boolean>;
  /** Newest first. */
  list(filter: { state?: JobState; type?: string; dedupeKey?: string }, page: PageRequest): Promise<Page<Job>>;
}

/** Leaderless periodic work: of all replicas asking for the same slot, exactly one wins it. */
export interface TickRepository {
  /** True for exactly one caller per `(name, slot)`, and only if `slot` is later than any slot won before. */
  tryAcquire(name: string, slot: Date): Promise<boolean>;
  /**
   * The storage's own time: the clock its job leases are measured on, the same for every replica (PostgreSQL:
   * the server's `clock_timestamp()`; a storage built on an injected test clock, or the memory storage: that
   * clock). The scheduler compares its replica's clock with it and runs no tick while the two are too far apart.
   */
  now(): Promise<Date>;
}

/**
 * A panel's call slots, shared by every process on one storage: a call to a panel first takes one of
 * its `size` slots and gives it back when done, so no more than `size` calls reach the panel at once
 * whatever the number of replicas. A slot is leased: one whose holder died comes back when its lease
 * ends. Leases are measured on the storage's own clock (the database server's), never a replica's.
 */
export interface PanelSlotRepository {
  /**
   * Takes a free slot among `0..size-1` of the panel for `holder` (unique per lease: one caller, or one
   * process handing the slot from call to call) for `leaseMs`; the slot's number, or `null` when all `size`
   * are held (the caller waits and asks again).
   */
  take(panelId: string, size: number, holder: string, leaseMs: number): Promise<number | null>;
  /**
   * Leases the slot to `holder` for `leaseMs` from now again, when `holder` still holds it (its lease may have
   * ended, as long as nobody took the slot since); true then, false when the slot went to another holder (the
   * caller must take one anew before it calls the panel again). `ValidationError` for a lease that is not a
   * positive whole number.
   */
  renew(panelId: string, slot: number, holder: string, leaseMs: number): Promise<boolean>;
  /** Gives the slot back, when `holder` still holds it (a slot whose lease ended and was taken again stays with its new holder). */
  give(panelId: string, slot: number, holder: string): Promise<void>;
}

/** The append-only audit trail: who did what to which subject. */
export interface AuditRepository {
  /** Stores one event, timestamped by the storage clock. */
  append(input: NewAuditEvent): Promise<AuditEvent>;
  /** Stores every event, as `append` would, in one call: all or none; in the order given, at most {@link MAX_ROWS_PER_CALL}. */
  appendMany(inputs: readonly NewAuditEvent[]): Promise<AuditEvent[]>;
  /** Newest first. */
  list(filter: { subjectType?: string; subjectId?: string; actor?: Actor['type'] }, page: PageRequest): Promise<Page<AuditEvent>>;
}
