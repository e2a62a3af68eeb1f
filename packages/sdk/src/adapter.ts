/**
 * `@panelkit/sdk/adapter`: what a panel adapter's author needs. The `PanelAdapter` port and its records
 * (`RemoteClient`, `ClientSpec`, `CallContext`, …), `PANEL_ADAPTER_API_VERSION`, the retry policy and helpers an
 * adapter retries with, and the panel errors an adapter throws (also exported at the root, where a shop catches
 * them). The HTTP layer (`PanelHttp`) and the adapter factory (`defineHttpPanelAdapter`) ship in
 * `@panelkit/panel-adapters`, which holds the HTTP client. Hosts never need this entry. See
 * docs/guides/writing-a-panel-adapter.md.
 *
 * @module
 */
export * from './ports/panel.js';
export * from './retry.js';
export {
  type MtprotoSecretForm,
  type MtprotoSecretParts,
  mtprotoSecret,
  mtprotoSecretParts,
  type WireGuardKeyPair,
  wireGuardKeyPairOf,
  wireGuardPublicKey,
} from './domain/entitlement.js';
export {
  PanelAuthError,
  PanelConflictError,
  PanelConnectionError,
  PanelError,
  PanelNotFoundError,
  PanelOutcomeUnknownError,
  PanelPoolExhaustedError,
  PanelRateLimitError,
  PanelRejectedError,
  PanelResponseError,
  PanelServerError,
  PanelTimeoutError,
  PanelUnsupportedError,
  RetryLaterError,
} from './errors.js';
export type { PanelErrorContext, ValidationIssue } from './errors.js';
