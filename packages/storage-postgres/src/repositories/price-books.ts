import { NewPriceBookEntrySchema } from '@panelkit/sdk/schemas';
import { inputKey, parseInput } from '@panelkit/sdk/storage';
import type { NewPriceBookEntry, PriceBookEntry } from '@panelkit/sdk';
import type { PriceBookRepository } from '@panelkit/sdk/storage';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

/** A price book line from its row. */
export function entryFromRow(r: Row): PriceBookEntry {
  const orNull = (v: unknown) => (v === null || v === undefined ? null : dec.json<PriceBookEntry['price']>(v));
  return {
    customerId: dec.text(r['customer_id']),
    planId: dec.text(r['plan_id']),
    price: dec.json(r['price']),
    extensionPrice: orNull(r['extension_price']),
    trafficPricePerGiB: orNull(r['traffic_price_per_gib']),
    updatedAt: dec.time(r['updated_at']),
  };
}

/** Resellers' price books: one row per customer and plan, written by an upsert. */
export function priceBookRepository({ runner, schema }: RepositoryContext): PriceBookRepository {
  const table = `${schema}.price_book_entries`;
  const read = { read: true } as const;

  return {
    get: (customerId: string, planId: string) =>
      runner.run(
        'priceBooks.get',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE customer_id = $1 AND plan_id = $2`, [
            inputKey(customerId, 'customer id'),
            inputKey(planId, 'plan id'),
          ]);
          return rows[0] === undefined ? null : entryFromRow(rows[0]);
        },
        read,
      ),

    list: (customerId: string) =>
      runner.run(
        'priceBooks.list',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE customer_id = $1 ORDER BY plan_id`, [
            inputKey(customerId, 'customer id'),
          ]);
          return rows.map(entryFromRow);
        },
        read,
      ),

    set: (input: NewPriceBookEntry) =>
      runner.run('priceBooks.set', async ({ db, now }) => {
        const entry = parseInput(NewPriceBookEntrySchema, input, 'price book entry');
        const json = (v: unknown) => (v === null ? null : enc.json(v));
        const { rows } = await db.query(
          `INSERT INTO ${table} (customer_id, plan_id, price, extension_price, traffic_price_per_gib, updated_at)
           VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6::timestamptz)
           ON CONFLICT (customer_id, plan_id) DO UPDATE SET price = EXCLUDED.price, extension_price = EXCLUDED.extension_price,
             traffic_price_per_gib = EXCLUDED.traffic_price_per_gib, updated_at = EXCLUDED.updated_at
           RETURNING *`,
          [
            entry.customerId,
            entry.planId,
            enc.json(entry.price),
            json(entry.extensionPrice),
            json(entry.trafficPricePerGiB),
            enc.time(now),
          ],
        );
        return entryFromRow(rows[0]!);
      }),

    remove: (customerId: string, planId: string) =>
      runner.run('priceBooks.remove', async ({ db }) => {
        const { rows } = await db.query(`DELETE FROM ${table} WHERE customer_id = $1 AND plan_id = $2 RETURNING plan_id`, [
          inputKey(customerId, 'customer id'),
          inputKey(planId, 'plan id'),
        ]);
        return rows.length > 0;
      }),
  };
}
