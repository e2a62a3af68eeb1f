import { defineProject } from 'vitest/config';
export default defineProject({
  resolve: { conditions: ['@panelkit/source'] },
  ssr: { resolve: { conditions: ['@panelkit/source'] } },
  // Real-server tests share one PostgreSQL with other files; PGlite files each start a WASM database.
  test: { name: 'storage-postgres', testTimeout: 30_000, hookTimeout: 60_000 },
});
