export { SecretKeyError, createSecretBox, formatSecretKeys, generateSecretKey, isSealedValue, parseSecretKeys } from './secret-box.js';
export type { SecretBox, SecretKey } from './secret-box.js';
export { openPanelCredentials, panelCredentialsContext, sealPanelCredentials } from './panel-credentials.js';
export type { StoredSealedSecret } from './panel-credentials.js';
