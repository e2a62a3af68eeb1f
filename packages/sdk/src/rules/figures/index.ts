/**
 * The owner figures' definitions (issue 94), each once, as pure functions of plain records: months in a zone and
 * calendar, paid coverage, acquisition source, and a customer's contribution to every figure.
 *
 * @module
 */
export * from './version.js';
export * from './calendar.js';
export * from './rows.js';
export * from './sales.js';
export * from './coverage.js';
export * from './source.js';
export * from './trial-conversion.js';
export * from './cells.js';
export * from './cash.js';
export * from './daily-buckets.js';
export * from './daily-days.js';
export * from './buyer.js';
