import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock, SecretKeyError, createSecretBox, generateSecretKey } from '@panelkit/sdk';
import type { NewPanel, SecretBox, StoragePort } from '@panelkit/sdk';
import { createPostgresStorage, fromPgPool, migrate, resealSecrets } from '../src/index.js';
import type { SqlClient } from '../src/index.js';
import { DATABASE_URL, SKIP_REAL_SERVER, dropSchema, newPool, sharedPGlite, uniqueSchema } from './helpers.js';

/** pg_dump comes from Debian's postgresql-client (scripts/ensure-pg-dump.sh installs it). */
const HAVE_PG_DUMP = spawnSync('pg_dump', ['--version']).status === 0;

const k1 = generateSecretKey('k1');
const k2 = generateSecretKey('k2');
const clock = new ManualClock();

/** A secret no other test writes, so finding it anywhere means it leaked from this test. */
const secret = (label: string) => `${label}-${randomBytes(9).toString('hex')}`;

function passwordPanel(name: string, password: string): NewPanel {
  return { kind: '3x-ui', name, baseUrl: 'http://127.0.0.1:2053/xui', credentials: { type: 'password', username: 'admin', password } };
}

function tokenPanel(name: string, token: string): NewPanel {
  return { kind: 's-ui', name, baseUrl: 'http://127.0.0.1:2095/app', credentials: { type: 'token', token } };
}

/** Every row of every table in `schema`, as text: what a dump of the data would hold. */
async function scanAllTables(client: SqlClient, schema: string): Promise<string> {
  const { rows } = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [
    schema,
  ]);
  expect(rows.map((r) => r.table_name)).toContain('panels');
  const parts: string[] = [];
  for (const { table_name } of rows) {
    const { rows: data } = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${table_name}" t`);
    parts.push(...data.map((d) => d.row));
  }
  return parts.join('\n');
}

async function freshSchema(client: SqlClient, box?: SecretBox): Promise<{ schema: string; storage: StoragePort }> {
  const schema = uniqueSchema();
  await migrate(client, { schema, clock });
  return { schema, storage: createPostgresStorage({ client, schema, clock, ...(box === undefined ? {} : { secretBox: box }) }) };
}

describe('panel secrets at rest (PGlite)', () => {
  const pglite = sharedPGlite();
  afterAll(() => pglite.close());

  it('stores credentials sealed: a scan of every table finds no password or token, the storage reads them back', async () => {
    const client = await pglite.client();
    const { schema, storage } = await freshSchema(client, createSecretBox([k1]));
    const password = secret('pw');
    const token = secret('tok');
    const newPassword = secret('pw2');
    const a = await storage.panels.create(passwordPanel('a', password));
    const b = await storage.panels.create(tokenPanel('b', token));
    await storage.transaction((tx) =>
      tx.panels.update(a.id, { credentials: { type: 'password', username: 'admin', password: newPassword } }),
    );

    const dump = await scanAllTables(client, schema);
    for (const plain of [password, token, newPassword]) expect(dump).not.toContain(plain);
    expect(dump).toContain('pk1.k1.');
    expect((await storage.panels.get(a.id))?.credentials).toEqual({ type: 'password', username: 'admin', password: newPassword });
    expect((await storage.panels.list()).find((p) => p.id === b.id)?.credentials).toEqual({ type: 'token', token });
    await storage.close();
    await dropSchema(client, schema);
  });

  it('seals plain rows written before on start, once; a storage with keys refuses to read plain text meanwhile', async () => {
    const client = await pglite.client();
    const box = createSecretBox([k1]);
    const { schema, storage: legacy } = await freshSchema(client);
    const password = secret('legacy');
    const panel = await legacy.panels.create(passwordPanel('old', password));
    expect(await scanAllTables(client, schema)).toContain(password);
    const sealedStorage = createPostgresStorage({ client, schema, clock, secretBox: box });
    await expect(sealedStorage.panels.get(panel.id)).rejects.toThrow(SecretKeyError);

    expect(await resealSecrets(client, { schema, secretBox: box })).toEqual({ checked: 1, sealed: 1, rotated: 0, byKey: { k1: 1 } });
    expect(await resealSecrets(client, { schema, secretBox: box })).toEqual({ checked: 1, sealed: 0, rotated: 0, byKey: { k1: 1 } });
    expect(await scanAllTables(client, schema)).not.toContain(password);
    expect((await sealedStorage.panels.get(panel.id))?.credentials).toEqual(panel.credentials);
    await expect(legacy.panels.get(panel.id)).rejects.toThrow(/no secret keys/);
    await dropSchema(client, schema);
  });

  it('a missing or wrong key is a clear error at start-up, and nothing is rewritten', async () => {
    const client = await pglite.client();
    const { schema, storage } = await freshSchema(client, createSecretBox([k1]));
    await storage.panels.create(passwordPanel('p', secret('pw')));
    const before = await scanAllTables(client, schema);
    await expect(resealSecrets(client, { schema, secretBox: createSecretBox([k2]), rotate: true })).rejects.toThrow(
      /sealed with key k1, which is not among the keys given/,
    );
    await expect(resealSecrets(client, { schema, secretBox: createSecretBox([{ id: 'k1', key: k2.key }]) })).rejects.toThrow(
      /key k1 does not open/,
    );
    expect(await scanAllTables(client, schema)).toBe(before);
    await dropSchema(client, schema);
  });

  it('rotates: with the new key first every value is sealed again under it, and the old key can then be dropped', async () => {
    const client = await pglite.client();
    const { schema, storage } = await freshSchema(client, createSecretBox([k1]));
    const panels = await Promise.all([
      storage.panels.create(passwordPanel('x', secret('pw'))),
      storage.panels.create(tokenPanel('y', secret('tok'))),
    ]);
    const both = createSecretBox([k2, k1]);
    expect(await resealSecrets(client, { schema, secretBox: both })).toMatchObject({ rotated: 0, byKey: { k1: 2 } });
    expect(await resealSecrets(client, { schema, secretBox: both, rotate: true })).toMatchObject({ rotated: 2, byKey: { k2: 2 } });
    const onlyNew = createPostgresStorage({ client, schema, clock, secretBox: createSecretBox([k2]) });
    for (const panel of panels) expect((await onlyNew.panels.get(panel.id))?.credentials).toEqual(panel.credentials);
    await dropSchema(client, schema);
  });
});

