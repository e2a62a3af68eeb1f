/**
 * The owner figures kept by folds across OS processes (issue 94): four replicas sell, make storefront sales, buy and
 * claim gifts, refund and change plans for the same customers on one PostgreSQL schema while each also folds batches
 * of the inbox. Migration 39's triggers mark every write; `take` gives concurrent folds disjoint inbox rows and
 * `lockBuyers` serialises two folds of one customer. After a last fold empties the inbox, every rollup equals
 * `figuresFromRows`, the brute-force recomputation from the rows as they are now: nothing was lost, nothing counted
 * twice.
 */
import { createPanelkit } from '@panelkit/sdk';
import { figuresFromRows, heldFigureCells } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { describe, expect, it } from 'vitest';
import {
  FIGURES_CALENDAR,
  FIGURES_IDENTITY,
  type FiguresCatalog,
  type FiguresReplicaConfig,
  foldOnce,
} from './support/replicas/figures-replica.js';
import { DATABASE_URL, SKIP_REASON, useMigratedSchema } from './support/replicas/postgres-rig.js';
import { startReplica } from './support/replicas/process.js';

const FIGURES_REPLICA = new URL('./support/replicas/figures-replica.ts', import.meta.url);
const PROCESSES = 4;
const CUSTOMERS = 10;
const STOREFRONT_BUYERS = 6;
const GIFTEES = 8;
const ROUNDS = 40;
const usd = (amount: number) => ({ amount, currency: 'USD' });

type Done = {
  bought: number;
  storefrontSold: number;
  gifted: number;
  gifteesPaid: number;
  refunded: number;
  changed: number;
  folded: number;
  conflicts: number;
};

describe.skipIf(SKIP_REASON !== false)(
  `owner figures folded by several processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    const { schema, pool, replicas } = useMigratedSchema('pk_figures');

    it('four processes selling, in a storefront too, giving gifts, refunding, changing plans and folding at once: the rollups equal figuresFromRows', {
      timeout: 180_000,
    }, async () => {
      const storage = createPostgresStorage({ client: fromPgPool(pool()), schema });
      const kit = createPanelkit({
        storage,
        panels: () => {
          throw new Error('no panel calls here');
        },
        policy: { identity: FIGURES_IDENTITY },
      });
      const panel = await storage.panels.create({
        kind: 'marzban',
        name: 'p',
        baseUrl: 'https://p.example.com',
        credentials: { type: 'token', token: 't' },
      });
      // The default target: where the kit's checkouts and claims place their units.
      const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 't', protocol: 'vless', isDefault: true });
      const plan = (name: string) => storage.plans.create({ name, family: name, price: usd(1000), durationDays: 30, trafficBytes: null });
      const plans = [await plan('basic'), await plan('plus')];
      const funded = async (email: string, storefrontId: string | null = null) => {
        const customer = await storage.customers.create({ email, storefrontId });
        await storage.ledger.append({
          customerId: customer.id,
          kind: 'top_up',
          amount: 1_000_000,
          currency: 'USD',
          idempotencyKey: `fund-${email}`,
          actor: { type: 'system' },
        });
        return customer.id;
      };
      const customerIds: string[] = [];
      for (let i = 0; i < CUSTOMERS; i++) customerIds.push(await funded(`buyer${i}@example.com`));
      const resellerId = await funded('reseller@example.com');
      await kit.resellers.setPrice({ customerId: resellerId, planId: plans[0]!.id, price: usd(700) });
      const storefront = await kit.storefronts.create({ resellerId, name: 'Reseller' });
      await kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: plans[0]!.id, retailPrice: usd(1200) });
      const storefrontBuyerIds: string[] = [];
      for (let i = 0; i < STOREFRONT_BUYERS; i++) storefrontBuyerIds.push(await funded(`sf-buyer${i}@example.com`, storefront.id));
      const gifteeIds: string[] = [];
      for (let i = 0; i < GIFTEES; i++) gifteeIds.push(await funded(`giftee${i}@example.com`));
      const catalog: FiguresCatalog = {
        panelId: panel.id,
        targetId: target.id,
        planIds: [plans[0]!.id, plans[1]!.id],
        customerIds,
        storefrontBuyerIds,
        gifteeIds,
      };

      replicas.push(
        ...(await Promise.all(
          Array.from({ length: PROCESSES }, (_, i) =>
            startReplica(`figures-${i}`, FIGURES_REPLICA, { databaseUrl: DATABASE_URL!, schema } satisfies FiguresReplicaConfig),
          ),
        )),
      );
      expect(new Set(replicas.map((r) => r.pid)).size).toBe(PROCESSES);
      const done = await Promise.all(replicas.map((r, i) => r.call<Done>('work', catalog, ROUNDS, 1000 + i, 5)));
      const total = (field: keyof Done) => done.reduce((n, d) => n + d[field], 0);
      expect(done.map((d) => d.conflicts)).toEqual(done.map(() => 0));
      for (const field of ['bought', 'storefrontSold', 'gifted', 'gifteesPaid', 'refunded', 'changed', 'folded'] as const)
        expect(total(field), field).toBeGreaterThan(0);

      while ((await foldOnce(storage, 1000)) > 0);
      expect(await storage.figures.pending()).toBe(0);

      const expected = await figuresFromRows(storage, FIGURES_CALENDAR);
      const oracleScopes = [...new Set([...expected.values()].flatMap((c) => ('scope' in c ? [c.scope] : [])))];
      // The storefront's buyers and the giftees who paid after their claim have cells of their own.
      expect(oracleScopes).toEqual(expect.arrayContaining([`sf:${storefront.id}`, 'src:storefront', 'src:gift']));
      // What the rollups hold: every table, in every scope the oracle or the database has rows under.
      const scopes = await pool().query<{ scope: string }>(
        `SELECT scope FROM ${schema}.figure_cohorts UNION SELECT scope FROM ${schema}.figure_cohort_revenue
         UNION SELECT scope FROM ${schema}.figure_months UNION SELECT scope FROM ${schema}.figure_lapses`,
      );
      const held = await heldFigureCells(storage, [...oracleScopes, ...scopes.rows.map((r) => r.scope)]);
      const sorted = (cells: Map<string, unknown>) => new Map([...cells].sort(([a], [b]) => (a < b ? -1 : 1)));
      expect(sorted(held)).toEqual(sorted(expected));
    });
  },
);
