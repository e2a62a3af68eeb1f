import { describe, expect, it } from 'vitest';
import type { FiguresCalendar } from '../../src/rules/index.js';
import { figuresFromRows } from '../../src/testing/index.js';
import { randomShop, scopesOf, storedCells } from './figures-support.js';
import { createHarness, type Harness } from './harness.js';

const UTC: FiguresCalendar = { timeZone: 'UTC', calendar: 'gregorian' };

/** Starts the figures (meta, rebuild job) and folds everything: what an owner's first start does. */
async function foldAll(h: Harness): Promise<void> {
  await h.kit.figures.foldNow();
  await h.worker().drain();
  await h.kit.figures.foldNow({ budgetMs: 3_600_000 });
}

async function expectRollupsExact(h: Harness, cal: FiguresCalendar = UTC): Promise<void> {
  const expected = await figuresFromRows(h.storage, cal);
  expect(expected.size).toBeGreaterThan(50);
  const stored = await storedCells(h.storage, scopesOf(expected.values()));
  expect(new Map([...stored].sort())).toEqual(new Map([...expected].sort()));
}

describe('the figures fold (memory storage)', () => {
  it('keeps every rollup equal to a recomputation from the rows through random sales, folding as it goes', async () => {
    for (const seed of [1, 2, 3]) {
      const h = await createHarness();
      await foldAll(h);
      await randomShop(h, seed, 160, 7);
      await h.kit.figures.foldNow({ budgetMs: 3_600_000 });
      expect((await h.kit.figures.status()).pending).toBe(0);
      await expectRollupsExact(h);
    }
  });

  it('a second fold of every customer changes nothing, and a rebuild gives the same rollups', async () => {
    const h = await createHarness();
    await randomShop(h, 7, 120, 0);
    await foldAll(h);
    const scopes = scopesOf((await figuresFromRows(h.storage, UTC)).values());
    const first = await storedCells(h.storage, scopes);
    expect(first.size).toBeGreaterThan(0);
    await h.storage.figures.markAll('', 1000);
    const again = await h.kit.figures.foldNow({ budgetMs: 3_600_000 });
    expect(again.buyers).toBeGreaterThan(0);
    expect(await storedCells(h.storage, scopes)).toEqual(first);
    const status = await h.kit.figures.rebuild();
    expect(status.rebuilding).toBe(true);
    await h.worker().drain();
    await h.kit.figures.foldNow({ budgetMs: 3_600_000 });
    expect(await h.kit.figures.status()).toMatchObject({ rebuilding: false, pending: 0 });
    expect(await storedCells(h.storage, scopes)).toEqual(first);
    await expectRollupsExact(h);
  });

  it('folds nothing before its meta is set: the first foldNow starts a rebuild, whose job pages everyone in', async () => {
    const h = await createHarness();
    await h.customer(1000);
    expect(await h.storage.figures.meta()).toBeNull();
    expect(await h.kit.figures.foldNow()).toMatchObject({ batches: 0, buyers: 0 });
    expect(await h.storage.figures.meta()).toMatchObject({ timeZone: 'UTC', calendar: 'gregorian', rebuildCursor: '' });
    expect((await h.kit.figures.status()).rebuilding).toBe(true);
    await h.worker().drain();
    expect(await h.storage.figures.meta()).toMatchObject({ rebuildCursor: null });
    await h.kit.figures.foldNow();
    expect(await h.kit.figures.status()).toMatchObject({ rebuilding: false, pending: 0, foldedAt: h.clock.now() });
  });

  it('rebuilds in another calendar when the kit’s settings change', async () => {
    const h = await createHarness();
    await randomShop(h, 11, 80, 0);
    await foldAll(h);
    const jalali: FiguresCalendar = { timeZone: 'Asia/Tehran', calendar: 'jalali' };
    const { createPanelkit } = await import('../../src/index.js');
    const other = createPanelkit({
      storage: h.storage,
      panels: () => {
        throw new Error('no panel calls here');
      },
      policy: { identity: { secret: 'engine-test-secret-0123456789', prefix: 'pk' } },
      clock: h.clock,
      figures: jalali,
    });
    expect((await other.figures.status()).rebuilding).toBe(true);
    await other.createScheduler({ usageSync: false }).tick();
    expect(await h.storage.figures.meta()).toMatchObject({ timeZone: 'Asia/Tehran', calendar: 'jalali' });
    await other.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain();
    await other.figures.foldNow({ budgetMs: 3_600_000 });
    const expected = await figuresFromRows(h.storage, jalali);
    expect(new Map([...(await storedCells(h.storage, scopesOf(expected.values())))].sort())).toEqual(new Map([...expected].sort()));
  });
});
