import { defineConfig } from 'tsup';

// Each entry's implementation goes to dist/impl/; the entry itself checks the installed SDK first
// (scripts/write-peer-checked-entries.mjs, the build's last step).
export default defineConfig({
  entry: {
    'impl/index': 'src/index.ts',
    'impl/apps': 'src/apps.ts',
    'impl/formats': 'src/formats.ts',
  },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  outDir: 'dist',
});
