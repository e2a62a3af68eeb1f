import { createAuditTables } from './repositories/audit.js';
import type { AuditTables } from './repositories/audit.js';
import { createCustomerTables } from './repositories/customers.js';
import type { CustomerTables } from './repositories/customers.js';
import { createDiscountTables } from './repositories/discounts.js';
import type { DiscountTables } from './repositories/discounts.js';
import { createPriceBookTables } from './repositories/price-books.js';
import type { PriceBookTables } from './repositories/price-books.js';
import { createPaymentTables } from './repositories/payments.js';
import { createPaymentMethodTables } from './repositories/payment-methods.js';
import type { PaymentMethodTables } from './repositories/payment-methods.js';
import type { PaymentTables } from './repositories/payments.js';
import { createReferralTables } from './repositories/referrals.js';
import type { ReferralTables } from './repositories/referrals.js';
import { createLedgerTables } from './repositories/ledger.js';
import type { LedgerTables } from './repositories/ledger.js';
import { createOrderTables } from './repositories/orders.js';
import type { OrderTables } from './repositories/orders.js';
import { createPanelTable } from './repositories/panels.js';
import type { PanelTable } from './repositories/panels.js';
import { createPlanTable } from './repositories/plans.js';
import type { PlanTable } from './repositories/plans.js';
import { createTargetTables } from './repositories/targets.js';
import type { TargetTables } from './repositories/targets.js';
import { createTickTable } from './repositories/ticks.js';
import { createPanelSlotTable, type PanelSlotTable } from './repositories/panel-slots.js';
import type { TickTable } from './repositories/ticks.js';
import { createGiftTables, type GiftTables } from './repositories/gifts.js';
import { createDeviceTable, type DeviceTable } from './repositories/devices.js';
import { createCampaignTable, type CampaignTable } from './repositories/campaigns.js';
import { createLinkTokenTables, type LinkTokenTables } from './repositories/link-tokens.js';
import { createSharingTables, type SharingTables } from './repositories/sharing.js';
import { createStorefrontTables, type StorefrontTables } from './repositories/storefronts.js';
import { createPayoutTables, type PayoutTables } from './repositories/payouts.js';
import { createTrialClaimTable, type TrialClaimTable } from './repositories/trial-claims.js';
import { createLocationTable, type LocationTable } from './repositories/locations.js';
import { createGuardTables, type GuardTables } from './repositories/guard.js';
import { createJobTables } from './tables/jobs.js';
import type { JobTables } from './tables/jobs.js';
import { createSubscriptionTables } from './tables/subscriptions.js';
import type { SubscriptionTables } from './tables/subscriptions.js';
import { FigureTables } from './tables/figures.js';
import { watchFigureInputs } from './tables/figure-marks.js';

/** Everything one memory storage holds. */
export interface MemoryState {
  readonly panels: PanelTable;
  readonly targets: TargetTables;
  readonly plans: PlanTable;
  readonly customers: CustomerTables;
  readonly ledger: LedgerTables;
  readonly orders: OrderTables;
  readonly subscriptions: SubscriptionTables;
  readonly jobs: JobTables;
  readonly ticks: TickTable;
  readonly panelSlots: PanelSlotTable;
  readonly audit: AuditTables;
  readonly discounts: DiscountTables;
  readonly referrals: ReferralTables;
  readonly priceBooks: PriceBookTables;
  readonly payments: PaymentTables;
  readonly devices: DeviceTable;
  readonly paymentMethods: PaymentMethodTables;
  readonly campaigns: CampaignTable;
  readonly gifts: GiftTables;
  readonly linkTokens: LinkTokenTables;
  readonly sharing: SharingTables;
  readonly storefronts: StorefrontTables;
  readonly payouts: PayoutTables;
  readonly trialClaims: TrialClaimTable;
  readonly locations: LocationTable;
  readonly guard: GuardTables;
  readonly figures: FigureTables;
}

/** Empty tables, with the figures' marks watching the tables that hold figure inputs. */
export function createMemoryState(): MemoryState {
  const state: MemoryState = {
    panels: createPanelTable(),
    targets: createTargetTables(),
    plans: createPlanTable(),
    customers: createCustomerTables(),
    ledger: createLedgerTables(),
    orders: createOrderTables(),
    subscriptions: createSubscriptionTables(),
    jobs: createJobTables(),
    ticks: createTickTable(),
    panelSlots: createPanelSlotTable(),
    audit: createAuditTables(),
    discounts: createDiscountTables(),
    referrals: createReferralTables(),
    priceBooks: createPriceBookTables(),
    payments: createPaymentTables(),
    devices: createDeviceTable(),
    paymentMethods: createPaymentMethodTables(),
    campaigns: createCampaignTable(),
    gifts: createGiftTables(),
    linkTokens: createLinkTokenTables(),
    sharing: createSharingTables(),
    storefronts: createStorefrontTables(),
    payouts: createPayoutTables(),
    trialClaims: createTrialClaimTable(),
    locations: createLocationTable(),
    guard: createGuardTables(),
    figures: new FigureTables(),
  };
  watchFigureInputs(state);
  return state;
}
