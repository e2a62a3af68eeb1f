/**
 * A replica module (see `process.ts`) that sells, refunds, changes plans and folds the owner figures on one
 * PostgreSQL schema. Plain sales are at storage level: a checkout is `orders.place`, a refund a `refund` credit naming
 * the order with its unit terminated, a plan change a `plan_change` debit with the unit moved. Storefront sales and
 * gifts go through the engine's use cases (`kit.checkout` by a storefront's buyer, whose sale splits into the
 * reseller's wholesale debit and payout; `kit.gifts.buy` and `kit.gifts.claim`), their units then activated and
 * refunded or moved like the others. Every write marks through migration 39's triggers; a fold is one transaction
 * through the port (take, lockBuyers, sources, `buyerContribution`, apply the differences, putBuyers), so races
 * between the processes' writes and folds are the database's to keep right.
 */
import pg from 'pg';
import { ConflictError, createId, createPanelkit, deriveRemoteIdentity } from '@panelkit/sdk';
import { addFigureCells, buyerContribution, diffFigureCells } from '@panelkit/sdk/rules';
import type { FigureCell, FiguresCalendar } from '@panelkit/sdk/rules';
import type { FoldedBuyer, StoragePort } from '@panelkit/sdk/storage';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';

/** What the parent passes to a figures replica. */
export interface FiguresReplicaConfig {
  databaseUrl: string;
  schema: string;
}

/**
 * What the replicas sell: two plans on one (default) target; the owner's customers they buy for and give gifts from;
 * a storefront's buyers (its menu sells the first plan); and customers who only get gifts, and pay only after a claim.
 */
export interface FiguresCatalog {
  panelId: string;
  targetId: string;
  planIds: [string, string];
  customerIds: string[];
  storefrontBuyerIds: string[];
  gifteeIds: string[];
}

/** The engine identity of the replicas' kits and the parent's (the units' remote identities derive from it). */
export const FIGURES_IDENTITY = { secret: 'figures-replica-secret-0123', prefix: 'pk' };

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
  // No worker runs: the provisioning jobs a kit checkout or claim queues stay queued, and the units are activated here.
  const kit = createPanelkit({
    storage,
    panels: () => {
      throw new Error('no panel calls in the figures replicas');
    },
    policy: { identity: FIGURES_IDENTITY },
  });

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
          remote: deriveRemoteIdentity(id, 0, FIGURES_IDENTITY),
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
    await activate(id);
    return { id, orderId };
  }

  /** What provisioning would do: the unit active for 30 days from now. */
  async function activate(id: string) {
    const now = new Date();
    await change(id, { status: 'active', activatedAt: now, expiresAt: new Date(now.getTime() + 30 * DAY) });
  }

  /** Updates a unit only this process writes (a conflict would be a bug, not a race). */
  async function change(id: string, patch: Parameters<StoragePort['subscriptions']['update']>[1]) {
    const current = await storage.subscriptions.get(id);
    if (current === null) throw new Error(`no subscription ${id}`);
    await storage.subscriptions.update(id, patch, { expectedRevision: current.revision });
  }

  return {
    /**
     * `rounds` random steps over the catalog's customers (shared with the other replicas): buy, a storefront's buyer
     * buying, a gift bought and claimed (the giftee then paying for a unit of their own, half the time), refund one of
     * this process's paid units, change one of its units' plan, or fold a batch of `foldLimit`. Returns what it did.
     */
    work: async (catalog: FiguresCatalog, rounds: number, seed: number, foldLimit: number) => {
      const next = random(seed);
      const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
      /** This process's units; `paid` is what a refund gives back (0: a gift's unit, paid by the giver, not refunded). */
      const units: { id: string; orderId: string; customerId: string; planId: string; paid: number; live: boolean }[] = [];
      const done = { bought: 0, storefrontSold: 0, gifted: 0, gifteesPaid: 0, refunded: 0, changed: 0, folded: 0, conflicts: 0 };
      const key = (what: string) => `${name}-${what}-${createId('k')}`;
      for (let round = 0; round < rounds; round++) {
        const roll = next();
        const live = units.filter((u) => u.live);
        try {
          if (roll < 0.3 || live.length === 0) {
            const customerId = pick(catalog.customerIds);
            const planId = pick(catalog.planIds);
            units.push({ ...(await buy(catalog, customerId, planId)), customerId, planId, paid: PRICE, live: true });
            done.bought++;
          } else if (roll < 0.45) {
            const customerId = pick(catalog.storefrontBuyerIds);
            const planId = catalog.planIds[0];
            const sale = await kit.checkout({ customerId, items: [{ planId }], idempotencyKey: key('storefront') });
            const id = sale.subscriptions[0]!.id;
            await activate(id);
            units.push({ id, orderId: sale.order.id, customerId, planId, paid: sale.order.total.amount, live: true });
            done.storefrontSold++;
          } else if (roll < 0.55) {
            const planId = catalog.planIds[0];
            const bought = await kit.gifts.buy({
              customerId: pick(catalog.customerIds),
              planId,
              validDays: 10,
              idempotencyKey: key('gift'),
            });
            const customerId = pick(catalog.gifteeIds);
            const claimed = await kit.gifts.claim({ code: bought.gift.code, customerId });
            const id = claimed.subscriptions[0]!.id;
            await activate(id);
            units.push({ id, orderId: claimed.order.id, customerId, planId, paid: 0, live: true });
            done.gifted++;
            if (next() < 0.5) {
              units.push({ ...(await buy(catalog, customerId, planId)), customerId, planId, paid: PRICE, live: true });
              done.gifteesPaid++;
            }
          } else if (roll < 0.65) {
            const paid = live.filter((u) => u.paid > 0);
            if (paid.length === 0) continue;
            const unit = pick(paid);
            await storage.ledger.append({
              customerId: unit.customerId,
              kind: 'refund',
              amount: unit.paid,
              currency: 'USD',
              idempotencyKey: `refund:${unit.orderId}`,
              orderId: unit.orderId,
              actor: { type: 'admin', id: 'adm_figures' },
            });
            await change(unit.id, { status: 'terminated' });
            unit.live = false;
            done.refunded++;
          } else if (roll < 0.8) {
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
