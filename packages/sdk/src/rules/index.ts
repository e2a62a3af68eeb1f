export * from './time.js';
export * from './extension.js';
export * from './trial.js';
export * from './renewal.js';
export * from './plan-change.js';
export * from './traffic-top-up.js';
export * from './discount.js';
export * from './referral.js';
