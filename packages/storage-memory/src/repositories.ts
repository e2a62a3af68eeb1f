import type { CustomerWithPriceBook, StorageRepositories } from '@panelkit/sdk/storage';
import { bind } from './internal/op.js';
import type { Op, Runner } from './internal/op.js';
import { auditOperations } from './repositories/audit.js';
import { capacityOperations } from './repositories/capacity.js';
import { customerOperations } from './repositories/customers.js';
import { discountOperations } from './repositories/discounts.js';
import { priceBookOperations } from './repositories/price-books.js';
import { paymentOperations } from './repositories/payments.js';
import { referralOperations } from './repositories/referrals.js';
import { salesOperations } from './repositories/sales.js';
import { jobLeaseOperations } from './repositories/job-leases.js';
import { jobOperations } from './repositories/jobs.js';
import { ledgerOperations } from './repositories/ledger.js';
import { orderOperations } from './repositories/orders.js';
import { orderPlacementOperation } from './repositories/order-placement.js';
import { orderSettlementOperation } from './repositories/order-settlement.js';
import { orderCheckoutContextOperation } from './repositories/order-checkout-context.js';
import { panelOperations } from './repositories/panels.js';
import { planOperations } from './repositories/plans.js';
import { subscriptionQueryOperations } from './repositories/subscription-queries.js';
import { subscriptionOperations } from './repositories/subscriptions.js';
import { targetOperations } from './repositories/targets.js';
import { tickOperations } from './repositories/ticks.js';
import { panelSlotOperations } from './repositories/panel-slots.js';
import { deviceOperations } from './repositories/devices.js';
import { paymentMethodOperations } from './repositories/payment-methods.js';
import { campaignOperations } from './repositories/campaigns.js';
import { giftOperations } from './repositories/gifts.js';
import { linkTokenOperations, linkTokenScopeOperation } from './repositories/link-tokens.js';
import { sharingOperations } from './repositories/sharing.js';
import { locationOperations } from './repositories/locations.js';
import { storefrontOperations } from './repositories/storefronts.js';
import { payoutOperations } from './repositories/payouts.js';
import { trialClaimOperations } from './repositories/trial-claims.js';
import { figureOperations } from './repositories/figures.js';
import { guardOperations } from './repositories/guard.js';
import type { MemoryState } from './state.js';

