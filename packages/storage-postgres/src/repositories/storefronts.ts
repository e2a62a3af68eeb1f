import { IdempotencyConflictError, NotFoundError, ValidationError, createId } from '@panelkit/sdk';
import type { Customer, Money, PageRequest } from '@panelkit/sdk';
import { NewMenuItemSchema, NewStorefrontSaleSchema, NewStorefrontSchema, StorefrontPatchSchema } from '@panelkit/sdk/storefronts';
import type {
  MenuItem,
  NewMenuItem,
  NewStorefront,
  NewStorefrontSale,
  Storefront,
  StorefrontPatch,
  StorefrontSale,
  StorefrontStatus,
} from '@panelkit/sdk/storefronts';
import { definedFields, inputKey, parseInput, timeKey } from '@panelkit/sdk/storage';
import type { StorefrontPeriodTotals, StorefrontRepository } from '@panelkit/sdk/storage';
import type { Column } from '../internal/columns.js';
import { isUniqueViolation } from '../internal/errors.js';
import { rowLock } from '../internal/locks.js';
import { pageNewestFirst } from '../internal/paging.js';
import { rowTable } from '../internal/row-table.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';
import { customerFromRow } from './customers.js';

const COLUMNS: readonly Column<Storefront>[] = [
  ['id', 'text', (s) => s.id],
  ['reseller_id', 'text', (s) => s.resellerId],
  ['name', 'text', (s) => s.name],
  ['status', 'text', (s) => s.status],
  ['quotas', 'jsonb', (s) => enc.json(s.quotas)],
  ['commission_tiers', 'jsonb', (s) => enc.json(s.commissionTiers)],
  ['created_at', 'timestamptz', (s) => enc.time(s.createdAt)],
  ['updated_at', 'timestamptz', (s) => enc.time(s.updatedAt)],
];

function storefrontFromRow(r: Row): Storefront {
  return {
    id: dec.text(r['id']),
    resellerId: dec.text(r['reseller_id']),
    name: dec.text(r['name']),
    status: dec.text(r['status']) as StorefrontStatus,
    quotas: dec.json(r['quotas']),
    commissionTiers: dec.json(r['commission_tiers']),
    createdAt: dec.time(r['created_at']),
    updatedAt: dec.time(r['updated_at']),
  };
}

function menuFromRow(r: Row): MenuItem {
  return {
    storefrontId: dec.text(r['storefront_id']),
    planId: dec.text(r['plan_id']),
    retailPrice: { amount: dec.int(r['retail_amount']), currency: dec.text(r['retail_currency']) },
    updatedAt: dec.time(r['updated_at']),
  };
}

function saleFromRow(r: Row): StorefrontSale {
  const currency = dec.text(r['currency']);
  const m = (column: string): Money => ({ amount: dec.int(r[column]), currency });
  return {
    id: dec.text(r['id']),
    storefrontId: dec.text(r['storefront_id']),
    resellerId: dec.text(r['reseller_id']),
    buyerId: dec.text(r['buyer_id']),
    orderId: r['order_id'] === null ? null : dec.text(r['order_id']),
    subscriptionId: r['subscription_id'] === null ? null : dec.text(r['subscription_id']),
    source: dec.text(r['source']) as StorefrontSale['source'],
    chargeKey: r['charge_key'] === null ? null : dec.text(r['charge_key']),
    kind: dec.text(r['kind']) as StorefrontSale['kind'],
    retail: m('retail'),
    wholesale: m('wholesale'),
    margin: m('margin'),
    bonus: m('bonus'),
    idempotencyKey: dec.text(r['idempotency_key']),
    createdAt: dec.time(r['created_at']),
  };
}

/** Statuses whose subscriptions count against a storefront's quotas. */
const LIVE = ['pending', 'active', 'on_hold', 'limited', 'suspended'];

/**
 * Storefronts in `{schema}.storefronts`, their menus, buyers (`customers.storefront_id`) and sales' splits. A sale's
 * lock is the storefront's row and then its reseller's customer row (`FOR NO KEY UPDATE`, the ledger's lock).
 */
