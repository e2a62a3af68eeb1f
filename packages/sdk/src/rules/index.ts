/**
 * `@panelkit/sdk/rules`: the pure pricing and eligibility rules the engine decides with (renewal, extension,
 * trial, plan change, traffic top-up, device pack, discount, referral, refund, reseller price, credit, payment closing),
 * the time helpers (`addDays`, `DAY_MS`, zoned days) and the owner figures' definitions (`buyerContribution`, months
 * in a zone and calendar, coverage, acquisition source) and the sharing guard's (address prefixes, the window rule, `GuardPolicySchema`). A shop can show a quote with them; the kit applies them itself.
 *
 * @module
 */
export * from './time.js';
export * from './extension.js';
export * from './trial.js';
export * from './renewal.js';
export * from './plan-change.js';
export * from './plan-change-discount.js';
export * from './traffic-top-up.js';
export * from './discount.js';
export * from './referral.js';
export * from './reseller-price.js';
export * from './credit.js';
export * from './refund.js';
export * from './zoned-days.js';
export * from './payment.js';
export * from './devices.js';
export * from './device-pack.js';
export * from './figures/index.js';
export * from './guard/index.js';
