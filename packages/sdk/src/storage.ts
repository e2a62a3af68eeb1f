/**
 * `@panelkit/sdk/storage`: what a `StoragePort` implementation needs. The port, its repositories and their
 * result records, the port version (`STORAGE_PORT_VERSION`) a storage declares, the storage retry helpers, and
 * the storage kit: argument checks that give the same `ValidationError` in every storage, cursor codecs and page
 * windows, the filter and request parsers the conformance suite expects, a FIFO `Mutex` for single-connection
 * drivers, per-storage transaction scopes, and the sealed-secret check. The domain records a storage holds
 * (`Customer`, `Order`, …) are at the root. Hosts never need this entry. See docs/guides/writing-a-storage.md.
 *
 * @module
 */
export * from './ports/storage.js';
export { createSortableId } from './domain/ids.js';
export * from './ports/storage-promotions.js';
export * from './ports/storage-price-books.js';
export * from './ports/storage-payments.js';
export * from './ports/storage-payment-methods.js';
export type { NewSavedPaymentMethod, SavedPaymentMethod } from './domain/payment-method.js';
export * from './ports/storage-sales.js';
export * from './ports/storage-campaigns.js';
export * from './ports/storage-order-placement.js';
export * from './ports/storage-checkout-context.js';
export * from './ports/storage-devices.js';
export * from './ports/storage-gifts.js';
export * from './ports/storage-link-tokens.js';
export * from './ports/storage-sharing.js';
export * from './ports/storage-storefronts.js';
export * from './ports/storage-trial-claims.js';
export * from './ports/storage-figures.js';
export * from './ports/storage-figures-checkpoints.js';
export * from './ports/storage-locations.js';
export * from './ports/storage-guard.js';
export type { LocationEntry } from './domain/location.js';
export * from './engine/storage-retry.js';
export * from './ports/storage-input/index.js';
export { parseInput } from './domain/validate.js';
export { Mutex } from './mutex.js';
export { createTransactionScopes, type TransactionScopes } from './transaction-scopes.js';
export { isStoredSealedSecret } from './secrets/panel-credentials.js';
export * from './ports/storage-job-signal.js';
export { createJobQueueSignal, type JobQueueSignalOptions, type JobQueueSignalSource } from './job-queue-signal.js';
