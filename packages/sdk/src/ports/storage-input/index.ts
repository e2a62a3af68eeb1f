/**
 * Input checks shared by storage implementations: every storage validates the port's arguments
 * the same way, so a bad argument is the same `ValidationError` whichever storage is plugged in.
 * See docs/guides/writing-a-storage.md.
 */
export * from './checks.js';
export * from './cursors.js';
export * from './requests.js';
export * from './filters.js';
export * from './sales.js';
export * from './panel-usage.js';
export * from './placement.js';
export * from './link-tokens.js';
export * from './trial-claims.js';
export * from './locations.js';
export * from './checkout-context.js';
export * from './subscription-updates.js';
export * from './figures.js';
export * from './guard.js';
export * from './devices.js';
export * from './jobs.js';
export * from './json-copy.js';
