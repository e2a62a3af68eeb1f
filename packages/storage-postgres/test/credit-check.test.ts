/**
 * The credit floor is the database's too (migration 7): whatever code writes `ledger_balances`, a balance
 * below minus the customer's credit limit is refused by a CHECK, and a limit cannot be negative. Existing
 * balances keep working as before (a limit of 0: never below zero).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, migrate } from '../src/index.js';
import { dropSchema, sharedPGlite, uniqueSchema } from './helpers.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

describe('credit limits in the schema', () => {
  it('a CHECK refuses a balance below minus the limit and a negative limit, written by any statement', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    await migrate(client, { schema });
    const storage = createPostgresStorage({ client, schema, clock: new ManualClock() });
    const customer = await storage.customers.create({ email: 'r@example.com' });
    await storage.ledger.setCreditLimit({ customerId: customer.id, currency: 'USD', amount: 100 });
    const balances = `"${schema}".ledger_balances`;
    await client.query(`UPDATE ${balances} SET amount = -100 WHERE customer_id = $1`, [customer.id]);
    await expect(client.query(`UPDATE ${balances} SET amount = -101 WHERE customer_id = $1`, [customer.id])).rejects.toThrow(
      /ledger_balances_within_credit/,
    );
    await expect(client.query(`UPDATE ${balances} SET credit_limit = -1 WHERE customer_id = $1`, [customer.id])).rejects.toThrow(
      /ledger_balances_credit_limit_check/,
    );
    // Lowering the limit under the balance by hand is refused too.
    await expect(client.query(`UPDATE ${balances} SET credit_limit = 99 WHERE customer_id = $1`, [customer.id])).rejects.toThrow(
      /ledger_balances_within_credit/,
    );
    const other = await storage.customers.create({ email: 'o@example.com' });
    await expect(
      client.query(`INSERT INTO ${balances} (customer_id, currency, amount) VALUES ($1, 'USD', -1)`, [other.id]),
    ).rejects.toThrow(/ledger_balances_within_credit/);
    await storage.close();
    await dropSchema(client, schema);
  });
});
