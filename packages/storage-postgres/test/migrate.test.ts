import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError, ManualClock } from '@panelkit/sdk';
import { LATEST_SCHEMA_VERSION, createPostgresStorage, migrate, schemaVersion } from '../src/index.js';
import { MIGRATIONS } from '../src/migrations/index.js';
import { dropSchema, sharedPGlite, uniqueSchema } from './helpers.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

describe('migrate', () => {
  it('creates the schema once; a second run applies nothing', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    expect(await schemaVersion(client, { schema })).toBe(0);
    expect(await migrate(client, { schema })).toEqual({ from: 0, to: LATEST_SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.version) });
    expect(await migrate(client, { schema })).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION, applied: [] });
    expect(await schemaVersion(client, { schema })).toBe(LATEST_SCHEMA_VERSION);
    await dropSchema(client, schema);
  });

  it('records when each migration ran, by the given clock', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    const clock = new ManualClock('2030-05-06T07:08:09.123Z');
    await migrate(client, { schema, clock });
    const { rows } = await client.query<{ applied_at: Date }>(`SELECT applied_at FROM "${schema}".panelkit_migrations`);
    expect(rows.map((r) => r.applied_at)).toEqual(MIGRATIONS.map(() => clock.now()));
    await dropSchema(client, schema);
  });

  it('refuses a schema newer than it knows, and changes nothing', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    await migrate(client, { schema });
    await client.query(`INSERT INTO "${schema}".panelkit_migrations (version, name, applied_at) VALUES ($1, 'from the future', now())`, [
      LATEST_SCHEMA_VERSION + 1,
    ]);
    await expect(migrate(client, { schema })).rejects.toSatisfy((e) => ConfigurationError.is(e));
    expect(await schemaVersion(client, { schema })).toBe(LATEST_SCHEMA_VERSION + 1);
    await dropSchema(client, schema);
  });

  it('keeps schemas apart: two storages in two schemas of one database do not see each other', async () => {
    const client = await pglite.client();
    const [a, b] = [uniqueSchema(), uniqueSchema()];
    await migrate(client, { schema: a });
    await migrate(client, { schema: b });
    const storageA = createPostgresStorage({ client, schema: a });
    const storageB = createPostgresStorage({ client, schema: b });
    await storageA.customers.create({ email: 'only-in-a@example.com' });
    expect(await storageB.customers.getByEmail('only-in-a@example.com')).toBeNull();
    expect(await storageA.customers.getByEmail('only-in-a@example.com')).not.toBeNull();
    await dropSchema(client, a);
    await dropSchema(client, b);
  });

  it('rejects a schema name that is not a plain identifier, before touching the database', async () => {
    const client = await pglite.client();
    for (const schema of ['', 'Upper', 'semi;colon', 'quo"te', '1digit', 'x'.repeat(64)]) {
      await expect(migrate(client, { schema })).rejects.toSatisfy((e) => ConfigurationError.is(e));
      expect(() => createPostgresStorage({ client, schema })).toThrow(/invalid schema name/);
    }
  });
});
