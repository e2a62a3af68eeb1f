/**
 * A replica module (see `process.ts`) that sells, refunds, changes plans and folds the owner figures on one
 * PostgreSQL schema, at storage level: checkouts are `orders.place`, a refund a `refund` credit naming the order with
 * its unit terminated, a plan change a `plan_change` debit with the unit moved. Every write marks through migration
 * 39's triggers; a fold is one transaction through the port (take, lockBuyers, sources, `buyerContribution`, apply the
 * differences, putBuyers), so races between the processes' writes and folds are the database's to keep right.
 */
import pg from 'pg';
import { ConflictError, createId, deriveRemoteIdentity } from '@panelkit/sdk';
import { addFigureCells, buyerContribution, diffFigureCells } from '@panelkit/sdk/rules';
import type { FigureCell, FiguresCalendar } from '@panelkit/sdk/rules';
import type { FoldedBuyer, StoragePort } from '@panelkit/sdk/storage';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';

/** What the parent passes to a figures replica. */
export interface FiguresReplicaConfig {
  databaseUrl: string;
  schema: string;
}

/** What the replicas sell: two plans on one target, and the customers they buy for. */
export interface FiguresCatalog {
  panelId: string;
  targetId: string;
  planIds: [string, string];
  customerIds: string[];
}

/** The months' zone and calendar every fold and the parent's oracle use. */
export const FIGURES_CALENDAR: FiguresCalendar = { timeZone: 'UTC', calendar: 'gregorian' };
const PRICE = 1000;
const DAY = 86_400_000;

/** One fold batch through the port, as `figures.fold` does it; the number of customers folded. */
export async function foldOnce(storage: StoragePort, limit: number): Promise<number> {
  return storage.transaction(async (tx) => {
    const ids = await tx.figures.take(limit);
    if (ids.length === 0) return 0;
    const before = await tx.figures.lockBuyers(ids);
    const sources = await tx.figures.sources(ids);
    const sum = new Map<string, FigureCell>();
    const after: FoldedBuyer[] = sources.map((rows, i) => {
      const contribution = buyerContribution(rows, FIGURES_CALENDAR);
      addFigureCells(sum, diffFigureCells(before[i]!.cells, contribution.cells));
      return { customerId: contribution.customerId, definitionsVersion: contribution.definitionsVersion, cells: contribution.cells };
    });
    const deltas = diffFigureCells([], [...sum.values()]);
    if (deltas.length > 0) await tx.figures.apply(deltas);
    await tx.figures.putBuyers(after);
    return ids.length;
  });
}

/** A small deterministic generator (mulberry32), so a failing run can be replayed with its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function setup(config: FiguresReplicaConfig) {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 3 });
  const storage = createPostgresStorage({ client: fromPgPool(pool), schema: config.schema });
  const name = process.env['PANELKIT_REPLICA_NAME'] ?? 'figures';

  /** A checkout of one unit, activated at once for 30 days; the unit's id and order's. */
  async function buy(catalog: FiguresCatalog, customerId: string, planId: string) {
    const orderId = createId('ord');
    const id = createId('sub');
    const placed = await storage.orders.place({
      order: {
        id: orderId,
        customerId,
        items: [{ planId, quantity: 1, unitPrice: { amount: PRICE, currency: 'USD' }, trial: false }],
        total: { amount: PRICE, currency: 'USD' },
        idempotencyKey: `${name}-${orderId}`,
        requestHash: 'sha256:figures',
      },
      debit: {
        customerId,
        kind: 'purchase',
        amount: -PRICE,
        currency: 'USD',
        idempotencyKey: `purchase:${orderId}`,
        orderId,
        actor: { type: 'customer', id: customerId },
      },
      subscriptions: [
        {
          id,
          customerId,
          orderId,
          planId,
          panelId: catalog.panelId,
          targetId: catalog.targetId,
          remote: deriveRemoteIdentity(id, 0, { secret: 'figures-replica-secret-0123' }),
          trafficLimitBytes: null,
          expiresAt: null,
          durationDays: 30,
          startOnFirstUse: false,
        },
      ],
      jobs: [],
      audit: [],
    });
    if (!placed.ok) throw new Error(`checkout refused: ${placed.reason}`);
    const now = new Date();
    const sub = placed.subscriptions[0]!;
    await storage.subscriptions.update(
      id,
      { status: 'active', activatedAt: now, expiresAt: new Date(now.getTime() + 30 * DAY) },
      { expectedRevision: sub.revision },
    );
    return { id, orderId };
  }

  /** Updates a unit only this process writes (a conflict would be a bug, not a race). */
  async function change(id: string, patch: Parameters<StoragePort['subscriptions']['update']>[1]) {
    const current = await storage.subscriptions.get(id);
    if (current === null) throw new Error(`no subscription ${id}`);
    await storage.subscriptions.update(id, patch, { expectedRevision: current.revision });
  }

  return {
    /**
     * `rounds` random steps over the catalog's customers (shared with the other replicas): buy, refund one of this
     * process's orders, change one of its units' plan, or fold a batch of `foldLimit`. Returns what it did.
     */
    work: async (catalog: FiguresCatalog, rounds: number, seed: number, foldLimit: number) => {
      const next = random(seed);
      const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
      const units: { id: string; orderId: string; customerId: string; planId: string; live: boolean }[] = [];
      const done = { bought: 0, refunded: 0, changed: 0, folded: 0, conflicts: 0 };
      for (let round = 0; round < rounds; round++) {
        const roll = next();
        const live = units.filter((u) => u.live);
        try {
          if (roll < 0.4 || live.length === 0) {
            const customerId = pick(catalog.customerIds);
            const planId = pick(catalog.planIds);
            units.push({ ...(await buy(catalog, customerId, planId)), customerId, planId, live: true });
            done.bought++;
          } else if (roll < 0.55) {
            const unit = pick(live);
            await storage.ledger.append({
              customerId: unit.customerId,
              kind: 'refund',
              amount: PRICE,
              currency: 'USD',
              idempotencyKey: `refund:${unit.orderId}`,
              orderId: unit.orderId,
              actor: { type: 'admin', id: 'adm_figures' },
            });
            await change(unit.id, { status: 'terminated' });
            unit.live = false;
            done.refunded++;
          } else if (roll < 0.75) {
            const unit = pick(live);
            const planId = catalog.planIds.find((p) => p !== unit.planId)!;
            await storage.ledger.append({
              customerId: unit.customerId,
              kind: 'plan_change',
              amount: -300,
              currency: 'USD',
              idempotencyKey: `change:${createId('chg')}`,
              subscriptionId: unit.id,
              actor: { type: 'customer', id: unit.customerId },
            });
            await change(unit.id, { planId });
            unit.planId = planId;
            done.changed++;
          } else {
            done.folded += await foldOnce(storage, foldLimit);
          }
        } catch (error) {
          if (!ConflictError.is(error)) throw error;
          done.conflicts++;
        }
      }
      return done;
    },
    fold: (limit: number) => foldOnce(storage, limit),
    close: async () => void (await pool.end()),
  };
}
