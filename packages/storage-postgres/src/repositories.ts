import type { StorageRepositories } from '@panelkit/sdk/storage';
import type { RepositoryContext } from './internal/runner.js';
import { auditRepository } from './repositories/audit.js';
import { capacityRepository } from './repositories/capacity.js';
import { customerRepository } from './repositories/customers.js';
import { discountRepository } from './repositories/discounts.js';
import { priceBookRepository } from './repositories/price-books.js';
import { paymentRepository } from './repositories/payments.js';
import { referralRepository } from './repositories/referrals.js';
import { salesRepository } from './repositories/sales.js';
import { jobRepository } from './repositories/jobs.js';
import { ledgerRepository } from './repositories/ledger.js';
import { orderRepository } from './repositories/orders.js';
import { panelRepository } from './repositories/panels.js';
import { planRepository } from './repositories/plans.js';
import { subscriptionRepository } from './repositories/subscriptions.js';
import { targetRepository } from './repositories/targets.js';
import { tickRepository } from './repositories/ticks.js';
import { panelSlotRepository } from './repositories/panel-slots.js';
import { deviceRepository } from './repositories/devices.js';
import { paymentMethodRepository } from './repositories/payment-methods.js';
import { campaignRepository } from './repositories/campaigns.js';
import { giftRepository } from './repositories/gifts.js';
import { sharingRepository } from './repositories/sharing.js';
import { linkTokenRepository } from './repositories/link-tokens.js';
import { storefrontRepository } from './repositories/storefronts.js';
import { payoutRepository } from './repositories/payouts.js';
import { trialClaimRepository } from './repositories/trial-claims.js';
import { locationRepository } from './repositories/locations.js';
import { guardRepository } from './repositories/guard.js';
import { figureRepository } from './repositories/figures.js';

/** Every repository over one runner: the storage's own, or one transaction's. */
export function createRepositories(context: RepositoryContext): StorageRepositories {
  return {
    panels: panelRepository(context),
    targets: targetRepository(context),
    plans: planRepository(context),
    capacity: capacityRepository(context),
    customers: customerRepository(context),
    ledger: ledgerRepository(context),
    orders: orderRepository(context),
    subscriptions: subscriptionRepository(context),
    jobs: jobRepository(context),
    ticks: tickRepository(context),
    panelSlots: panelSlotRepository(context),
    audit: auditRepository(context),
    discounts: discountRepository(context),
    referrals: referralRepository(context),
    priceBooks: priceBookRepository(context),
    sales: salesRepository(context),
    payments: paymentRepository(context),
    devices: deviceRepository(context),
    paymentMethods: paymentMethodRepository(context),
    campaigns: campaignRepository(context),
    gifts: giftRepository(context),
    linkTokens: linkTokenRepository(context),
    sharing: sharingRepository(context),
    storefronts: storefrontRepository(context),
    payouts: payoutRepository(context),
    trialClaims: trialClaimRepository(context),
    locations: locationRepository(context),
    guard: guardRepository(context),
    figures: figureRepository(context),
  };
}
