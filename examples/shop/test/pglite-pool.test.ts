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
});
