import { defineConfig } from 'vitest/config';

// One root config; each package is a project. Workspace packages resolve to their TypeScript
// sources through the "@panelkit/source" export condition, so tests never need a build first.
export default defineConfig({
  resolve: { conditions: ['@panelkit/source'] },
  ssr: { resolve: { conditions: ['@panelkit/source'] } },
  test: {
    projects: ['packages/*', 'examples/*', 'tests/*'],
  },
});
