import type { ActorInput, Page, PageRequest } from '../domain/common.js';
import type { Customer } from '../domain/customer.js';
import type { Money } from '../domain/money.js';
import type { Plan } from '../domain/plan.js';
import type { PayoutEntry, Withdrawal, WithdrawalStatus } from '../domain/payout.js';
import type { SalesFiguresQuery } from '../domain/sales.js';
import type { MenuItem, NewMenuItem, NewStorefront, Storefront, StorefrontPatch, StorefrontStatus } from '../domain/storefront.js';
import type { EngineContext } from './context.js';
import { approveWithdrawal, creditPayout, markWithdrawalPaid, payoutPositions, refuseWithdrawal, requestWithdrawal } from './payouts.js';
import type { PayoutCredit, PayoutPosition, WithdrawalRequest, WithdrawalStepResult } from './payouts.js';
import { storefrontPlans } from './storefront-sale.js';
import { resellerFigures, storefrontSplitFigures } from './storefront-figures.js';
import type { ResellerFigures, StorefrontSplitFigures } from './storefront-figures.js';
import {
  createStorefront,
  getStorefront,
  moveBuyer,
  removeMenuItem,
  setMenuItem,
  setStorefrontStatus,
  storefrontBuyers,
  storefrontCatalog,
  storefrontUsage,
  updateStorefront,
} from './storefronts.js';
import type { MoveBuyerRequest, StorefrontCatalogItem, StorefrontUsageReport } from './storefronts.js';

/**
 * Resellers' storefronts (`kit.storefronts`): the owner opens, edits, suspends and resumes them, sets their menus and
 * quotas and moves buyers between them; each storefront's buyers buy through `kit.checkout` as anyone does, at the
 * storefront's retail prices, and each sale splits into the reseller's wholesale debit and a payout credit of the
 * retail (and bonus) in the same transaction: the reseller earns the margin. Every change is audited (subject `storefront`, or `customer` for a move).
 */
export interface PanelkitStorefronts {
  /** Opens a storefront for a reseller (a customer with a price book); see `createStorefront`. */
  create(input: NewStorefront, actor?: ActorInput): Promise<Storefront>;
  /** The storefront; `NotFoundError` when there is none. */
  get(id: string): Promise<Storefront>;
  /** The reseller's storefront, or `null`. */
  byReseller(resellerId: string): Promise<Storefront | null>;
  /** Every storefront (or those in one status), ordered by name, then id. */
  list(filter?: { status?: StorefrontStatus }): Promise<Storefront[]>;
  /** Changes its name, quotas or commission tiers (audited). */
  update(id: string, patch: StorefrontPatch, actor?: ActorInput): Promise<Storefront>;
  /** Stops its sales (audited with the reason); its buyers' subscriptions keep running. The same again writes nothing. */
  suspend(id: string, actor?: ActorInput, reason?: string | null): Promise<Storefront>;
  /** Lets it sell again (audited). */
  resume(id: string, actor?: ActorInput, reason?: string | null): Promise<Storefront>;
  /** Puts a plan on its menu at a retail price in the plan's currency (audited). */
  setMenuItem(input: NewMenuItem, actor?: ActorInput): Promise<MenuItem>;
  /** Takes a plan off its menu (audited); whether it was on it. */
  removeMenuItem(storefrontId: string, planId: string, actor?: ActorInput): Promise<boolean>;
  /** Its menu lines, ordered by plan id. */
  menu(storefrontId: string): Promise<MenuItem[]>;
  /** What its buyers can buy now: the plans on its menu and on sale, at its retail prices, with the wholesale price. */
  catalog(storefrontId: string): Promise<StorefrontCatalogItem[]>;
  /**
   * Of `plans`, the ones it sells now (on its menu and on sale, of one price; the catalog's plans), at its retail
   * prices, in the given order: what a host lists for its buyers and visitors. A storefront without a menu sells none.
   */
  plansSold(storefrontId: string, plans: readonly Plan[]): Promise<Plan[]>;
  /** Moves a buyer to a storefront or to the owner's own shop (audited); see `moveBuyer`. */
  moveBuyer(request: MoveBuyerRequest): Promise<Customer>;
  /** Its buyers, newest first. */
  buyers(storefrontId: string, page: PageRequest): Promise<Page<Customer>>;
  /** What its buyers hold now against its quotas, and how many buyers it has. */
  usage(storefrontId: string): Promise<StorefrontUsageReport>;
  /** The owner's figures split by storefront over days of a time zone (see `storefrontSplitFigures`). */
  figures(query: SalesFiguresQuery): Promise<StorefrontSplitFigures>;
  /** One storefront's figures, and its reseller's payouts: the reseller's back office (see `resellerFigures`). */
  resellerFigures(storefrontId: string, query: SalesFiguresQuery): Promise<ResellerFigures>;
}

