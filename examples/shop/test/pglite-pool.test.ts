import { describe, expect, it } from 'vitest';
import { pooledMemoryDatabase } from './support/pglite-pool.js';

const schemasOf = async (client: Awaited<ReturnType<typeof pooledMemoryDatabase>>['client']) =>
  (
    await client.query<{ name: string }>(
      `SELECT nspname AS name FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1`,
    )
  ).rows.map((r) => r.name);

describe('the test shops’ PGlite pool', () => {
  it('gives a closed database back empty, and refuses the old handle', async () => {
    const first = await pooledMemoryDatabase();
    const blank = await schemasOf(first.client);
    await first.client.query('CREATE SCHEMA left_behind');
    await first.client.query('CREATE TABLE left_behind.rows (id int)');
    await first.client.query('INSERT INTO left_behind.rows VALUES (1)');
    await first.close();

    await expect(first.client.query('SELECT 1')).rejects.toThrow('the test database is closed');
    const second = await pooledMemoryDatabase();
    try {
      expect(await schemasOf(second.client)).toEqual(blank);
    } finally {
      await second.close();
    }
  });

  it('closes, rather than keeps, a database with something in its public schema', async () => {
    const first = await pooledMemoryDatabase();
    await first.client.query('CREATE TABLE public.kept (id int)');
    await first.close();

    const second = await pooledMemoryDatabase();
    try {
      const { rows } = await second.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'kept'`);
      expect(rows[0]?.n).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('gives a migrated database back at a fresh migration: the rows tests wrote gone, the migrations records kept', async () => {
    const first = await pooledMemoryDatabase({ migrated: 'panelkit' });
    await first.client.query(`SET panelkit.test_marker = 'first'`);
    await first.client.query(
      `INSERT INTO panelkit_shop.accounts (id, email, password_hash, customer_id, role, created_at)
       VALUES ('acc_1', 'a@example.com', 'x', 'cus_1', 'buyer', now())`,
    );
    await first.close();

    const second = await pooledMemoryDatabase({ migrated: 'panelkit' });
    try {
      expect(await markerOf(second.client)).toBe('first');
      const { rows: accounts } = await second.client.query<{ n: number }>('SELECT count(*)::int AS n FROM panelkit_shop.accounts');
      expect(accounts[0]?.n).toBe(0);
      const { rows: versions } = await second.client.query<{ n: number }>('SELECT count(*)::int AS n FROM panelkit.panelkit_migrations');
      expect(versions[0]?.n).toBeGreaterThan(0);
    } finally {
      await second.close();
    }
  });

  it('gives a migrated database whose schema a test changed back blank, not as migrated', async () => {
    const first = await pooledMemoryDatabase({ migrated: 'panelkit' });
    await first.client.query(`SET panelkit.test_marker = 'changed'`);
    await first.client.query('ALTER TABLE panelkit_shop.accounts ADD COLUMN nickname text');
    await first.close();

    const second = await pooledMemoryDatabase();
    try {
      expect(await markerOf(second.client)).toBe('changed');
      expect(await schemasOf(second.client)).toEqual(['public']);
    } finally {
      await second.close();
    }
  });
});

/** The session setting a test left on a pooled database, to tell which database the pool gave back. */
async function markerOf(client: Awaited<ReturnType<typeof pooledMemoryDatabase>>['client']): Promise<string | null> {
  const { rows } = await client.query<{ marker: string | null }>(`SELECT current_setting('panelkit.test_marker', true) AS marker`);
  return rows[0]?.marker ?? null;
}
