import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { FigureCell } from '@panelkit/sdk/rules';
import type { FigureMeta, StoragePort } from '@panelkit/sdk/storage';
import { ManualClock } from '@panelkit/sdk/testing';
import { deferred } from '../../sdk/src/testing/storage/support.js';
import { createPostgresStorage } from '../src/index.js';
import { SKIP_REAL_SERVER, fromPgPool, newPool, storageInFreshSchema } from './helpers.js';
import type { StorageInSchema } from './helpers.js';

const META: FigureMeta = { timeZone: 'UTC', calendar: 'gregorian', definitionsVersion: 2, foldedAt: null, rebuildCursor: null };
const CELL: FigureCell = { table: 'buckets', bucket: 1000, currency: 'USD', metric: 'net_sales', value: 700 };
const ALL_BUCKETS = { table: 'buckets', fromBucket: 0, toBucket: 10_000 } as const;

/** Resolves once another connection of the test's database waits on a lock in a statement that contains `text`. */
async function waitingOnLock(pool: pg.Pool, text: string, done: () => boolean): Promise<void> {
  for (;;) {
    if (done()) return;
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND position($1 in query) > 0`,
      [text],
    );
    if (rows[0].n > 0) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A rebuild's clear and a fold's transaction on two connections of one schema (`foldNow` is not a job, so the jobs'
 * serial key does not keep them apart): the clear waits for the fold that locked its buyers, then deletes what it
 * wrote; a meta write waits for the fold too, so the fold never puts back a rebuild cursor it read earlier.
 */
describe.skipIf(SKIP_REAL_SERVER)('figures: a rebuild’s clear against a fold in flight (PostgreSQL server)', () => {
  const pools = [newPool(3), newPool(3)];
  const watcher = SKIP_REAL_SERVER ? undefined : newPool(1);
  const made: StorageInSchema[] = [];
  afterAll(async () => {
    for (const s of made) await s.cleanup();
    for (const pool of [...pools, watcher]) await pool?.end();
  });

  async function twoStorages(): Promise<[StoragePort, StoragePort, string]> {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const first = await storageInFreshSchema(fromPgPool(pools[0]!), clock);
    made.push(first);
    const second = createPostgresStorage({ client: fromPgPool(pools[1]!), schema: first.schema, clock });
    return [first.storage, second, first.schema];
  }

  it('the clear waits for the fold to commit and then empties what it applied', async () => {
    const [a, b] = await twoStorages();
    await a.figures.setMeta(META);
    const customer = await a.customers.create({ email: 'fold-race@example.com' });
    await a.figures.mark([customer.id]);
    const locked = deferred();
    const go = deferred();
    const fold = a.transaction(async (tx) => {
      const ids = await tx.figures.take(10);
      await tx.figures.lockBuyers(ids);
      locked.resolve();
      await go.promise;
      await tx.figures.apply([CELL]);
      await tx.figures.putBuyers([{ customerId: customer.id, definitionsVersion: 2, cells: [CELL] }]);
    });
    await locked.promise;
    let cleared = false;
    const clear = b
      .transaction((tx) => tx.figures.clear())
      .then(() => {
        cleared = true;
      });
    await waitingOnLock(watcher!, 'figure_meta FOR UPDATE', () => cleared);
    expect(cleared).toBe(false);
    go.resolve();
    await Promise.all([fold, clear]);
    expect(await a.figures.cells(ALL_BUCKETS)).toEqual([]);
    // The fold's checkpoint row went with its bucket (10 000 lies three checkpoints after bucket 1000).
    expect(await a.figures.bucketTotals(10_000)).toEqual([]);
    const [state] = await a.transaction((tx) => tx.figures.lockBuyers([customer.id]));
    expect(state).toMatchObject({ definitionsVersion: 0, cells: [] });
  });

  it('a meta write waits for the fold, so the fold’s stamp keeps the cursor a rebuild wrote meanwhile', async () => {
    const [a, b] = await twoStorages();
    await a.figures.setMeta({ ...META, rebuildCursor: 'cus_a' });
    const customer = await a.customers.create({ email: 'meta-race@example.com' });
    await a.figures.mark([customer.id]);
    const read = deferred();
    const go = deferred();
    const fold = a.transaction(async (tx) => {
      await tx.figures.lockBuyers(await tx.figures.take(10));
      const meta = (await tx.figures.meta())!;
      read.resolve();
      await go.promise;
      await tx.figures.setMeta({ ...meta, foldedAt: new Date('2026-03-01T00:05:00.000Z') });
    });
    await read.promise;
    let moved = false;
    const page = b.figures.setMeta({ ...META, rebuildCursor: 'cus_z' }).then(() => {
      moved = true;
    });
    await waitingOnLock(watcher!, 'figure_meta', () => moved);
    expect(moved).toBe(false);
    go.resolve();
    await Promise.all([fold, page]);
    expect((await a.figures.meta())?.rebuildCursor).toBe('cus_z');
  });
});
