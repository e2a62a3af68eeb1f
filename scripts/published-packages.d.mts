/** The folders under `packages/` of the packages published to npm, released together, the SDK first. */
export declare const PUBLISHED_PACKAGES: readonly [
  'sdk',
  'panel-adapters',
  'storage-memory',
  'storage-postgres',
  'payment-providers',
  'subscription-feed',
];
