import { describe, expect, it } from 'vitest';
import { figuresFromRows, heldFigureCells } from '../../src/testing/index.js';
import { expectRollupsExact, foldAll, randomShop, scopesOf, UTC } from './figures-support.js';
import { createHarness, type StorageFactory } from './harness.js';

/** How much of the random game a storage plays: the seeds (one harness each) and the steps of each. */
export interface FoldCasesSize {
  seeds: readonly number[];
  steps: number;
}

/**
 * The figures fold against its oracle on a storage: random sales (storefront sales among them), refunds, plan
 * changes, gifts, trials and days passing (`randomShop`), folded as they go, leave every rollup equal to
 * `figuresFromRows`; folding everyone again changes nothing, and a rebuild gives the same rollups. Memory by default; a
 * storage package passes its factory and a smaller size.
 */
export function describeFiguresFold(name: string, factory?: StorageFactory, size: FoldCasesSize = { seeds: [1, 2, 3], steps: 160 }): void {
  const harness = () => createHarness(factory === undefined ? {} : { storage: factory });

  describe(`the figures fold (${name})`, () => {
    it('keeps every rollup equal to a recomputation from the rows through random sales, folding as it goes', async () => {
      for (const seed of size.seeds) {
        const h = await harness();
        await foldAll(h);
        await randomShop(h, seed, size.steps, 7);
        await h.kit.figures.foldNow({ budgetMs: 3_600_000 });
        expect((await h.kit.figures.status()).pending).toBe(0);
        const scopes = await expectRollupsExact(h);
        // The storefront's buyers bought: their cells are in its scope.
        expect([...scopes].some((scope) => scope.startsWith('sf:'))).toBe(true);
      }
    });

    it('a second fold of every customer changes nothing, and a rebuild gives the same rollups', async () => {
      const h = await harness();
      await randomShop(h, 7, Math.ceil(size.steps * 0.75), 0);
      await foldAll(h);
      const scopes = scopesOf((await figuresFromRows(h.storage, UTC)).values());
      const first = await heldFigureCells(h.storage, scopes);
      expect(first.size).toBeGreaterThan(0);
      await h.storage.figures.markAll('', 1000);
      const again = await h.kit.figures.foldNow({ budgetMs: 3_600_000 });
      expect(again.buyers).toBeGreaterThan(0);
      expect(await heldFigureCells(h.storage, scopes)).toEqual(first);
      const status = await h.kit.figures.rebuild();
      expect(status.rebuilding).toBe(true);
      await h.worker().drain();
      await h.kit.figures.foldNow({ budgetMs: 3_600_000 });
      expect(await h.kit.figures.status()).toMatchObject({ rebuilding: false, pending: 0 });
      expect(await heldFigureCells(h.storage, scopes)).toEqual(first);
      await expectRollupsExact(h);
    });
  });
}
