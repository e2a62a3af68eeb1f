import { afterAll, describe, expect, it } from 'vitest';
import { StorageMisuseError, defineHostJob, enqueueHostJob, withAuditOutbox } from '@panelkit/sdk';
import { JsonObjectSchema } from '@panelkit/sdk/schemas';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { ManualClock } from '@panelkit/sdk/testing';
import type { SqlClient } from '../src/index.js';
import { transactionSql } from '../src/index.js';
import { sharedPGlite, storageInFreshSchema } from './helpers.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

async function fresh() {
  const client: SqlClient = await pglite.client();
  const { storage, schema, cleanup } = await storageInFreshSchema(client, new ManualClock('2026-03-01T00:00:00.000Z'));
  return { storage, schema, client, cleanup };
}

const notice = defineHostJob({ type: 'test.notice', payload: JsonObjectSchema, run: async () => {} });

describe('transactionSql: the host writes its own tables in the storage transaction', () => {
  it('a host row and the host job it causes commit together, and roll back together', async () => {
    const { storage, client, schema, cleanup } = await fresh();
    await client.query(`CREATE TABLE "${schema}".host_orders (id text PRIMARY KEY)`);
    const place = (id: string, fail: boolean) =>
      storage.transaction(async (tx) => {
        await transactionSql(tx).query(`INSERT INTO "${schema}".host_orders (id) VALUES ($1)`, [id]);
        await enqueueHostJob(tx, notice, { id }, { key: `order:${id}` });
        if (fail) throw new Error('the cause failed');
      });
    await expect(place('o1', true)).rejects.toThrow('the cause failed');
    await place('o2', false);
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM "${schema}".host_orders`);
    expect(rows.map((r) => r.id)).toEqual(['o2']);
    const jobs = await storage.jobs.list({ type: 'test.notice' }, { limit: 10 });
    expect(jobs.items.map((j) => j.payload['id'])).toEqual(['o2']);
    await cleanup();
  });

  it('a failing host statement changes nothing and the transaction goes on; it works through withAuditOutbox too', async () => {
    const { storage, client, schema, cleanup } = await fresh();
    await client.query(`CREATE TABLE "${schema}".host_orders (id text PRIMARY KEY)`);
    const hooked = withAuditOutbox(storage, async () => {});
    await hooked.transaction(async (tx) => {
      const sql = transactionSql(tx);
      await sql.query(`INSERT INTO "${schema}".host_orders (id) VALUES ('a')`);
      await expect(sql.query(`INSERT INTO "${schema}".host_orders (id) VALUES ('a')`)).rejects.toThrow();
      await sql.query(`INSERT INTO "${schema}".host_orders (id) VALUES ('b')`);
    });
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM "${schema}".host_orders ORDER BY id`);
    expect(rows.map((r) => r.id)).toEqual(['a', 'b']);
    await cleanup();
  });

  it('refuses a transaction of another storage', async () => {
    await createMemoryStorage().transaction(async (tx) => {
      expect(() => transactionSql(tx)).toThrow(StorageMisuseError);
    });
  });
});
