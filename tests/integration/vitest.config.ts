import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@panelkit/source'] },
  ssr: { resolve: { conditions: ['@panelkit/source'] } },
  // Real HTTP servers on 127.0.0.1 and (PGlite / a real server) databases: slower than unit tests.
  test: { name: 'integration', testTimeout: 30_000, hookTimeout: 60_000 },
});
