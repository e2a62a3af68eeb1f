import { describe, expect, it } from 'vitest';
import type { FiguresCalendar } from '../../src/rules/index.js';
import { describeFiguresFold } from './figures-fold-cases.js';
import { expectRollupsExact, foldAll, randomShop } from './figures-support.js';
import { createHarness } from './harness.js';

describeFiguresFold('memory');

describe('the figures fold (memory storage)', () => {
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
    await expectRollupsExact(h, jalali, 0);
  });
});
