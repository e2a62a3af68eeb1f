import { initial } from './001_initial.js';
import { jobSerialKeys } from './002_job_serial_keys.js';
import { jobParking } from './003_job_parking.js';
import { planTrafficTopUp } from './004_plan_traffic_top_up.js';
import { discountsReferrals } from './005_discounts_referrals.js';
import { subscriptionTerms } from './006_subscription_terms.js';
import { resellerCredit } from './007_reseller_credit.js';
import { payments } from './008_payments.js';
import { salesFigures } from './009_sales_figures.js';
import { heapOnlyUsage } from './010_heap_only_usage.js';
import { panelSlots } from './011_panel_slots.js';
import { jobBatchKeys } from './012_job_batch_keys.js';
import { usageFillfactor } from './013_usage_fillfactor.js';
import { devices } from './014_devices.js';
import { jobsQueuedNotify } from './015_jobs_queued_notify.js';
import { settleOrders } from './016_settle_orders.js';
import { uniquePanelNames } from './017_unique_panel_names.js';
import { gifts } from './019_gifts.js';
import { savedPaymentMethods } from './018_saved_payment_methods.js';
import { campaignAttributions } from './021_campaign_attributions.js';
import { planDevicePack } from './020_plan_device_pack.js';
import { jobSerialKeyQueues } from './022_job_serial_key_queues.js';
import { jobWaiters } from './022_job_waiters.js';
import { discountCodeCustomer } from './023_discount_code_customer.js';
import { jobsInsertedNotify } from './024_jobs_inserted_notify.js';
import { linkTokens } from './025_link_tokens.js';
import { jobStateIndex } from './026_job_state_index.js';
import { trialClaims } from './028_trial_claims.js';
import { locations } from './034_locations.js';
import { jobClaimIndexes } from './035_job_claim_indexes.js';
import { jobWaiterTypes } from './036_job_waiter_types.js';
import { planBuilder } from './029_plan_builder.js';
import { sharing } from './030_sharing.js';
import { succeededJobs } from './032_succeeded_jobs.js';
import { storefronts } from './031_storefronts.js';
import { storefrontCharges } from './033_storefront_charges.js';
import { entitlementKinds } from './038_entitlement_kinds.js';
import { guard } from './040_guard.js';
import { figureBucketCheckpoints } from './041_figure_bucket_checkpoints.js';
import { figureDays } from './042_figure_days.js';
import { jobsKeyFreedNotify } from './043_jobs_key_freed_notify.js';
import { ownerFigures } from './039_owner_figures.js';

/** One schema change: applied once, in version order, inside the migration transaction. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** SQL with `{{schema}}` where the quoted schema name goes. */
  readonly sql: string;
}

/** Every migration this build knows, oldest first. Append only; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'job_serial_keys', sql: jobSerialKeys },
  { version: 3, name: 'job_parking', sql: jobParking },
  { version: 4, name: 'plan_traffic_top_up', sql: planTrafficTopUp },
  { version: 5, name: 'discounts_referrals', sql: discountsReferrals },
  { version: 6, name: 'subscription_terms', sql: subscriptionTerms },
  { version: 7, name: 'reseller_credit', sql: resellerCredit },
  { version: 8, name: 'payments', sql: payments },
  { version: 9, name: 'sales_figures', sql: salesFigures },
  { version: 10, name: 'heap_only_usage', sql: heapOnlyUsage },
  { version: 11, name: 'panel_slots', sql: panelSlots },
  { version: 12, name: 'job_batch_keys', sql: jobBatchKeys },
  { version: 13, name: 'usage_fillfactor', sql: usageFillfactor },
  { version: 14, name: 'devices', sql: devices },
  { version: 15, name: 'jobs_queued_notify', sql: jobsQueuedNotify },
  { version: 16, name: 'settle_orders', sql: settleOrders },
  { version: 17, name: 'unique_panel_names', sql: uniquePanelNames },
  { version: 18, name: 'saved_payment_methods', sql: savedPaymentMethods },
  { version: 19, name: 'gifts', sql: gifts },
  { version: 20, name: 'plan_device_pack', sql: planDevicePack },
  { version: 21, name: 'campaign_attributions', sql: campaignAttributions },
  { version: 22, name: 'job_claims_and_wakes', sql: jobSerialKeyQueues + jobWaiters },
  { version: 23, name: 'discount_code_customer', sql: discountCodeCustomer },
  { version: 24, name: 'jobs_inserted_notify', sql: jobsInsertedNotify },
  { version: 25, name: 'link_tokens', sql: linkTokens },
  { version: 26, name: 'job_state_index', sql: jobStateIndex },
  // 27 was allocated to a queue change that did not need one: versions may leave gaps, never go back.
  { version: 28, name: 'trial_claims', sql: trialClaims },
  { version: 29, name: 'plan_builder', sql: planBuilder },
  { version: 30, name: 'sharing', sql: sharing },
  { version: 31, name: 'storefronts', sql: storefronts },
  { version: 32, name: 'succeeded_jobs', sql: succeededJobs },
  { version: 33, name: 'storefront_charges', sql: storefrontCharges },
  { version: 34, name: 'locations', sql: locations },
  { version: 35, name: 'job_claim_indexes', sql: jobClaimIndexes },
  { version: 36, name: 'job_waiter_types', sql: jobWaiterTypes },
  // 37 was a held-key wake trigger, reverted before any release (bench/RESULTS.md).
  { version: 38, name: 'entitlement_kinds', sql: entitlementKinds },
  { version: 39, name: 'owner_figures', sql: ownerFigures },
  { version: 40, name: 'guard', sql: guard },
  { version: 41, name: 'figure_bucket_checkpoints', sql: figureBucketCheckpoints },
  { version: 42, name: 'figure_days', sql: figureDays },
  { version: 43, name: 'jobs_key_freed_notify', sql: jobsKeyFreedNotify },
]);

/** The schema version this build migrates to (the highest migration number); `schemaVersion` returns what a database has. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
