/**
 * `@panelkit/sdk/storage-kit`: what a `StoragePort` implementation needs beyond the port's own
 * types (which stay in `@panelkit/sdk`). Argument checks that give the same `ValidationError` in
 * every storage, cursor codecs and page windows, the filter and request parsers the conformance
 * suite expects, a FIFO `Mutex` for single-connection drivers, per-storage transaction scopes, and the
 * sealed-secret check a storage uses to tell a sealed panel credential from a plain one. Hosts never need it.
 * See docs/guides/writing-a-storage.md.
 *
 * @module
 */
export * from './ports/storage-input/index.js';
export { parseInput } from './domain/validate.js';
export { Mutex } from './mutex.js';
export { createTransactionScopes, type TransactionScopes } from './transaction-scopes.js';
export { isStoredSealedSecret } from './secrets/panel-credentials.js';