/** The synchronous operations of every repository over one state, made once per storage. */
export function createOperations(state: MemoryState) {
  const operations = {
    panels: panelOperations(state.panels),
    targets: targetOperations(state.targets, state.panels),
    plans: planOperations(state.plans),
    capacity: capacityOperations(state.targets.targets, state.plans),
    customers: customerOperations(state.customers, state.storefronts.storefronts),
    ledger: ledgerOperations(state.ledger, {
      customers: state.customers.customers,
      orders: state.orders.orders,
      subscriptions: state.subscriptions.subscriptions,
    }),
    orders: orderOperations(state.orders, state.customers.customers),
    subscriptions: {
      ...subscriptionOperations(state.subscriptions, {
        customers: state.customers.customers,
        plans: state.plans,
        panels: state.panels,
        targets: state.targets.targets,
        orders: state.orders.orders,
      }),
      ...subscriptionQueryOperations(state.subscriptions),
    },
    jobs: { ...jobOperations(state.jobs), ...jobLeaseOperations(state.jobs) },
    ticks: tickOperations(state.ticks),
    panelSlots: panelSlotOperations(state.panelSlots),
    audit: auditOperations(state.audit),
    discounts: discountOperations(state.discounts, state.customers.customers),
    referrals: referralOperations(state.referrals, state.customers.customers),
    priceBooks: priceBookOperations(state.priceBooks, { customers: state.customers.customers, plans: state.plans }),
    sales: salesOperations({
      ledger: state.ledger.entries,
      orders: state.orders.orders,
      subscriptions: state.subscriptions.subscriptions,
      attributions: state.campaigns,
    }),
    payments: paymentOperations(state.payments, state.customers.customers),
    devices: deviceOperations(state.devices, state.subscriptions.subscriptions),
    paymentMethods: paymentMethodOperations(state.paymentMethods, state.customers.customers),
    campaigns: campaignOperations(state.campaigns, state.customers.customers),
    gifts: giftOperations(state.gifts, { customers: state.customers.customers, plans: state.plans }),
    linkTokens: linkTokenOperations(state.linkTokens, state.customers.customers, state.subscriptions.subscriptions),
    sharing: sharingOperations(state.sharing, state.subscriptions.subscriptions),
    storefronts: storefrontOperations(state.storefronts, {
      customers: state.customers.customers,
      plans: state.plans,
      orders: state.orders.orders,
      subscriptions: state.subscriptions.subscriptions,
    }),
    payouts: payoutOperations(state.payouts, { customers: state.customers.customers }),
    trialClaims: trialClaimOperations(state.trialClaims, state.customers.customers),
    locations: locationOperations(state.locations),
    guard: guardOperations(state.guard, state.subscriptions.subscriptions),
    figures: figureOperations(state),
  };
  const place = orderPlacementOperation({
    orders: operations.orders,
    ledger: operations.ledger,
    subscriptions: operations.subscriptions,
    jobs: operations.jobs,
    audit: operations.audit,
    customers: state.customers.customers,
    targets: state.targets.targets,
    plans: state.plans,
  });
  const settle = orderSettlementOperation(state.orders.orders, state.subscriptions, state.referrals);
  const linkTokens = linkTokenScopeOperation(operations.linkTokens, operations.subscriptions, operations.devices);
  const checkoutContext = orderCheckoutContextOperation(operations);
  // The customer and its price book under the storage's lock, each as its own repository reads it.
  const getWithPriceBook = (op: Op, id: string): CustomerWithPriceBook | null => {
    const customer = operations.customers.get(op, id);
    if (customer === null) return null;
    return { customer, priceBook: operations.priceBooks.list(op, customer.id), balances: operations.ledger.balances(op, customer.id) };
  };
  return {
    ...operations,
    customers: { ...operations.customers, getWithPriceBook },
    orders: { ...operations.orders, place, settle, checkoutContext },
    linkTokens,
  };
}

export type MemoryOperations = ReturnType<typeof createOperations>;

/** The repositories, each call run through `runner` (its own transaction, or an open one). */
export function bindRepositories(operations: MemoryOperations, runner: Runner): StorageRepositories {
  return {
    panels: bind('panels', operations.panels, runner),
    targets: bind('targets', operations.targets, runner),
    plans: bind('plans', operations.plans, runner),
    capacity: bind('capacity', operations.capacity, runner),
    customers: bind('customers', operations.customers, runner),
    ledger: bind('ledger', operations.ledger, runner),
    orders: bind('orders', operations.orders, runner),
    subscriptions: bind('subscriptions', operations.subscriptions, runner),
    jobs: bind('jobs', operations.jobs, runner),
    ticks: bind('ticks', operations.ticks, runner),
    panelSlots: bind('panelSlots', operations.panelSlots, runner),
    audit: bind('audit', operations.audit, runner),
    discounts: bind('discounts', operations.discounts, runner),
    referrals: bind('referrals', operations.referrals, runner),
    priceBooks: bind('priceBooks', operations.priceBooks, runner),
    sales: bind('sales', operations.sales, runner),
    payments: bind('payments', operations.payments, runner),
    devices: bind('devices', operations.devices, runner),
    paymentMethods: bind('paymentMethods', operations.paymentMethods, runner),
    campaigns: bind('campaigns', operations.campaigns, runner),
    gifts: bind('gifts', operations.gifts, runner),
    linkTokens: bind('linkTokens', operations.linkTokens, runner),
    sharing: bind('sharing', operations.sharing, runner),
    storefronts: bind('storefronts', operations.storefronts, runner),
    payouts: bind('payouts', operations.payouts, runner),
    trialClaims: bind('trialClaims', operations.trialClaims, runner),
    locations: bind('locations', operations.locations, runner),
    guard: bind('guard', operations.guard, runner),
    figures: bind('figures', operations.figures, runner),
  };
}
