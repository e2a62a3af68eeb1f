/**
 * The repository's docs each published package ships in its `guides/` folder (`pack-guides.mjs` copies them when it
 * is packed), as paths from the repository's root. Each one is linked from the package's README
 * (`examples/minimal/test/package-readmes.test.ts`).
 */
export const GUIDES_BY_PACKAGE = {
  '@panelkit/sdk': [
    'docs/architecture.md',
    'docs/guides/engine.md',
    'docs/guides/rules.md',
    'docs/guides/events.md',
    'docs/guides/devices.md',
    'docs/guides/payments.md',
    'docs/guides/importing-a-shop.md',
    'docs/guides/evacuating-a-panel.md',
    'docs/guides/selling-wireguard-and-telegram.md',
    'docs/guides/owner-figures.md',
    'docs/guides/sharing-guard.md',
    'docs/guides/replicas.md',
    'docs/guides/production.md',
    'docs/guides/secrets.md',
    'docs/guides/writing-a-storage.md',
    'docs/guides/writing-a-panel-adapter.md',
  ],
  '@panelkit/panel-adapters': ['docs/guides/writing-a-panel-adapter.md'],
  '@panelkit/storage-postgres': ['docs/guides/postgres.md', 'docs/guides/replicas.md', 'docs/guides/secrets.md'],
  '@panelkit/storage-memory': [],
  '@panelkit/payment-providers': ['docs/guides/payments.md'],
  '@panelkit/subscription-feed': ['docs/guides/devices.md', 'docs/guides/selling-wireguard-and-telegram.md'],
};
