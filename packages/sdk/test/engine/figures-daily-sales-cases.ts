import { describe, expect, it, vi } from 'vitest';
import { createPanelkit, type Panelkit } from '../../src/index.js';
import type { FiguresOptions } from '../../src/domain/owner-figures.js';
import { zonedDayOf } from '../../src/rules/zoned-days.js';
import { randomShop } from './figures-support.js';
import { createHarness, type Harness, IDENTITY, type StorageFactory } from './harness.js';

const ZONES = ['UTC', 'Asia/Tehran', 'Asia/Kathmandu', 'America/St_Johns'] as const;
const DAY = 86_400_000;

/** A second kit on the harness's storage and clock that keeps the figures (the harness's own kit does not). */
function figuresKit(h: Harness, figures: FiguresOptions = {}): Panelkit {
  return createPanelkit({
    storage: h.storage,
    clock: h.clock,
    panels: () => {
      throw new Error('no panel calls here');
    },
    policy: { identity: IDENTITY },
    figures,
  });
}

/** Every day from `first` for `count` days as `YYYY-MM-DD` in `timeZone`. */
function span(first: Date, count: number, timeZone: string) {
  return { from: zonedDayOf(first, timeZone), to: zonedDayOf(new Date(first.getTime() + (count - 1) * DAY), timeZone), timeZone };
}

/**
 * `kit.salesFigures` read from the figures' buckets equals `sales.figures` (the harness's kit keeps no figures, so it
 * answers from the rows) over random sales, in zones whose offsets are not whole hours, for the whole history, single
 * days and a middle stretch, with writes left unfolded before each read.
 */
export function describeDailySalesFromBuckets(name: string, factory?: StorageFactory, steps = 160): void {
  describe(`kit.salesFigures from the figures' buckets (${name})`, () => {
    it('gives the same days, currencies and numbers as sales.figures, reading its own writes', async () => {
      for (const seed of [3, 5]) {
        const h = await createHarness(factory === undefined ? {} : { storage: factory });
        const kit = figuresKit(h);
        const began = h.clock.now();
        await kit.figures.foldNow();
        await h.worker().drain();
        await randomShop(h, seed, steps, 9);
        const days = Math.ceil((h.clock.now().getTime() - began.getTime()) / DAY) + 3;
        expect(days).toBeGreaterThan(20);
        expect(await h.storage.figures.pending()).toBeGreaterThan(0);
        const fromRows = vi.spyOn(h.storage.sales, 'figures');
        for (const timeZone of ZONES) {
          const queries = [
            span(new Date(began.getTime() - DAY), days, timeZone),
            span(new Date(began.getTime() + 4 * DAY), 1, timeZone),
            span(new Date(began.getTime() + 9 * DAY), 12, timeZone),
            span(h.clock.now(), 1, timeZone),
          ];
          for (const query of queries) {
            const fromBuckets = await kit.salesFigures(query);
            expect(fromRows).not.toHaveBeenCalled();
            expect(fromBuckets).toEqual(await h.kit.salesFigures(query));
            fromRows.mockClear();
          }
        }
        const whole = await kit.salesFigures(span(new Date(began.getTime() - DAY), days, 'UTC'));
        expect(whole.totals.orders).toBeGreaterThan(0);
        expect(whole.totals.revenue.map((m) => m.currency)).toEqual(['USD']);
        expect(whole.days.some((d) => d.inService > 0)).toBe(true);
        expect(await h.storage.figures.pending()).toBe(0);
        fromRows.mockRestore();
      }
    });

    it("asked in the figures' own zone reads a row a day from the days rollup; in another zone it sums the buckets; both equal sales.figures", async () => {
      const h = await createHarness(factory === undefined ? {} : { storage: factory });
      // St John's (UTC−3:30) moves its clocks on 8 March 2026, inside the shop's weeks: a day of 23 hours.
      const kit = figuresKit(h, { timeZone: 'America/St_Johns' });
      const began = h.clock.now();
      await kit.figures.foldNow();
      await h.worker().drain();
      // The harness's kit folds under UTC, so only this kit folds here: between the halves, and on the read.
      await randomShop(h, 7, steps / 2, 0);
      await kit.figures.foldNow({ budgetMs: 3_600_000 });
      await randomShop(h, 11, steps / 2, 0);
      const days = Math.ceil((h.clock.now().getTime() - began.getTime()) / DAY) + 3;
      const bucketSums = vi.spyOn(h.storage.figures, 'bucketSums');
      const cells = vi.spyOn(h.storage.figures, 'cells');
      const own = span(new Date(began.getTime() - DAY), days, 'America/St_Johns');
      const fromDays = await kit.salesFigures(own);
      expect(fromDays).toEqual(await h.kit.salesFigures(own));
      expect(fromDays.days.find((d) => d.day === '2026-03-08')).toBeDefined();
      expect(fromDays.totals.orders).toBeGreaterThan(0);
      expect(bucketSums).not.toHaveBeenCalled();
      expect(cells.mock.calls.map(([q]) => q.table)).toEqual(['days']);
      for (const timeZone of ['Asia/Kathmandu', 'UTC']) {
        const other = span(new Date(began.getTime() - DAY), days, timeZone);
        expect(await kit.salesFigures(other)).toEqual(await h.kit.salesFigures(other));
      }
      expect(bucketSums).toHaveBeenCalledTimes(2);
      expect(cells).toHaveBeenCalledTimes(1);
      bucketSums.mockRestore();
      cells.mockRestore();
    });

    it('answers from sales.figures while a rebuild runs, past a backlog one read may fold, and for a day not on bucket edges', async () => {
      const h = await createHarness(factory === undefined ? {} : { storage: factory });
      const kit = figuresKit(h, { foldBatchSize: 1 });
      await kit.figures.foldNow();
      await h.worker().drain();
      await randomShop(h, 8, Math.floor(steps / 2), 0);
      const query = span(new Date(h.clock.now().getTime() - 30 * DAY), 31, 'Asia/Kathmandu');
      const expected = await h.kit.salesFigures(query);
      const fromRows = vi.spyOn(h.storage.sales, 'figures');
      // More rows pending than SALES_READ_FOLD_BATCHES batches of one take: nothing is folded, the rows answer.
      const pending = await h.storage.figures.pending();
      expect(pending).toBeGreaterThan(4);
      expect(await kit.salesFigures(query)).toEqual(expected);
      expect(fromRows).toHaveBeenCalledTimes(1);
      expect(await h.storage.figures.pending()).toBe(pending);

      await kit.figures.foldNow({ budgetMs: 3_600_000 });
      await kit.figures.rebuild();
      expect(await kit.salesFigures(query)).toEqual(expected);
      expect(fromRows).toHaveBeenCalledTimes(2);

      await h.worker().drain();
      await kit.figures.foldNow({ budgetMs: 3_600_000 });
      expect(await kit.salesFigures(query)).toEqual(expected);
      expect(fromRows).toHaveBeenCalledTimes(2);

      // Monrovia kept −0:44:30 until 1972-01-07: its days then do not start on a 15-minute edge.
      const monrovia = { from: '1971-12-01', to: '1971-12-03', timeZone: 'Africa/Monrovia' };
      expect(await kit.salesFigures(monrovia)).toEqual(await h.kit.salesFigures(monrovia));
      expect(fromRows).toHaveBeenCalledTimes(4);
      fromRows.mockRestore();
    });
  });
}
