import { NotFoundError, createId, normalizeDiscountCode } from '@panelkit/sdk';
import { DiscountCodePatchSchema, NewDiscountCodeSchema, NewDiscountRedemptionSchema } from '@panelkit/sdk/schemas';
import { definedFields, inputKey, parseInput, timeKey } from '@panelkit/sdk/storage';
import type {
  DiscountCode,
  DiscountCodePatch,
  DiscountRedemption,
  DiscountUse,
  NewDiscountCode,
  NewDiscountRedemption,
  PageRequest,
} from '@panelkit/sdk';
import type { DiscountRepository, RedeemResult } from '@panelkit/sdk/storage';
import type { Column } from '../internal/columns.js';
import { rowTable } from '../internal/row-table.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

const COLUMNS: readonly Column<DiscountCode>[] = [
  ['id', 'text', (c) => c.id],
  ['code', 'text', (c) => c.code],
  ['value', 'jsonb', (c) => enc.json(c.value)],
  ['plan_ids', 'jsonb', (c) => enc.json(c.planIds)],
  ['locations', 'jsonb', (c) => enc.json(c.locations)],
  ['min_amount', 'jsonb', (c) => enc.jsonOrNull(c.minAmount)],
  ['starts_at', 'timestamptz', (c) => enc.timeOrNull(c.startsAt)],
  ['ends_at', 'timestamptz', (c) => enc.timeOrNull(c.endsAt)],
  ['max_uses', 'integer', (c) => c.maxUses],
  ['max_uses_per_customer', 'integer', (c) => c.maxUsesPerCustomer],
  ['first_purchase_only', 'boolean', (c) => c.firstPurchaseOnly],
  ['customer_id', 'text', (c) => c.customerId],
  ['applies_to', 'jsonb', (c) => enc.json(c.appliesTo)],
  ['disabled', 'boolean', (c) => c.disabled],
  ['note', 'text', (c) => c.note],
  ['uses', 'integer', (c) => c.uses],
  ['created_at', 'timestamptz', (c) => enc.time(c.createdAt)],
  ['updated_at', 'timestamptz', (c) => enc.time(c.updatedAt)],
];

function codeFromRow(r: Row): DiscountCode {
  return {
    id: dec.text(r['id']),
    code: dec.text(r['code']),
    value: dec.json(r['value']),
    planIds: dec.json(r['plan_ids']),
    locations: dec.json(r['locations']),
    minAmount: r['min_amount'] === null ? null : dec.json(r['min_amount']),
    startsAt: dec.timeOrNull(r['starts_at']),
    endsAt: dec.timeOrNull(r['ends_at']),
    maxUses: dec.intOrNull(r['max_uses']),
    maxUsesPerCustomer: dec.intOrNull(r['max_uses_per_customer']),
    firstPurchaseOnly: dec.bool(r['first_purchase_only']),
    customerId: dec.textOrNull(r['customer_id']),
    appliesTo: dec.json(r['applies_to']),
    disabled: dec.bool(r['disabled']),
    note: dec.textOrNull(r['note']),
    uses: dec.int(r['uses']),
    createdAt: dec.time(r['created_at']),
    updatedAt: dec.time(r['updated_at']),
  };
}

function redemptionFromRow(r: Row): DiscountRedemption {
  return {
    id: dec.text(r['id']),
    codeId: dec.text(r['code_id']),
    customerId: dec.text(r['customer_id']),
    key: dec.text(r['key']),
    use: dec.text(r['use_kind']) as DiscountUse,
    orderId: dec.textOrNull(r['order_id']),
    subscriptionId: dec.textOrNull(r['subscription_id']),
    discount: dec.json(r['discount']),
    releasedAt: dec.timeOrNull(r['released_at']),
    createdAt: dec.time(r['created_at']),
  };
}

/**
 * Codes and uses. A redemption first moves the code's counter with one conditional `UPDATE` (which
 * also locks the code's row, so every redemption of a code queues there, on any connection); the
 * customer's count is read after that lock, and a refusal then puts the counter back.
 */