describe.skipIf(SKIP_REAL_SERVER !== false)(
  `panel secrets at rest on a PostgreSQL server${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
  () => {
    it.skipIf(!HAVE_PG_DUMP)(
      `pg_dump of the schema holds no panel password or token${HAVE_PG_DUMP ? '' : ' (skipped: no pg_dump; scripts/ensure-pg-dump.sh installs it)'}`,
      async () => {
        const pool = newPool(2);
        const client = fromPgPool(pool);
        try {
          const { schema, storage } = await freshSchema(client, createSecretBox([k1]));
          try {
            const password = secret('pw');
            const token = secret('tok');
            await storage.panels.create(passwordPanel('a', password));
            await storage.panels.create(tokenPanel('b', token));
            const { stdout } = await promisify(execFile)('pg_dump', ['--dbname', DATABASE_URL as string, '--schema', schema], {
              maxBuffer: 64 * 1024 * 1024,
            });
            expect(stdout).toContain('pk1.k1.');
            expect(stdout).not.toContain(password);
            expect(stdout).not.toContain(token);
          } finally {
            await dropSchema(client, schema);
          }
        } finally {
          await pool.end();
        }
      },
    );

    it('replicas starting at once seal each plain row exactly once', async () => {
      const pools = [newPool(2), newPool(2), newPool(2)];
      const admin = fromPgPool(pools[0]!);
      const { schema, storage: legacy } = await freshSchema(admin);
      try {
        const created = await Promise.all(Array.from({ length: 30 }, (_, i) => legacy.panels.create(passwordPanel(`p${i}`, secret('pw')))));
        const box = createSecretBox([k1]);
        const results = await Promise.all(pools.map((pool) => resealSecrets(fromPgPool(pool), { schema, secretBox: box })));
        expect(results.reduce((sum, r) => sum + r.sealed, 0)).toBe(30);
        for (const r of results) expect(r.byKey).toEqual({ k1: 30 });
        const storage = createPostgresStorage({ client: admin, schema, clock, secretBox: box });
        for (const panel of created) expect((await storage.panels.get(panel.id))?.credentials).toEqual(panel.credentials);
      } finally {
        await dropSchema(admin, schema);
        await Promise.all(pools.map((p) => p.end()));
      }
    });

    it('a rotation while replicas keep changing and reading credentials loses no secret', async () => {
      const pools = [newPool(3), newPool(3), newPool(2)];
      const admin = fromPgPool(pools[0]!);
      const { schema, storage: first } = await freshSchema(admin, createSecretBox([k1]));
      try {
        const panels = await Promise.all(Array.from({ length: 20 }, (_, i) => first.panels.create(passwordPanel(`p${i}`, secret('pw')))));
        // Every replica now holds both keys, the new one first: they seal with k2 and open both.
        const both = createSecretBox([k2, k1]);
        const replicas = pools
          .slice(0, 2)
          .map((pool) => createPostgresStorage({ client: fromPgPool(pool), schema, clock, secretBox: both }));
        const latest = new Map(panels.map((p) => [p.id, p.credentials]));
        let rotating = true;
        const load = replicas.map(async (storage, r) => {
          for (let round = 0; rotating || round < 3; round++) {
            for (const panel of panels.filter((_, i) => i % 2 === r)) {
              const credentials = { type: 'password' as const, username: 'admin', password: secret(`r${r}`) };
              await storage.panels.update(panel.id, { credentials });
              latest.set(panel.id, credentials);
              expect((await storage.panels.get(panel.id))?.credentials).toEqual(credentials);
            }
          }
        });
        const rotation = resealSecrets(fromPgPool(pools[2]!), { schema, secretBox: both, rotate: true }).finally(() => {
          rotating = false;
        });
        await Promise.all([rotation, ...load]);
        expect((await resealSecrets(admin, { schema, secretBox: both, rotate: true })).byKey).toEqual({ k2: 20 });
        const onlyNew = createPostgresStorage({ client: admin, schema, clock, secretBox: createSecretBox([k2]) });
        for (const panel of panels) expect((await onlyNew.panels.get(panel.id))?.credentials).toEqual(latest.get(panel.id));
      } finally {
        await dropSchema(admin, schema);
        await Promise.all(pools.map((p) => p.end()));
      }
    });
  },
);
