/**
 * The folders under `packages/` of the packages published to npm, released together at one version (`fixed` in
 * `.changeset/config.json`, which `published-packages.test.ts` holds to this list), the SDK first: the one list the
 * release scripts, the guides' packing and the packed-workspace tests read.
 */
export const PUBLISHED_PACKAGES = ['sdk', 'panel-adapters', 'storage-memory', 'storage-postgres', 'payment-providers', 'subscription-feed'];
