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

/** Each repository's factory, by its name in {@link StorageRepositories}. */
const FACTORIES: { readonly [K in keyof StorageRepositories]: (context: RepositoryContext) => StorageRepositories[K] } = {
  panels: panelRepository,
  targets: targetRepository,
  plans: planRepository,
  capacity: capacityRepository,
  customers: customerRepository,
  ledger: ledgerRepository,
  orders: orderRepository,
  subscriptions: subscriptionRepository,
  jobs: jobRepository,
  ticks: tickRepository,
  panelSlots: panelSlotRepository,
  audit: auditRepository,
  discounts: discountRepository,
  referrals: referralRepository,
  priceBooks: priceBookRepository,
  sales: salesRepository,
  payments: paymentRepository,
  devices: deviceRepository,
  paymentMethods: paymentMethodRepository,
  campaigns: campaignRepository,
  gifts: giftRepository,
  linkTokens: linkTokenRepository,
  sharing: sharingRepository,
  storefronts: storefrontRepository,
  payouts: payoutRepository,
  trialClaims: trialClaimRepository,
  locations: locationRepository,
  guard: guardRepository,
  figures: figureRepository,
};
const NAMES = Object.keys(FACTORIES) as (keyof StorageRepositories)[];

/**
 * Every repository over one runner: the storage's own, or one transaction's. Each is made when first read (an own,
 * enumerable property that then holds it), not all up front: a transaction uses two or three of the 29, and making
 * them all (their statements' texts built over the schema's name) was ~0.1–0.2 ms of a process's CPU a transaction
 * (bench/rush, a lone purchase's jobs: `createRepositories` 2 % of the main thread's samples).
 */
export function createRepositories(context: RepositoryContext): StorageRepositories {
  const repositories = {} as StorageRepositories;
  // From then on a plain data property, as when every repository was made up front.
  const hold = (name: keyof StorageRepositories, value: unknown) =>
    Object.defineProperty(repositories, name, { value, enumerable: true, writable: true, configurable: true });
  for (const name of NAMES) {
    Object.defineProperty(repositories, name, {
      enumerable: true,
      configurable: true,
      get: () => hold(name, FACTORIES[name](context))[name],
      set: (value: unknown) => void hold(name, value),
    });
  }
  return repositories;
}
