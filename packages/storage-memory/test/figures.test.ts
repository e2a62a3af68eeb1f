import { type FigureCell, buyerContribution, diffFigureCells, type FiguresCalendar } from '@panelkit/sdk/rules';
import type { StoragePort } from '@panelkit/sdk/storage';
import { ManualClock, figuresFromRows } from '@panelkit/sdk/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../src/index.js';
import { seedSubscription } from './helpers.js';

const CAL: FiguresCalendar = { timeZone: 'UTC', calendar: 'gregorian' };
const TABLES = ['cohorts', 'cohort_revenue', 'months', 'lapses', 'cash', 'buckets', 'days'] as const;

let clock: ManualClock;
let storage: StoragePort;

beforeEach(() => {
  clock = new ManualClock('2026-01-10T00:00:00.000Z');
  storage = createMemoryStorage({ clock });
});

/**
 * The fold as the port describes it, written out in a few lines so these tests need no engine: take, lock, read the
 * sources, apply the difference, store the new contribution, all in one transaction.
 */
async function foldAll(): Promise<void> {
  for (;;) {
    const done = await storage.transaction(async (tx) => {
      const ids = await tx.figures.take(1000);
      if (ids.length === 0) return true;
      const before = await tx.figures.lockBuyers(ids);
      const rows = await tx.figures.sources(ids);
      const after = rows.map((r) => buyerContribution(r, CAL));
      await tx.figures.apply(after.flatMap((c, i) => diffFigureCells(before[i]!.cells, c.cells)));
      await tx.figures.putBuyers(
        after.map((c) => ({ customerId: c.customerId, definitionsVersion: c.definitionsVersion, cells: c.cells })),
      );
      return false;
    });
    if (done) return;
  }
}

/** Every rollup cell the storage holds, by key (wide ranges over every table). */
async function rollups(): Promise<Map<string, FigureCell>> {
  const out = new Map<string, FigureCell>();
  const oracle = await figuresFromRows(storage, CAL);
  const scopes = new Set([...oracle.values()].flatMap((c) => ('scope' in c ? [c.scope] : [])));
  for (const table of TABLES) {
    const queries =
      table === 'cash'
        ? [{ table, fromMonth: 100001, toMonth: 999912 } as const]
        : table === 'buckets'
          ? [{ table, fromBucket: 0, toBucket: 100_000_000 } as const]
          : table === 'days'
            ? [{ table, fromDay: 19691231, toDay: 99991231 } as const]
            : table === 'cohorts' || table === 'cohort_revenue'
              ? [...scopes].map((scope) => ({ table, scope, fromCohort: 100001, toCohort: 999912 }) as const)
              : [...scopes].map((scope) => ({ table, scope, fromMonth: 100001, toMonth: 999912 }) as const);
    for (const q of queries) for (const cell of await storage.figures.cells(q)) out.set(JSON.stringify(cell), cell);
  }
  return out;
}

const sorted = (cells: Iterable<FigureCell>) => [...cells].map((c) => JSON.stringify(c)).sort();

async function buy(customerId: string, amount: number, key: string): Promise<void> {
  await storage.ledger.append({
    customerId,
    kind: 'purchase',
    amount: -amount,
    currency: 'USD',
    idempotencyKey: key,
    actor: { type: 'system' },
  });
}

describe('memory figures: the marks keep the folded rollups equal to the oracle', () => {
  it('after each of a refund, a purchase, an activation and a storefront move, folding the marked customers gives the oracle', async () => {
    const sub = await seedSubscription(storage, { status: 'active', expiresAt: new Date('2026-02-10T00:00:00Z') });
    const buyer = sub.customerId;
    await storage.ledger.append({
      customerId: buyer,
      kind: 'top_up',
      amount: 5000,
      currency: 'USD',
      idempotencyKey: 't1',
      actor: { type: 'system' },
    });
    await buy(buyer, 1000, 'p1');
    const other = await storage.customers.create({ email: 'other@example.com' });
    await storage.ledger.append({
      customerId: other.id,
      kind: 'top_up',
      amount: 900,
      currency: 'USD',
      idempotencyKey: 't2',
      actor: { type: 'system' },
    });
    await foldAll();
    const first = sorted((await figuresFromRows(storage, CAL)).values());
    expect(first.length).toBeGreaterThan(0);
    expect(sorted((await rollups()).values())).toEqual(first);

    clock.advance(40 * 86_400_000);
    const reseller = await storage.customers.create({ email: 'reseller@example.com' });
    const storefront = await storage.storefronts.create({ resellerId: reseller.id, name: 'north' });
    await foldAll();
    const steps: (() => Promise<unknown>)[] = [
      () =>
        storage.ledger.append({
          customerId: buyer,
          kind: 'refund',
          amount: 400,
          currency: 'USD',
          idempotencyKey: 'r1',
          actor: { type: 'system' },
        }),
      () => buy(other.id, 900, 'p2'),
      () => storage.subscriptions.update(sub.id, { activatedAt: clock.now() }, { expectedRevision: sub.revision }),
      () => storage.storefronts.assignBuyer(buyer, storefront.id),
    ];
    for (const [i, step] of steps.entries()) {
      const before = sorted((await rollups()).values());
      await step();
      const oracle = sorted((await figuresFromRows(storage, CAL)).values());
      expect(before, `step ${i} changes the figures`).not.toEqual(oracle);
      await foldAll();
      expect(sorted((await rollups()).values()), `step ${i}`).toEqual(oracle);
    }
    expect(await storage.figures.pending()).toBe(0);
  });

  it('the oracle counts every customer once across pages of customers', async () => {
    for (let i = 0; i < 1005; i++) {
      const c = await storage.customers.create({ email: `c${i}@example.com` });
      await storage.ledger.append({
        customerId: c.id,
        kind: 'top_up',
        amount: 10,
        currency: 'USD',
        idempotencyKey: `t${i}`,
        actor: { type: 'system' },
      });
      await buy(c.id, 10, `p${i}`);
    }
    const cells = await figuresFromRows(storage, CAL);
    const size = [...cells.values()].find((c) => c.table === 'cohorts' && c.scope === '*' && c.cohort === 202601 && c.age === 0);
    expect(size?.value).toBe(1005);
    const sales = [...cells.values()].find((c) => c.table === 'months' && c.scope === '*' && c.metric === 'net_sales');
    expect(sales?.value).toBe(10_050);
  });
});
