export * from './addresses.js';
export * from './policy.js';
export * from './window.js';
