/**
 * "A shop in about N lines": the figure each document gives for the starter and the minimal example is what their
 * files count, comments included (to the nearest 10 below 100 lines, the nearest 50 above; the starter's simulated
 * world to the nearest 5), so a file that grows or shrinks makes its documents say so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const lines = (paths: string[]) => paths.reduce((sum, path) => sum + read(path).trimEnd().split('\n').length, 0);
const about = (count: number, step = count < 100 ? 10 : 50) => Math.round(count / step) * step;

/** Each example: the files its figure counts, and where the figure is given (the lines naming it, in shared docs). */
const EXAMPLES = [
  {
    name: 'starter',
    files: ['main.ts', 'routes.ts', 'shop.ts'].map((f) => `examples/starter/src/${f}`),
    own: ['examples/starter/README.md', 'examples/starter/package.json'],
    shared: ['README.md'],
  },
  {
    name: 'minimal',
    files: ['examples/minimal/src/main.ts'],
    own: ['examples/minimal/README.md', 'examples/minimal/package.json'],
    shared: ['README.md', 'docs/architecture.md'],
  },
];

describe('the examples’ documented sizes', () => {
  for (const example of EXAMPLES) {
    it(`are what examples/${example.name} counts, in every document that gives one`, () => {
      const expected = about(lines(example.files));
      const said: Array<{ where: string; figure: number }> = [];
      for (const where of [...example.own, ...example.shared]) {
        const text = example.own.includes(where)
          ? read(where)
          : read(where)
              .split('\n')
              .filter((line) => line.includes(`examples/${example.name}`) || line.includes(`npm run ${example.name}`))
              .join('\n');
        const figures = [...text.matchAll(/\babout (\d+) lines\b/g)].map(([, n]) => Number(n));
        expect(figures.length, `${where} gives no size for examples/${example.name}`).toBeGreaterThan(0);
        said.push(...figures.map((figure) => ({ where, figure })));
      }
      expect(said.filter(({ figure }) => figure !== expected)).toEqual([]);
    });
  }

  it('give the starter’s simulated world as many lines as it has', () => {
    const [, figure] = /\babout (\d+) more for the simulated/.exec(read('examples/starter/README.md').replace(/\s+/g, ' ')) ?? [];
    expect(Number(figure)).toBe(about(lines(['examples/starter/src/simulated.ts']), 5));
  });
});
