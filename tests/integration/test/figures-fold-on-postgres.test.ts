/**
 * The owner figures kept by folds across OS processes (issue 94): four replicas sell, refund and change plans for the
 * same twelve customers on one PostgreSQL schema while each also folds batches of the inbox. Migration 39's triggers
 * mark every write; `take` gives concurrent folds disjoint inbox rows and `lockBuyers` serialises two folds of one
 * customer. After a last fold empties the inbox, every rollup equals the sum of each customer's contribution computed
 * from their rows now: nothing was lost, nothing counted twice.
 */
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { addFigureCells, buyerContribution, figureCellKey } from '@panelkit/sdk/rules';
import type { FigureCell } from '@panelkit/sdk/rules';
import type { FigureCellQuery } from '@panelkit/sdk/storage';
import { describe, expect, it } from 'vitest';
import { FIGURES_CALENDAR, type FiguresCatalog, type FiguresReplicaConfig, foldOnce } from './support/replicas/figures-replica.js';
import { DATABASE_URL, SKIP_REASON, useMigratedSchema } from './support/replicas/postgres-rig.js';
import { startReplica } from './support/replicas/process.js';

const FIGURES_REPLICA = new URL('./support/replicas/figures-replica.ts', import.meta.url);
const PROCESSES = 4;
const CUSTOMERS = 12;
const ROUNDS = 40;

type Done = { bought: number; refunded: number; changed: number; folded: number; conflicts: number };

describe.skipIf(SKIP_REASON !== false)(
  `owner figures folded by several processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    const { schema, pool, replicas } = useMigratedSchema('pk_figures');

    it('four processes selling, refunding, changing plans and folding at once: the rollups equal a recomputation from the rows', {
      timeout: 180_000,
    }, async () => {
      const storage = createPostgresStorage({ client: fromPgPool(pool()), schema });
      const panel = await storage.panels.create({
        kind: 'marzban',
        name: 'p',
        baseUrl: 'https://p.example.com',
        credentials: { type: 'token', token: 't' },
      });
      const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 't', protocol: 'vless' });
      const plan = (name: string) =>
        storage.plans.create({ name, family: name, price: { amount: 1000, currency: 'USD' }, durationDays: 30, trafficBytes: null });
      const plans = [await plan('basic'), await plan('plus')];
      const customerIds: string[] = [];
      for (let i = 0; i < CUSTOMERS; i++) {
        const customer = await storage.customers.create({ email: `buyer${i}@example.com` });
        await storage.ledger.append({
          customerId: customer.id,
          kind: 'top_up',
          amount: 1_000_000,
          currency: 'USD',
          idempotencyKey: `fund-${i}`,
          actor: { type: 'system' },
        });
        customerIds.push(customer.id);
      }
      const catalog: FiguresCatalog = { panelId: panel.id, targetId: target.id, planIds: [plans[0]!.id, plans[1]!.id], customerIds };

      replicas.push(
        ...(await Promise.all(
          Array.from({ length: PROCESSES }, (_, i) =>
            startReplica(`figures-${i}`, FIGURES_REPLICA, { databaseUrl: DATABASE_URL!, schema } satisfies FiguresReplicaConfig),
          ),
        )),
      );
      expect(new Set(replicas.map((r) => r.pid)).size).toBe(PROCESSES);
      const done = await Promise.all(replicas.map((r, i) => r.call<Done>('work', catalog, ROUNDS, 1000 + i, 5)));
      expect(done.map((d) => d.conflicts)).toEqual(done.map(() => 0));
      expect(done.reduce((n, d) => n + d.refunded, 0)).toBeGreaterThan(0);
      expect(done.reduce((n, d) => n + d.changed, 0)).toBeGreaterThan(0);
      expect(done.reduce((n, d) => n + d.folded, 0)).toBeGreaterThan(0);

      while ((await foldOnce(storage, 1000)) > 0);
      expect(await storage.figures.pending()).toBe(0);

      // The oracle: every customer's contribution from their rows as they are now, summed.
      const expected = new Map<string, FigureCell>();
      for (const rows of await storage.figures.sources(customerIds))
        addFigureCells(expected, buyerContribution(rows, FIGURES_CALENDAR).cells);
      expect(expected.size).toBeGreaterThan(0);

      // What the rollups hold: every table, every scope the database has rows under.
      const scopes = await pool().query<{ scope: string }>(
        `SELECT scope FROM ${schema}.figure_cohorts UNION SELECT scope FROM ${schema}.figure_cohort_revenue
         UNION SELECT scope FROM ${schema}.figure_months UNION SELECT scope FROM ${schema}.figure_lapses`,
      );
      const queries: FigureCellQuery[] = [
        { table: 'cash', fromMonth: 190001, toMonth: 999912 },
        { table: 'buckets', fromBucket: 0, toBucket: 281_000_000 },
      ];
      for (const { scope } of scopes.rows)
        queries.push(
          { table: 'cohorts', scope, fromCohort: 190001, toCohort: 999912 },
          { table: 'cohort_revenue', scope, fromCohort: 190001, toCohort: 999912 },
          { table: 'months', scope, fromMonth: 190001, toMonth: 999912 },
          { table: 'lapses', scope, fromMonth: 190001, toMonth: 999912 },
        );
      const held: FigureCell[] = [];
      for (const q of queries) held.push(...(await storage.figures.cells(q)));
      const byKey = (cells: Iterable<FigureCell>) =>
        [...cells].map((c) => [figureCellKey(c), c.value] as const).sort(([a], [b]) => (a < b ? -1 : 1));
      expect(byKey(held)).toEqual(byKey(expected.values()));
    });
  },
);
