/**
 * `@panelkit/sdk/storage-kit`: the former name of `@panelkit/sdk/storage`, kept for one release so storages
 * written against it keep compiling. Import from `@panelkit/sdk/storage`, which holds all of this and the port.
 *
 * @deprecated Use `@panelkit/sdk/storage`.
 * @module
 */
export * from './ports/storage-input/index.js';
export { parseInput } from './domain/validate.js';
export { Mutex } from './mutex.js';
export { createTransactionScopes, type TransactionScopes } from './transaction-scopes.js';
export { isStoredSealedSecret } from './secrets/panel-credentials.js';
