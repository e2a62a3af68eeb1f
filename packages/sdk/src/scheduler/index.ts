export { LIFECYCLE_TICK, HEALTH_TICK, SUSPECT_HEALTH_TICK } from './scheduler.js';
export type { Scheduler, SchedulerOptions, TickReport } from './scheduler.js';
export { USAGE_TICK_PREFIX } from './usage-sync.js';
export type { UsageSyncReport } from './usage-sync.js';
export type { ReconciliationReport, PanelReconciliation, DriftField } from './reconcile.js';
export type { DryRunOptions, PlannedItem, PlannedAction } from './dry-run.js';
