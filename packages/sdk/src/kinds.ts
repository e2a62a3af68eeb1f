/**
 * `@panelkit/sdk/kinds`: what a plan sells besides Xray users (issue 92). The kinds (`ENTITLEMENT_KINDS`:
 * `xray`, `wireguard`, `amneziawg`, `mtproto`), what a host may assume of each (`KIND_TRAITS`: how it reaches the
 * buyer, whether the buyer re-imports after a rotation or move, whether devices can be counted), `servesKind` (the
 * placement rule: a non-Xray part only on a target serving its kind alone), a bundle's extension as one purchase
 * (`kit.extendBundle`'s request and result, `kit.quoteBundleExtension`'s answer), and `PanelPoolExhaustedError` (a WireGuard target with no address left).
 * `Plan.kinds`, `Target.kinds` and `Subscription.kind` are on the records themselves; the credentials' helpers for
 * adapter authors are on `@panelkit/sdk/adapter`. See the guide "Selling WireGuard and Telegram plans".
 *
 * @module
 */
export { ENTITLEMENT_KINDS, KIND_TRAITS } from './domain/entitlement.js';
export type { EntitlementKind, KindTraits } from './domain/entitlement.js';
export { servesKind } from './engine/placement.js';
export type { ExtendBundleRequest, ExtendBundleResult } from './engine/bundle-extension.js';
export type { BundleExtensionQuote, BundlePartQuote } from './engine/bundle-quote.js';
export { PanelPoolExhaustedError } from './errors.js';