export function storefrontRepository({ runner, schema }: RepositoryContext): StorefrontRepository {
  const storefronts = rowTable(`${schema}.storefronts`, 'storefront', COLUMNS, storefrontFromRow);
  const menu = `${schema}.storefront_menu`;
  const sales = `${schema}.storefront_sales`;
  const read = { read: true } as const;
  return {
    create: (input: NewStorefront) =>
      runner.run('storefronts.create', async ({ db, now }) => {
        const parsed = parseInput(NewStorefrontSchema, input, 'storefront');
        const reseller = await db.query(`SELECT storefront_id FROM ${schema}.customers WHERE id = $1`, [parsed.resellerId]);
        if (reseller.rows[0] === undefined) throw new NotFoundError('customer', parsed.resellerId);
        if (reseller.rows[0]['storefront_id'] !== null && reseller.rows[0]['storefront_id'] !== undefined)
          throw new ValidationError('a storefront buyer cannot run a storefront', [
            { path: 'resellerId', message: 'is a buyer of a storefront' },
          ]);
        return storefronts.insert(db, { ...parsed, id: parsed.id ?? createId('sfr'), createdAt: now, updatedAt: now });
      }),
    get: (id: string) =>
      runner.run('storefronts.get', ({ db }) => storefronts.findOne(db, 'id = $1', [inputKey(id, 'storefront id')]), read),
    getByReseller: (resellerId: string) =>
      runner.run(
        'storefronts.getByReseller',
        ({ db }) => storefronts.findOne(db, 'reseller_id = $1', [inputKey(resellerId, 'reseller id')]),
        read,
      ),
    list: (filter: { status?: StorefrontStatus } = {}) =>
      runner.run(
        'storefronts.list',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${schema}.storefronts WHERE ($1::text IS NULL OR status = $1) ORDER BY name, id`, [
            filter.status ?? null,
          ]);
          return rows.map(storefrontFromRow);
        },
        read,
      ),
    update: (id: string, patch: StorefrontPatch) =>
      runner.run('storefronts.update', async ({ db, now }) => {
        const changes = definedFields(parseInput(StorefrontPatchSchema, patch, 'storefront patch'));
        const before = await storefronts.lock(db, inputKey(id, 'storefront id'));
        return storefronts.replace(db, { ...before, ...changes, updatedAt: now });
      }),
    lockForSale: (id: string) =>
      runner.run('storefronts.lockForSale', async ({ db }) => {
        const { rows } = await db.query(`SELECT * FROM ${schema}.storefronts WHERE id = $1 ${rowLock()}`, [inputKey(id, 'storefront id')]);
        if (rows[0] === undefined) return null;
        const storefront = storefrontFromRow(rows[0]);
        await db.query(`SELECT id FROM ${schema}.customers WHERE id = $1 ${rowLock()}`, [storefront.resellerId]);
        return storefront;
      }),
    setMenuItem: (input: NewMenuItem) =>
      runner.run('storefronts.setMenuItem', async ({ db, now }) => {
        const line = parseInput(NewMenuItemSchema, input, 'menu item');
        const { rows } = await db.query(
          `INSERT INTO ${menu} (storefront_id, plan_id, retail_amount, retail_currency, updated_at) VALUES ($1, $2, $3, $4, $5::timestamptz)
           ON CONFLICT (storefront_id, plan_id) DO UPDATE SET retail_amount = EXCLUDED.retail_amount,
             retail_currency = EXCLUDED.retail_currency, updated_at = EXCLUDED.updated_at
           RETURNING *`,
          [line.storefrontId, line.planId, line.retailPrice.amount, line.retailPrice.currency, enc.time(now)],
        );
        return menuFromRow(rows[0]!);
      }),
    removeMenuItem: (storefrontId: string, planId: string) =>
      runner.run('storefronts.removeMenuItem', async ({ db }) => {
        const { rows } = await db.query(`DELETE FROM ${menu} WHERE storefront_id = $1 AND plan_id = $2 RETURNING plan_id`, [
          inputKey(storefrontId, 'storefront id'),
          inputKey(planId, 'plan id'),
        ]);
        return rows.length > 0;
      }),
    getMenuItem: (storefrontId: string, planId: string) =>
      runner.run(
        'storefronts.getMenuItem',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${menu} WHERE storefront_id = $1 AND plan_id = $2`, [
            inputKey(storefrontId, 'storefront id'),
            inputKey(planId, 'plan id'),
          ]);
          return rows[0] === undefined ? null : menuFromRow(rows[0]);
        },
        read,
      ),
    menu: (storefrontId: string) =>
      runner.run(
        'storefronts.menu',
        async ({ db }) =>
          (
            await db.query(`SELECT * FROM ${menu} WHERE storefront_id = $1 ORDER BY plan_id`, [inputKey(storefrontId, 'storefront id')])
          ).rows.map(menuFromRow),
        read,
      ),
    assignBuyer: (customerId: string, storefrontId: string | null) =>
      runner.run('storefronts.assignBuyer', async ({ db, now }) => {
        const id = inputKey(customerId, 'customer id');
        const target = storefrontId === null ? null : inputKey(storefrontId, 'storefront id');
        if (target !== null) {
          const exists = await db.query(`SELECT 1 FROM ${schema}.storefronts WHERE id = $1`, [target]);
          if (exists.rows.length === 0) throw new NotFoundError('storefront', target);
          const runs = await db.query(`SELECT 1 FROM ${schema}.storefronts WHERE reseller_id = $1`, [id]);
          if (runs.rows.length > 0)
            throw new ValidationError('a reseller cannot be a storefront buyer', [{ path: 'customerId', message: 'runs a storefront' }]);
        }
        const { rows } = await db.query(
          `UPDATE ${schema}.customers SET storefront_id = $2, updated_at = $3::timestamptz WHERE id = $1 RETURNING *`,
          [id, target, enc.time(now)],
        );
        if (rows[0] === undefined) throw new NotFoundError('customer', id);
        return customerFromRow(rows[0]);
      }),
    listBuyers: (storefrontId: string, page: PageRequest) =>
      runner.run(
        'storefronts.listBuyers',
        ({ db }) =>
          pageNewestFirst<Customer>(db, `${schema}.customers`, customerFromRow, page, {
            where: 'storefront_id = $1',
            params: [inputKey(storefrontId, 'storefront id')],
            key: (c) => timeKey(c.createdAt, c.id),
          }),
        read,
      ),
    countBuyers: (storefrontId: string) =>
      runner.run(
        'storefronts.countBuyers',
        async ({ db }) =>
          dec.int(
            (
              await db.query(`SELECT count(*) AS n FROM ${schema}.customers WHERE storefront_id = $1`, [
                inputKey(storefrontId, 'storefront id'),
              ])
            ).rows[0]!['n'],
          ),
        read,
      ),
    usage: (storefrontId: string) =>
      runner.run(
        'storefronts.usage',
        async ({ db }) => {
          const { rows } = await db.query(
            `SELECT count(*) AS n, coalesce(sum(s.traffic_limit_bytes), 0) AS bytes
             FROM ${schema}.customers c JOIN ${schema}.subscriptions s ON s.customer_id = c.id
             WHERE c.storefront_id = $1 AND s.status = ANY($2::text[])`,
            [inputKey(storefrontId, 'storefront id'), LIVE],
          );
          return { activeSubscriptions: dec.int(rows[0]!['n']), trafficBytes: dec.int(rows[0]!['bytes']) };
        },
        read,
      ),
    recordSale: (input: NewStorefrontSale) =>
      runner.run(
        'storefronts.recordSale',
        async ({ db, now }) => {
          const s = parseInput(NewStorefrontSaleSchema, input, 'storefront sale');
          const same = (sale: StorefrontSale) => {
            if (
              sale.orderId !== s.orderId ||
              sale.chargeKey !== s.chargeKey ||
              sale.kind !== s.kind ||
              sale.retail.amount !== s.retail.amount
            )
              throw new IdempotencyConflictError(s.idempotencyKey);
            return { sale, created: false };
          };
          const existing = await db.query(`SELECT * FROM ${sales} WHERE idempotency_key = $1`, [s.idempotencyKey]);
          if (existing.rows[0] !== undefined) return same(saleFromRow(existing.rows[0]));
          // A racing insert of the key makes this one wait for it and then do nothing: its row is read back instead.
          const { rows } = await db.query(
            `INSERT INTO ${sales} (id, storefront_id, reseller_id, buyer_id, order_id, kind, currency, retail, wholesale, margin, bonus,
               idempotency_key, created_at, subscription_id, source, charge_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::timestamptz, $14, $15, $16)
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
            [
              s.id ?? createId('sfs'),
              s.storefrontId,
              s.resellerId,
              s.buyerId,
              s.orderId,
              s.kind,
              s.retail.currency,
              s.retail.amount,
              s.wholesale.amount,
              s.margin.amount,
              s.bonus.amount,
              s.idempotencyKey,
              enc.time(now),
              s.subscriptionId,
              s.source,
              s.chargeKey,
            ],
          );
          if (rows[0] !== undefined) return { sale: saleFromRow(rows[0]), created: true };
          const raced = await db.query(`SELECT * FROM ${sales} WHERE idempotency_key = $1`, [s.idempotencyKey]);
          return same(saleFromRow(raced.rows[0]!));
        },
        { retryOn: (error) => isUniqueViolation(error, 'storefront_sales_idempotency_key') },
      ),
    salesOfOrder: (orderId: string) =>
      runner.run(
        'storefronts.salesOfOrder',
        async ({ db }) =>
          (await db.query(`SELECT * FROM ${sales} WHERE order_id = $1 ORDER BY created_at, id`, [inputKey(orderId, 'order id')])).rows.map(
            saleFromRow,
          ),
        read,
      ),
    salesOfCharge: (chargeKey: string) =>
      runner.run(
        'storefronts.salesOfCharge',
        async ({ db }) =>
          (
            await db.query(`SELECT * FROM ${sales} WHERE charge_key = $1 ORDER BY created_at, id`, [inputKey(chargeKey, 'charge key')])
          ).rows.map(saleFromRow),
        read,
      ),
    countSales: (storefrontId: string, since: Date) =>
      runner.run(
        'storefronts.countSales',
        async ({ db }) =>
          dec.int(
            (
              await db.query(
                `SELECT count(*) AS n FROM ${sales} WHERE storefront_id = $1 AND kind = 'sale' AND created_at >= $2::timestamptz`,
                [inputKey(storefrontId, 'storefront id'), enc.time(since)],
              )
            ).rows[0]!['n'],
          ),
        read,
      ),
    figures: (query: { from: Date; to: Date; storefrontId?: string }) =>
      runner.run(
        'storefronts.figures',
        async ({ db }) => {
          const { rows } = await db.query(
            `SELECT storefront_id, currency, count(*) FILTER (WHERE kind = 'sale') AS sales, count(*) FILTER (WHERE kind = 'refund') AS refunds,
               sum(retail) AS retail, sum(wholesale) AS wholesale, sum(margin) AS margin, sum(bonus) AS bonus
             FROM ${sales}
             WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz AND ($3::text IS NULL OR storefront_id = $3)
             GROUP BY storefront_id, currency ORDER BY storefront_id, currency`,
            [enc.time(query.from), enc.time(query.to), query.storefrontId ?? null],
          );
          const out = new Map<string, StorefrontPeriodTotals>();
          for (const r of rows) {
            const id = dec.text(r['storefront_id']);
            const currency = dec.text(r['currency']);
            let t = out.get(id);
            if (t === undefined) {
              t = { storefrontId: id, sales: 0, refunds: 0, retail: [], wholesale: [], margin: [], bonus: [] };
              out.set(id, t);
            }
            t.sales += dec.int(r['sales']);
            t.refunds += dec.int(r['refunds']);
            t.retail.push({ amount: dec.int(r['retail']), currency });
            t.wholesale.push({ amount: dec.int(r['wholesale']), currency });
            t.margin.push({ amount: dec.int(r['margin']), currency });
            t.bonus.push({ amount: dec.int(r['bonus']), currency });
          }
          return [...out.values()];
        },
        read,
      ),
  };
}
