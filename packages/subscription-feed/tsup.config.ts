import { defineConfig } from 'tsup';

// Each entry's implementation goes to dist/impl/; the entry itself checks the installed SDK first
// (scripts/write-peer-checked-entries.mjs, the build's last step). The implementation is built for require() too
// (impl/*.cjs): it imports @panelkit/panel-adapters, whose ES entry awaits its own SDK check at top level, and
// require() cannot load an ES module graph with a top-level await; the CommonJS build requires that package's
// CommonJS entry instead.
export default defineConfig({
  entry: {
    'impl/index': 'src/index.ts',
    'impl/apps': 'src/apps.ts',
    'impl/formats': 'src/formats.ts',
  },
  format: ['esm', 'cjs'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  outDir: 'dist',
});
