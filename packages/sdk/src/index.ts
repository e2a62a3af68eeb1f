export * from './domain/common.js';
export * from './domain/money.js';
export * from './domain/ids.js';
export * from './domain/panel.js';
export * from './domain/target.js';
export * from './domain/plan.js';
export * from './domain/customer.js';
export * from './domain/ledger.js';
export * from './domain/order.js';
export * from './domain/remote-identity.js';
export * from './domain/subscription-status.js';
export * from './domain/subscription.js';
export * from './domain/subscription-terms.js';
export * from './domain/job.js';
export * from './domain/audit.js';
export * from './domain/discount.js';
export * from './domain/referral.js';
export * from './domain/price-book.js';
export * from './domain/payment.js';
export * from './ports/storage.js';
export * from './ports/storage-promotions.js';
export * from './ports/storage-price-books.js';
export * from './ports/storage-payments.js';
export * from './ports/payment-provider.js';
export * from './ports/panel.js';
export * from './ports/clock.js';
export * from './ports/logger.js';
export * from './errors.js';
export * from './events.js';
export * from './retry.js';
export * from './rules/index.js';
export * from './engine/index.js';
export { createPanelkit } from './panelkit.js';
export type {
  Panelkit,
  PanelkitCustomers,
  PanelkitOptions,
  PanelkitPanels,
  PanelkitPlans,
  PanelkitResellers,
  PanelkitTargets,
} from './panelkit.js';
export * from './scheduler/index.js';
export * from './secrets/index.js';
export * from './domain/sales.js';
export * from './ports/storage-sales.js';
