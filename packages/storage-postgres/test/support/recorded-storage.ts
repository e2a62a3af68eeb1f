import { createSecretBox, generateSecretKey } from '@panelkit/sdk';
import type { SecretBox } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, migrate } from '../../src/index.js';
import type { SqlClient } from '../../src/index.js';
import { dropSchema, uniqueSchema } from '../helpers.js';
import type { sharedPGlite } from '../helpers.js';

/**
 * A storage (credentials sealed) on a fresh schema whose every statement is recorded, those of the pool
 * and those inside its transactions, a transaction's start as `BEGIN`.
 */
export async function recordingStorage(pglite: ReturnType<typeof sharedPGlite>) {
  const inner = await pglite.client();
  const schema = uniqueSchema();
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  await migrate(inner, { schema, clock });
  const statements: string[] = [];
  const record = (text: string) => statements.push(text.replace(/\s+/g, ' ').trim());
  const recording: SqlClient = {
    concurrent: false,
    query: (text, params) => {
      record(text);
      return inner.query(text, params);
    },
    transaction: (fn) => {
      record('BEGIN');
      return inner.transaction((db) =>
        fn({
          query: (text, params) => {
            record(text);
            return db.query(text, params);
          },
        }),
      );
    },
  };
  const box: SecretBox = createSecretBox([generateSecretKey('k1')]);
  const storage = createPostgresStorage({ client: recording, schema, clock, secretBox: box });
  const row = async (id: string) => (await inner.query(`SELECT * FROM "${schema}".subscriptions WHERE id = $1`, [id])).rows[0]!;
  return { storage, statements, clock, row, schema, cleanup: () => dropSchema(inner, schema) };
}
