import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@panelkit/source'] },
  ssr: { resolve: { conditions: ['@panelkit/source'] } },
  test: { name: 'minimal' },
});
