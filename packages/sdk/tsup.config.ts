import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    adapter: 'src/adapter.ts',
    payments: 'src/payments.ts',
    gifts: 'src/gifts.ts',
    storage: 'src/storage.ts',
    schemas: 'src/schemas.ts',
    'rules/index': 'src/rules/index.ts',
    'testing/index': 'src/testing/index.ts',
    'storage-kit': 'src/storage-kit.ts',
    fakes: 'src/fakes.ts',
    campaigns: 'src/campaigns.ts',
    'host-jobs': 'src/host-jobs.ts',
    links: 'src/links.ts',
    storefronts: 'src/storefronts.ts',
    'device-packs': 'src/device-packs.ts',
  },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  outDir: 'dist',
});
