/**
 * `customerWithPriceBookSql` in a host's statement answers what `customers.getWithPriceBook` answers: the customer and
 * its whole price book in plan order and its balances by currency (storage port 35), an empty book and no balances, and
 * `null` for no such customer; `customerIdByExternalRefSql` finds a customer by its external reference in the same way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import {
  createPostgresStorage,
  customerIdByExternalRefSql,
  customerWithPriceBookFromJson,
  customerWithPriceBookSql,
  migrate,
} from '../src/index.js';
import { dropSchema, seedSaleCatalog, sharedPGlite, uniqueSchema } from './helpers.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

describe('customerWithPriceBookSql', () => {
  it("reads in a host's statement what customers.getWithPriceBook reads", async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    const clock = new ManualClock(new Date('2026-01-01T00:00:00.123Z'));
    await migrate(client, { schema, clock });
    const storage = createPostgresStorage({ client, schema, clock });
    try {
      const { plan } = await seedSaleCatalog(storage);
      const second = await storage.plans.create({
        name: 'second',
        family: 'f',
        price: { amount: 2, currency: 'USD' },
        durationDays: 30,
        trafficBytes: null,
      });
      const reseller = await storage.customers.create({ email: 'r@example.com', locale: 'fa' });
      const buyer = await storage.customers.create({ email: 'b@example.com', locale: 'en' });
      await storage.priceBooks.set({ customerId: reseller.id, planId: second.id, price: { amount: 900, currency: 'USD' } });
      await storage.priceBooks.set({
        customerId: reseller.id,
        planId: plan.id,
        price: { amount: 700, currency: 'USD' },
        extensionPrice: { amount: 5, currency: 'USD' },
      });
      await storage.ledger.append({
        customerId: reseller.id,
        kind: 'top_up',
        amount: 1500,
        currency: 'USD',
        idempotencyKey: 'top-up-1',
        actor: { type: 'system' },
      });
      // The host's own statement, the customer id a column of it.
      const read = async (id: string) => {
        const { rows } = await client.query<{ read: unknown }>(
          `SELECT ${customerWithPriceBookSql(schema, 'asked.id')} AS read FROM (SELECT $1::text AS id) AS asked`,
          [id],
        );
        return customerWithPriceBookFromJson(rows[0]!.read);
      };
      const withBook = await read(reseller.id);
      expect(withBook).toEqual(await storage.customers.getWithPriceBook(reseller.id));
      expect(withBook?.priceBook).toHaveLength(2);
      expect(withBook?.balances).toEqual([{ amount: 1500, currency: 'USD' }]);
      expect(withBook?.customer.createdAt).toEqual(new Date('2026-01-01T00:00:00.123Z'));
      expect(await read(buyer.id)).toEqual({ customer: buyer, priceBook: [], balances: [] });
      expect(await read('cus_missing')).toBeNull();
      expect(() => customerWithPriceBookSql('Bad-Schema', '$1')).toThrow(/invalid schema name/);

      // By external reference: the key a column of the host's statement too.
      const keyed = await storage.customers.create({ externalRef: 'telegram:42', locale: 'en' });
      const byRef = async (ref: string) => {
        const { rows } = await client.query<{ read: unknown }>(
          `SELECT ${customerWithPriceBookSql(schema, customerIdByExternalRefSql(schema, 'asked.ref'))} AS read FROM (SELECT $1::text AS ref) AS asked`,
          [ref],
        );
        return customerWithPriceBookFromJson(rows[0]!.read);
      };
      expect(await byRef('telegram:42')).toEqual({ customer: keyed, priceBook: [], balances: [] });
      expect(await byRef('telegram:43')).toBeNull();
      expect(() => customerIdByExternalRefSql('Bad-Schema', '$1')).toThrow(/invalid schema name/);
    } finally {
      await storage.close();
      await dropSchema(client, schema);
    }
  });
});