/**
 * Partners' payouts (`kit.payouts`): the retail collected for resellers' sales (and commissions referral partners
 * are credited) build a payout balance apart from their wallet (a reseller may withdraw what is left after what
 * their wallet owes); a partner asks for a withdrawal (held at once), the owner approves
 * and marks it paid, or refuses it with a reason (the hold released). Every step is audited (subject `withdrawal`).
 */
export interface PanelkitPayouts {
  /** A partner asks to be paid; see `requestWithdrawal`. */
  request(request: WithdrawalRequest): Promise<WithdrawalStepResult>;
  /** The owner approves it; of two admins at once, one approval (see `approveWithdrawal`). */
  approve(withdrawalId: string, actor?: ActorInput): Promise<WithdrawalStepResult>;
  /** The owner marks an approved withdrawal paid, with the payment's reference. */
  markPaid(withdrawalId: string, reference: string | null, actor?: ActorInput): Promise<WithdrawalStepResult>;
  /** The owner refuses it with a reason; its hold goes back to the payout balance. */
  refuse(withdrawalId: string, reason: string, actor?: ActorInput): Promise<WithdrawalStepResult>;
  /** The withdrawal, or `null`. */
  get(withdrawalId: string): Promise<Withdrawal | null>;
  /** Withdrawals, newest first, of one partner or in one status, or all. */
  list(filter: { partnerId?: string; status?: WithdrawalStatus }, page: PageRequest): Promise<Page<Withdrawal>>;
  /** A partner's payout balance and holds, per currency. */
  positions(partnerId: string): Promise<PayoutPosition[]>;
  /** A partner's payout balances, per currency (what `request` may ask for). */
  balances(partnerId: string): Promise<Money[]>;
  /** A partner's payout entries, newest first. */
  entries(partnerId: string, page: PageRequest): Promise<Page<PayoutEntry>>;
  /** Credits (or corrects) a partner's payout balance once per key: a referral partner's commission (audited). */
  credit(input: PayoutCredit): Promise<{ entry: PayoutEntry; created: boolean }>;
}

/** `kit.storefronts` over an engine context. */
export function createStorefronts(ctx: EngineContext): PanelkitStorefronts {
  const { storage } = ctx;
  return {
    create: (input, actor) => createStorefront(ctx, input, actor),
    get: (id) => getStorefront(ctx, id),
    byReseller: (resellerId) => storage.storefronts.getByReseller(resellerId),
    list: (filter) => storage.storefronts.list(filter),
    update: (id, patch, actor) => updateStorefront(ctx, id, patch, actor),
    suspend: (id, actor, reason) => setStorefrontStatus(ctx, id, 'suspended', actor, reason ?? null),
    resume: (id, actor, reason) => setStorefrontStatus(ctx, id, 'active', actor, reason ?? null),
    setMenuItem: (input, actor) => setMenuItem(ctx, input, actor),
    removeMenuItem: (storefrontId, planId, actor) => removeMenuItem(ctx, storefrontId, planId, actor),
    menu: (storefrontId) => storage.storefronts.menu(storefrontId),
    catalog: (storefrontId) => storefrontCatalog(ctx, storefrontId),
    plansSold: (storefrontId, plans) => storefrontPlans(storage, storefrontId, plans),
    moveBuyer: (request) => moveBuyer(ctx, request),
    buyers: (storefrontId, page) => storefrontBuyers(ctx, storefrontId, page),
    usage: (storefrontId) => storefrontUsage(ctx, storefrontId),
    figures: (query) => storefrontSplitFigures(ctx, query),
    resellerFigures: (storefrontId, query) => resellerFigures(ctx, storefrontId, query),
  };
}

/** `kit.payouts` over an engine context. */
export function createPayouts(ctx: EngineContext): PanelkitPayouts {
  const { storage } = ctx;
  return {
    request: (request) => requestWithdrawal(ctx, request),
    approve: (id, actor) => approveWithdrawal(ctx, id, actor),
    markPaid: (id, reference, actor) => markWithdrawalPaid(ctx, id, reference, actor),
    refuse: (id, reason, actor) => refuseWithdrawal(ctx, id, reason, actor),
    get: (id) => storage.payouts.getWithdrawal(id),
    list: (filter, page) => storage.payouts.listWithdrawals(filter, page),
    positions: (partnerId) => payoutPositions(ctx, partnerId),
    balances: (partnerId) => storage.payouts.balances(partnerId),
    entries: (partnerId, page) => storage.payouts.list(partnerId, page),
    credit: (input) => creditPayout(ctx, input),
  };
}
