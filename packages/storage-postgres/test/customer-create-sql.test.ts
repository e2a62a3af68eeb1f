/**
 * `customerCreateSql` in a host's statement stores what `customers.create` stores (validated the same way), only when
 * the host's condition holds, and nothing for a taken key; `customerFromJson` reads the row made back.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, customerCreateSql, customerFromJson, migrate } from '../src/index.js';
import { dropSchema, sharedPGlite, uniqueSchema } from './helpers.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

describe('customerCreateSql', () => {
  it("makes in a host's statement the customer customers.create makes, when asked and its keys are free", async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    const clock = new ManualClock(new Date('2026-01-01T00:00:00.123Z'));
    await migrate(client, { schema, clock });
    const storage = createPostgresStorage({ client, schema, clock });
    try {
      // The host's own statement: its parameter $1 decides, the insert's are numbered after it.
      const make = async (input: Parameters<typeof customerCreateSql>[1], wanted: boolean) => {
        const insert = customerCreateSql(schema, input, clock.now(), 2, '$1::boolean');
        const { rows } = await client.query<{ made: unknown }>(
          `WITH made AS (${insert.sql}) SELECT (SELECT row_to_json(m) FROM made AS m) AS made`,
          [wanted, ...insert.params],
        );
        return customerFromJson(rows[0]!.made);
      };
      const input = { externalRef: 'telegram:42', telegramId: '42', name: 'Ann', locale: 'ru' };
      expect(await make(input, false)).toBeNull();
      expect(await storage.customers.getByExternalRef('telegram:42')).toBeNull();

      const made = await make(input, true);
      expect(made).toEqual({
        id: expect.stringMatching(/^cus_/),
        email: null,
        storefrontId: null,
        ...input,
        createdAt: new Date('2026-01-01T00:00:00.123Z'),
        updatedAt: new Date('2026-01-01T00:00:00.123Z'),
      });
      expect(await storage.customers.get(made!.id)).toEqual(made);
      // A taken key makes nothing (where create fails with a ConflictError); the stored one stands.
      expect(await make({ ...input, name: 'Other' }, true)).toBeNull();
      await expect(storage.customers.create(input)).rejects.toThrow(/already taken/);
      expect(await storage.customers.getByExternalRef('telegram:42')).toEqual(made);
      // Validated as create validates: a bad field is refused before any statement.
      expect(() => customerCreateSql(schema, { ...input, locale: 42 } as never, clock.now(), 1, 'true')).toThrow();
      expect(() => customerCreateSql('Bad-Schema', input, clock.now(), 1, 'true')).toThrow(/invalid schema name/);
      expect(customerFromJson(null)).toBeNull();
    } finally {
      await storage.close();
      await dropSchema(client, schema);
    }
  });
});
