/**
 * The version of the owner figures' definitions (`rules/figures`). Stored beside the rollups; when the SDK's differs
 * from the stored one at start-up, the figures are rebuilt from the rows. Raised whenever a definition changes what a
 * customer contributes.
 */
export const FIGURES_DEFINITIONS_VERSION = 3;
