/**
 * `ensureLinkTokensSql` in a host's statement does what `linkTokens.ensureMany` does (issue 93: the shop's notices write
 * makes its messages' link tokens): a customer with no token gets the candidate asked, one with a token keeps it and
 * the statement answers the stored nonce, only the rows the host's relation gives are asked, and the host's own write
 * in the same statement commits with them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, ensureLinkTokensSql, migrate } from '../src/index.js';
import { dropSchema, sharedPGlite, uniqueSchema } from './helpers.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

const candidate = (n: number) => ({ nonce: `nonce-${n}`, tokenHash: String(n).padStart(64, '0') });

describe('ensureLinkTokensSql', () => {
  it("makes in a host's statement what linkTokens.ensureMany makes, for the rows the host's relation asks", async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    const clock = new ManualClock(new Date('2026-01-01T00:00:00.000Z'));
    await migrate(client, { schema, clock });
    const storage = createPostgresStorage({ client, schema, clock });
    try {
      const [a, b, c] = [
        await storage.customers.create({ locale: 'en' }),
        await storage.customers.create({ locale: 'en' }),
        await storage.customers.create({ locale: 'en' }),
      ];
      const [stored] = await storage.linkTokens.ensureMany([{ customerId: a.id, candidate: candidate(1) }]);
      expect(stored).toBe('nonce-1');
      // The host's statement: its own rows (`w`), of which only the `ask` ones ask for a token.
      const { rows } = await client.query<{ customer_id: string; nonce: string }>(
        `WITH w AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) AS w(customer_id, nonce, token_hash, ask)),
         ${ensureLinkTokensSql(schema, 'links', 'SELECT customer_id, nonce, token_hash FROM w WHERE ask', '$5::timestamptz')}
         SELECT customer_id, nonce FROM links ORDER BY customer_id`,
        [
          [a.id, b.id, c.id],
          ['nonce-2', 'nonce-3', 'nonce-4'],
          [candidate(2).tokenHash, candidate(3).tokenHash, candidate(4).tokenHash],
          [true, true, false],
          new Date('2026-01-02T00:00:00.000Z'),
        ],
      );
      expect(rows).toEqual(
        [
          { customer_id: a.id, nonce: 'nonce-1' },
          { customer_id: b.id, nonce: 'nonce-3' },
        ].sort((x, y) => x.customer_id.localeCompare(y.customer_id)),
      );
      // What the storage reads now: b's candidate stored, c still without a token (its call makes c's).
      expect(await storage.linkTokens.ensureMany([b, a].map((x, i) => ({ customerId: x.id, candidate: candidate(10 + i) })))).toEqual([
        'nonce-3',
        'nonce-1',
      ]);
      expect(await storage.linkTokens.customerByHash(candidate(3).tokenHash)).toBe(b.id);
      expect(await storage.linkTokens.customerByHash(candidate(4).tokenHash)).toBeNull();
      expect(() => ensureLinkTokensSql('Bad-Schema', 'links', 'SELECT 1', 'now()')).toThrow(/invalid schema name/);
      expect(() => ensureLinkTokensSql(schema, 'links; DROP', 'SELECT 1', 'now()')).toThrow(/no plain SQL name/);
    } finally {
      await storage.close();
      await dropSchema(client, schema);
    }
  });
});
