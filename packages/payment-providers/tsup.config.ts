import { defineConfig } from 'tsup';

// Each entry's implementation goes to dist/impl/; the entry itself checks the installed SDK first
// (scripts/write-peer-checked-entries.mjs, the build's last step).
export default defineConfig({
  entry: {
    'impl/index': 'src/index.ts',
    'impl/yookassa': 'src/yookassa.ts',
    'impl/stripe': 'src/stripe.ts',
    'impl/epay': 'src/epay.ts',
    'impl/cryptobot': 'src/cryptobot.ts',
    'impl/nowpayments': 'src/nowpayments.ts',
    'impl/zarinpal': 'src/zarinpal.ts',
    'impl/stars': 'src/stars.ts',
    'impl/simulators': 'src/simulators.ts',
  },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  outDir: 'dist',
});