export function discountRepository({ runner, schema }: RepositoryContext): DiscountRepository {
  const codes = `${schema}.discount_codes`;
  const uses = `${schema}.discount_redemptions`;
  const codeRows = rowTable(codes, 'discount code', COLUMNS, codeFromRow);
  const read = { read: true } as const;
  const one = async (db: { query: (t: string, p: unknown[]) => Promise<{ rows: Row[] }> }, sql: string, params: unknown[]) =>
    (await db.query(sql, params)).rows[0];

  return {
    create: (input: NewDiscountCode) =>
      runner.run('discounts.create', async ({ db, now }) => {
        const parsed = parseInput(NewDiscountCodeSchema, input, 'discount code');
        const code: DiscountCode = { ...parsed, id: parsed.id ?? createId('dc'), uses: 0, createdAt: now, updatedAt: now };
        return codeRows.insert(db, code);
      }),

    get: (id: string) => runner.run('discounts.get', ({ db }) => codeRows.findOne(db, 'id = $1', [inputKey(id, 'discount code id')]), read),

    getByCode: (text: string) =>
      runner.run(
        'discounts.getByCode',
        async ({ db }) => {
          const normal = normalizeDiscountCode(inputKey(text, 'discount code'));
          return normal === null ? null : codeRows.findOne(db, 'code = $1', [normal]);
        },
        read,
      ),

    list: (page: PageRequest) =>
      runner.run('discounts.list', ({ db }) => codeRows.newestFirst(db, page, { key: (c) => timeKey(c.createdAt, c.id) }), read),

    update: (id: string, patch: DiscountCodePatch) =>
      runner.run('discounts.update', async ({ db, now }) => {
        const changes = definedFields(parseInput(DiscountCodePatchSchema, patch, 'discount code patch'));
        const before = await codeRows.lock(db, inputKey(id, 'discount code id'));
        return codeRows.replace(db, { ...before, ...changes, updatedAt: now });
      }),

    redeem: (input: NewDiscountRedemption) =>
      runner.run('discounts.redeem', async ({ db, now }): Promise<RedeemResult> => {
        const parsed = parseInput(NewDiscountRedemptionSchema, input, 'discount redemption');
        const existing = await one(db, `SELECT * FROM ${uses} WHERE key = $1`, [parsed.key]);
        if (existing !== undefined) return { ok: true, redemption: redemptionFromRow(existing), created: false };
        if ((await one(db, `SELECT 1 FROM ${schema}.customers WHERE id = $1`, [parsed.customerId])) === undefined)
          throw new NotFoundError('customer', parsed.customerId);
        const taken = await one(
          db,
          `UPDATE ${codes} SET uses = uses + 1
           WHERE id = $1 AND NOT disabled AND (customer_id IS NULL OR customer_id = $2) AND (max_uses IS NULL OR uses < max_uses)
           RETURNING max_uses_per_customer`,
          [parsed.codeId, parsed.customerId],
        );
        if (taken === undefined) {
          const code = await one(db, `SELECT disabled, customer_id FROM ${codes} WHERE id = $1`, [parsed.codeId]);
          if (code === undefined) throw new NotFoundError('discount code', parsed.codeId);
          if (dec.bool(code['disabled'])) return { ok: false, reason: 'disabled' };
          const owner = dec.textOrNull(code['customer_id']);
          return { ok: false, reason: owner !== null && owner !== parsed.customerId ? 'wrong_customer' : 'exhausted' };
        }
        const perCustomer = dec.intOrNull(taken['max_uses_per_customer']);
        if (perCustomer !== null) {
          // Read after the code's row lock: every other redemption of this code has committed or waits.
          const count = await one(db, `SELECT count(*) AS n FROM ${uses} WHERE code_id = $1 AND customer_id = $2 AND released_at IS NULL`, [
            parsed.codeId,
            parsed.customerId,
          ]);
          if (dec.int(count!['n']) >= perCustomer) {
            await db.query(`UPDATE ${codes} SET uses = uses - 1 WHERE id = $1`, [parsed.codeId]);
            return { ok: false, reason: 'customer_exhausted' };
          }
        }
        const row = await one(
          db,
          `INSERT INTO ${uses} (id, code_id, customer_id, key, use_kind, order_id, subscription_id, discount, released_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, NULL, $9::timestamptz) RETURNING *`,
          [
            createId('dr'),
            parsed.codeId,
            parsed.customerId,
            parsed.key,
            parsed.use,
            parsed.orderId,
            parsed.subscriptionId,
            enc.json(parsed.discount),
            enc.time(now),
          ],
        );
        return { ok: true, redemption: redemptionFromRow(row!), created: true };
      }),

    release: (key: string) =>
      runner.run('discounts.release', async ({ db, now }) => {
        const row = await one(db, `UPDATE ${uses} SET released_at = $2::timestamptz WHERE key = $1 AND released_at IS NULL RETURNING *`, [
          inputKey(key, 'discount use key'),
          enc.time(now),
        ]);
        if (row === undefined) return null;
        const released = redemptionFromRow(row);
        await db.query(`UPDATE ${codes} SET uses = greatest(uses - 1, 0) WHERE id = $1`, [released.codeId]);
        return released;
      }),

    getRedemption: (key: string) =>
      runner.run(
        'discounts.getRedemption',
        async ({ db }) => {
          const row = await one(db, `SELECT * FROM ${uses} WHERE key = $1`, [inputKey(key, 'discount use key')]);
          return row === undefined ? null : redemptionFromRow(row);
        },
        read,
      ),

    customerUses: (codeId: string, customerId: string) =>
      runner.run(
        'discounts.customerUses',
        async ({ db }) => {
          const row = await one(db, `SELECT count(*) AS n FROM ${uses} WHERE code_id = $1 AND customer_id = $2 AND released_at IS NULL`, [
            inputKey(codeId, 'discount code id'),
            inputKey(customerId, 'customer id'),
          ]);
          return dec.int(row!['n']);
        },
        read,
      ),
  };
}
